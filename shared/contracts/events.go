package contracts

// Event names (EventBridge detail-type).
const (
	NameOrderPlaced            = "OrderPlaced"
	NameOrderCanceled          = "OrderCanceled"
	NamePaymentApproved        = "PaymentApproved"
	NamePaymentCanceled        = "PaymentCanceled"
	NameReservationRequested   = "ReservationRequested"
	NameReservationConfirmed   = "ReservationConfirmed"
	NameReservationCanceled    = "ReservationCanceled"
	NameTaxiAssigned           = "TaxiAssigned"
	NameTaxiAssignmentRejected = "TaxiAssignmentRejected"
	NameTaxiReleased           = "TaxiReleased"
	NameReservationPickedUp    = "ReservationPickedUp"
	NameReservationCompleted   = "ReservationCompleted"
)

// OrderPlaced: a customer's order was paid and taken. It carries what the taxi company needs to dispatch
// it: where, when (PickupAt "" = as soon as possible, else UTC with milliseconds), the note for the driver
// and whom to call. CustomerPhone is personal data: consumers never log it.
type OrderPlaced struct {
	Meta
	OrderID       string `json:"orderId"`
	CustomerID    string `json:"customerId"`
	OrderType     string `json:"orderType"`
	Fare          int64  `json:"fare"`
	PaymentID     string `json:"paymentId"`
	Pickup        string `json:"pickup"`
	Destination   string `json:"destination,omitempty"`
	PickupAt      string `json:"pickupAt,omitempty"`
	Note          string `json:"note,omitempty"`
	CustomerName  string `json:"customerName"`
	CustomerPhone string `json:"customerPhone"`
}

func (*OrderPlaced) EventName() string   { return NameOrderPlaced }
func (*OrderPlaced) EventSource() string { return SourceOrder }

// OrderCanceled: the customer cancelled and the payment was refunded.
type OrderCanceled struct {
	Meta
	OrderID    string `json:"orderId"`
	CustomerID string `json:"customerId"`
}

func (*OrderCanceled) EventName() string   { return NameOrderCanceled }
func (*OrderCanceled) EventSource() string { return SourceOrder }

// PaymentApproved: the card was charged for the order.
type PaymentApproved struct {
	Meta
	PaymentID  string `json:"paymentId"`
	OrderID    string `json:"orderId"`
	CustomerID string `json:"customerId"`
	OrderType  string `json:"orderType"`
	Amount     int64  `json:"amount"`
	CardLast4  string `json:"cardLast4"`
	CardBrand  string `json:"cardBrand"`
}

func (*PaymentApproved) EventName() string   { return NamePaymentApproved }
func (*PaymentApproved) EventSource() string { return SourcePayment }

// PaymentCanceled: the payment was refunded.
type PaymentCanceled struct {
	Meta
	PaymentID  string `json:"paymentId"`
	OrderID    string `json:"orderId"`
	CustomerID string `json:"customerId"`
	Amount     int64  `json:"amount"`
}

func (*PaymentCanceled) EventName() string   { return NamePaymentCanceled }
func (*PaymentCanceled) EventSource() string { return SourcePayment }

// ReservationRequested: the booking reached the taxi company and waits for a manager.
type ReservationRequested struct {
	Meta
	ReservationID string `json:"reservationId"`
	OrderID       string `json:"orderId"`
	CustomerID    string `json:"customerId"`
	OrderType     string `json:"orderType"`
}

func (*ReservationRequested) EventName() string   { return NameReservationRequested }
func (*ReservationRequested) EventSource() string { return SourceReservation }

// ReservationConfirmed: a manager confirmed the reservation with a taxi; the taxi context now assigns it.
type ReservationConfirmed struct {
	Meta
	ReservationID string `json:"reservationId"`
	OrderID       string `json:"orderId"`
	OrderType     string `json:"orderType"`
	TaxiID        string `json:"taxiId"`
	Attempt       int    `json:"attempt"`
}

func (*ReservationConfirmed) EventName() string   { return NameReservationConfirmed }
func (*ReservationConfirmed) EventSource() string { return SourceReservation }

// ReservationCanceled: the reservation is cancelled; any taxi held for it must be released.
type ReservationCanceled struct {
	Meta
	ReservationID string `json:"reservationId"`
	OrderID       string `json:"orderId"`
}

func (*ReservationCanceled) EventName() string   { return NameReservationCanceled }
func (*ReservationCanceled) EventSource() string { return SourceReservation }

// TaxiAssigned: one unit of the taxi's availability is now held by the reservation. DriverID is the
// driver who registered the taxi: the one who may pick the customer up and complete the ride.
type TaxiAssigned struct {
	Meta
	ReservationID string `json:"reservationId"`
	TaxiID        string `json:"taxiId"`
	TaxiName      string `json:"taxiName"`
	DriverID      string `json:"driverId,omitempty"`
	Attempt       int    `json:"attempt"`
}

func (*TaxiAssigned) EventName() string   { return NameTaxiAssigned }
func (*TaxiAssigned) EventSource() string { return SourceTaxi }

// TaxiAssignmentRejected: the taxi could not be assigned (none available, unknown, wrong grade, cancelled).
type TaxiAssignmentRejected struct {
	Meta
	ReservationID string `json:"reservationId"`
	TaxiID        string `json:"taxiId"`
	Attempt       int    `json:"attempt"`
	Reason        string `json:"reason"`
}

func (*TaxiAssignmentRejected) EventName() string   { return NameTaxiAssignmentRejected }
func (*TaxiAssignmentRejected) EventSource() string { return SourceTaxi }

// TaxiReleased: the taxi held by a cancelled reservation is available again.
type TaxiReleased struct {
	Meta
	ReservationID string `json:"reservationId"`
	TaxiID        string `json:"taxiId"`
}

func (*TaxiReleased) EventName() string   { return NameTaxiReleased }
func (*TaxiReleased) EventSource() string { return SourceTaxi }

// ReservationPickedUp: the driver picked the customer up; from now on the booking cannot be cancelled.
type ReservationPickedUp struct {
	Meta
	ReservationID string `json:"reservationId"`
	OrderID       string `json:"orderId"`
	TaxiID        string `json:"taxiId"`
}

func (*ReservationPickedUp) EventName() string   { return NameReservationPickedUp }
func (*ReservationPickedUp) EventSource() string { return SourceReservation }

// ReservationCompleted: the ride is over; the taxi it held is available again.
type ReservationCompleted struct {
	Meta
	ReservationID string `json:"reservationId"`
	OrderID       string `json:"orderId"`
	TaxiID        string `json:"taxiId"`
}

func (*ReservationCompleted) EventName() string   { return NameReservationCompleted }
func (*ReservationCompleted) EventSource() string { return SourceReservation }
