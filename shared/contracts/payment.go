package contracts

// Payment invoke actions (order → payment, Lambda Invoke RequestResponse). Charge and refund go to the
// payment function behind the overload guard (PaymentFunction); status, a read, goes to the payment
// records function (PaymentRecordsFunction) so it never takes a charge's place.
const (
	PaymentActionCharge = "charge"
	PaymentActionRefund = "refund"
	PaymentActionStatus = "status" // {"action":"status","orderId":...}: the order's payment as it stands
)

// PaymentRequest is the payload order sends to the payment function.
type PaymentRequest struct {
	Action        string `json:"action"`
	OrderID       string `json:"orderId"`
	CustomerID    string `json:"customerId"`
	OrderType     string `json:"orderType,omitempty"`
	Amount        int64  `json:"amount,omitempty"`
	CardNo        string `json:"cardNo,omitempty"`
	CorrelationID string `json:"correlationId,omitempty"`
}

// Payment outcomes.
const (
	PaymentApprovedStatus = "APPROVED"
	PaymentDeclinedStatus = "DECLINED"
	PaymentCanceledStatus = "CANCELED"
	PaymentInvalidStatus  = "INVALID"
	PaymentPendingStatus  = "PENDING"   // status only: a charge started and has no outcome recorded
	PaymentNotFoundStatus = "NOT_FOUND" // status only: the order has no payment
)

// PaymentResult is the payment function's answer. A business outcome (declined, invalid card) is a
// result, never a function error: function errors mean "payment could not answer".
type PaymentResult struct {
	Status    string `json:"status"`
	PaymentID string `json:"paymentId,omitempty"`
	Reason    string `json:"reason,omitempty"`
	Field     string `json:"field,omitempty"`
	CardLast4 string `json:"cardLast4,omitempty"`
	CardBrand string `json:"cardBrand,omitempty"`
}
