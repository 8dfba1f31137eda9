package main

import "time"

// The mypage view is a projection: one row per order, merged from the Orders, Payments and Reservations
// streams. The three streams are not ordered against each other, so every merge is per source and guarded
// by that source's row version, and the customer-visible status only moves forward.

// Entities, as the source rows name themselves in their `entity` attribute.
const (
	EntityOrder       = "order"
	EntityPayment     = "payment"
	EntityReservation = "reservation"
)

// Customer-visible statuses ("" means the order is not a booking: pending payment or declined).
const (
	StatusPaid      = "PAID"
	StatusReserved  = "RESERVED"
	StatusConfirmed = "CONFIRMED"
	StatusPickedUp  = "PICKED_UP"
	StatusCompleted = "COMPLETED"
	StatusCanceled  = "CANCELED"
)

// Source statuses the projection reads (see the state machines in docs/architecture.md).
const (
	orderPaid             = "PAID"
	orderCanceled         = "CANCELED"
	paymentApproved       = "APPROVED"
	paymentCanceled       = "CANCELED"
	reservationRequested  = "REQUESTED"
	reservationAssigning  = "ASSIGNING"
	reservationConfirmed  = "CONFIRMED"
	reservationPickedUp   = "PICKED_UP"
	reservationCompleted  = "COMPLETED"
	reservationCanceledSt = "CANCELED"
)

// A cancel ranks above the ride's end: one that raced the pickup was refunded, and says so.
var statusRank = map[string]int{"": 0, StatusPaid: 1, StatusReserved: 2, StatusConfirmed: 3, StatusPickedUp: 4, StatusCompleted: 5, StatusCanceled: 6}

// HistoryEntry records when the view reached a customer-visible status.
type HistoryEntry struct {
	Status string `dynamodbav:"status" json:"status"`
	At     string `dynamodbav:"at" json:"at"`
}

// View is one MyPagesTable row. Phone is kept for the notify function and never returned by the API.
type View struct {
	OrderID           string `dynamodbav:"orderId"`
	CustomerID        string `dynamodbav:"customerId,omitempty"` // GSI key: absent, never ""
	Name              string `dynamodbav:"name"`
	Phone             string `dynamodbav:"phone"`
	Language          string `dynamodbav:"language,omitempty"` // the customer's SMS language, for notify
	OrderType         string `dynamodbav:"orderType"`
	Fare              int64  `dynamodbav:"fare"`
	Status            string `dynamodbav:"status"`
	OrderStatus       string `dynamodbav:"orderStatus"`
	PaymentStatus     string `dynamodbav:"paymentStatus"`
	ReservationID     string `dynamodbav:"reservationId"`
	ReservationStatus string `dynamodbav:"reservationStatus"`
	TaxiID            string `dynamodbav:"taxiId"`
	TaxiName          string `dynamodbav:"taxiName"`
	RejectReason      string `dynamodbav:"rejectReason,omitempty"`
	Pickup            string `dynamodbav:"pickup,omitempty"`
	Destination       string `dynamodbav:"destination,omitempty"`
	PickupAt          string `dynamodbav:"pickupAt,omitempty"` // "" = as soon as possible
	// PickupLocal is PickupAt in the company's time zone ("01-02 15:04"), as notify's texts say it.
	PickupLocal        string         `dynamodbav:"pickupLocal,omitempty"`
	History            []HistoryEntry `dynamodbav:"history,omitempty"`   // omitempty: minidyn returns an empty L untyped
	CreatedAt          string         `dynamodbav:"createdAt,omitempty"` // GSI key: absent, never ""
	UpdatedAt          string         `dynamodbav:"updatedAt"`
	OrderVersion       int64          `dynamodbav:"orderVersion"`
	PaymentVersion     int64          `dynamodbav:"paymentVersion"`
	ReservationVersion int64          `dynamodbav:"reservationVersion"`
	Rev                int64          `dynamodbav:"rev"`
	CorrelationID      string         `dynamodbav:"correlationId"`
}

// SourceRecord is the union of the fields the projection reads from an Orders, Payments or Reservations
// row; each entity fills only its own.
type SourceRecord struct {
	Entity        string `dynamodbav:"entity"`
	ID            string `dynamodbav:"id"`
	OrderID       string `dynamodbav:"orderId"`
	CustomerID    string `dynamodbav:"customerId"`
	Status        string `dynamodbav:"status"`
	Version       int64  `dynamodbav:"version"`
	CorrelationID string `dynamodbav:"correlationId"`
	Name          string `dynamodbav:"name"`
	Phone         string `dynamodbav:"phone"`
	Language      string `dynamodbav:"language"`
	OrderType     string `dynamodbav:"orderType"`
	Fare          int64  `dynamodbav:"fare"`
	TaxiID        string `dynamodbav:"taxiId"`
	TaxiName      string `dynamodbav:"taxiName"`
	RejectReason  string `dynamodbav:"rejectReason"`
	Pickup        string `dynamodbav:"pickup"`
	Destination   string `dynamodbav:"destination"`
	PickupAt      string `dynamodbav:"pickupAt"`
	CreatedAt     string `dynamodbav:"createdAt"`
	UpdatedAt     string `dynamodbav:"updatedAt"`
}

// KnownEntity reports whether the projection merges records of this entity.
func KnownEntity(entity string) bool {
	return entity == EntityOrder || entity == EntityPayment || entity == EntityReservation
}

// NewView is the empty view of an order no record has been merged into yet.
func NewView(orderID string) View {
	return View{OrderID: orderID}
}

// Apply merges one source record written at `at` into the view. It reports false, changing nothing, when
// the view already holds this source at the same or a newer version (a duplicate or late record).
func (v *View) Apply(src SourceRecord, at string) bool {
	switch src.Entity {
	case EntityOrder:
		if src.Version <= v.OrderVersion {
			return false
		}
		v.OrderVersion = src.Version
		v.OrderStatus = src.Status
		v.Name, v.Phone, v.OrderType, v.Fare = src.Name, src.Phone, src.OrderType, src.Fare
		v.Language = src.Language
		v.Pickup, v.Destination, v.PickupAt = src.Pickup, src.Destination, src.PickupAt
		if src.CreatedAt != "" {
			v.CreatedAt = src.CreatedAt // the order's creation time wins over any placeholder below
		}
		if src.CorrelationID != "" {
			v.CorrelationID = src.CorrelationID
		}
	case EntityPayment:
		if src.Version <= v.PaymentVersion {
			return false
		}
		v.PaymentVersion = src.Version
		v.PaymentStatus = src.Status
	case EntityReservation:
		if src.Version <= v.ReservationVersion {
			return false
		}
		v.ReservationVersion = src.Version
		v.ReservationStatus = src.Status
		v.ReservationID = src.ID
		v.TaxiID, v.TaxiName, v.RejectReason = src.TaxiID, src.TaxiName, src.RejectReason
	default:
		return false
	}
	if v.CustomerID == "" {
		v.CustomerID = src.CustomerID
	}
	if v.CreatedAt == "" && v.OrderVersion == 0 {
		v.CreatedAt = src.CreatedAt // until the order record arrives, so the row is listed at all
	}
	if v.CorrelationID == "" {
		v.CorrelationID = src.CorrelationID
	}
	if at > v.UpdatedAt {
		v.UpdatedAt = at
	}
	if next := higher(v.Status, v.derivedStatus()); next != v.Status {
		// The three source streams are delivered independently, so a reservation record can arrive
		// before the payment's: a booking that is RESERVED was PAID, and the customer is told both.
		for _, implied := range impliedBefore[next] {
			if !v.reached(implied) {
				v.History = append(v.History, HistoryEntry{Status: implied, At: at})
			}
		}
		v.Status = next
		v.History = append(v.History, HistoryEntry{Status: next, At: at})
	}
	return true
}

// derivedStatus is the customer-visible status the sources say now, before the never-backwards rule.
func (v *View) derivedStatus() string {
	switch {
	case v.OrderStatus == orderCanceled, v.ReservationStatus == reservationCanceledSt && v.paid():
		return StatusCanceled
	case v.ReservationStatus == reservationCompleted:
		return StatusCompleted
	case v.ReservationStatus == reservationPickedUp:
		return StatusPickedUp
	case v.ReservationStatus == reservationConfirmed:
		return StatusConfirmed
	case v.ReservationStatus == reservationRequested, v.ReservationStatus == reservationAssigning:
		return StatusReserved
	case v.OrderStatus == orderPaid, v.PaymentStatus == paymentApproved:
		return StatusPaid
	default:
		return ""
	}
}

// paid reports whether any source has shown this order was paid. A cancelled reservation alone is not
// enough: it may be a tombstone whose order and payment records have not arrived yet.
func (v *View) paid() bool {
	return v.Status != "" ||
		v.OrderStatus == orderPaid || v.OrderStatus == orderCanceled ||
		v.PaymentStatus == paymentApproved || v.PaymentStatus == paymentCanceled
}

// impliedBefore lists, for each status, the statuses a booking has necessarily passed through first.
var impliedBefore = map[string][]string{
	StatusReserved:  {StatusPaid},
	StatusConfirmed: {StatusPaid, StatusReserved},
	StatusPickedUp:  {StatusPaid, StatusReserved, StatusConfirmed},
	StatusCompleted: {StatusPaid, StatusReserved, StatusConfirmed, StatusPickedUp},
	StatusCanceled:  {StatusPaid},
}

func (v *View) reached(status string) bool {
	for _, h := range v.History {
		if h.Status == status {
			return true
		}
	}
	return false
}

// higher returns the status of higher rank, so the visible status never goes backwards.
func higher(a, b string) string {
	if statusRank[b] > statusRank[a] {
		return b
	}
	return a
}

// IsBooking reports whether the view is shown to customers at all.
func (v *View) IsBooking() bool { return v.Status != "" }

// localPickup is a pickup time (UTC, the contract's format) as the company's clock shows it; "" for as
// soon as possible or a time it cannot read.
func localPickup(pickupAt string, zone *time.Location) string {
	at, err := time.Parse(time.RFC3339Nano, pickupAt)
	if pickupAt == "" || err != nil {
		return ""
	}
	return at.In(zone).Format("01-02 15:04")
}
