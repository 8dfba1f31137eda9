package main

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/calltaxi/call-taxi/shared/apperr"
	"github.com/calltaxi/call-taxi/shared/ddbitem"
	"github.com/calltaxi/call-taxi/shared/validate"
)

// Order states (docs/architecture.md): PENDING_PAYMENT → PAID | DECLINED; PAID → CANCELED.
const (
	StatusPendingPayment = "PENDING_PAYMENT"
	StatusPaid           = "PAID"
	StatusDeclined       = "DECLINED"
	StatusCanceled       = "CANCELED"
)

// entityOrder tells the mypage projection that a stream record is an order row.
const entityOrder = "order"

func formatTime(t time.Time) string { return t.UTC().Format(ddbitem.TimeLayout) }

// fareMultiplier is k in fare(grade) = max(MinTaxiPrice, round(MinTaxiPrice × k)).
var fareMultiplier = map[string]float64{
	"basic":    1.0,
	"prime":    1.5,
	"platinum": 2.5,
}

// Fare is what an order of the grade costs in KRW; the client never chooses it.
func Fare(orderType string, minTaxiPrice int64) int64 {
	k, ok := fareMultiplier[orderType]
	if !ok {
		k = 1
	}
	return max(minTaxiPrice, int64(math.Round(float64(minTaxiPrice)*k)))
}

// Field limits of a placed order.
const (
	maxNameLen  = 100
	maxPlaceLen = 200
	maxNoteLen  = 200
)

// The window a scheduled pickup must fall in: enough time to dispatch a taxi, and not beyond the week a
// taxi company plans for.
const (
	minPickupLead = 10 * time.Minute
	maxPickupLead = 7 * 24 * time.Hour
)

// PlaceOrderRequest is the POST /orders body.
type PlaceOrderRequest struct {
	Name        string `json:"name"`
	Phone       string `json:"phone"`
	OrderType   string `json:"orderType"`
	CardNo      string `json:"cardNo"`
	Pickup      string `json:"pickup,omitempty"`
	Destination string `json:"destination,omitempty"`
	// PickupAt is when to pick the customer up: RFC 3339 with an offset; absent = as soon as possible.
	// Normalized to UTC with milliseconds.
	PickupAt string `json:"pickupAt,omitempty"`
	Note     string `json:"note,omitempty"` // for the driver
	// Language is what the customer's SMS are written in: ko or en; absent = ko for a +82 number, else en.
	Language string `json:"language,omitempty"`
}

// Normalize trims the fields, strips separators from the card number and validates everything (a
// scheduled pickup against now), naming the first offending field.
func (r PlaceOrderRequest) Normalize(now time.Time) (PlaceOrderRequest, error) {
	n := PlaceOrderRequest{
		Name:        strings.TrimSpace(r.Name),
		Phone:       strings.TrimSpace(r.Phone),
		OrderType:   strings.TrimSpace(r.OrderType),
		CardNo:      validate.NormalizeCard(strings.TrimSpace(r.CardNo)),
		Pickup:      strings.TrimSpace(r.Pickup),
		Destination: strings.TrimSpace(r.Destination),
		PickupAt:    strings.TrimSpace(r.PickupAt),
		Note:        strings.TrimSpace(r.Note),
		Language:    strings.TrimSpace(r.Language),
	}
	if n.PickupAt != "" {
		at, err := ParsePickupAt(n.PickupAt, now)
		if err != nil {
			return n, err
		}
		n.PickupAt = formatTime(at)
	}
	switch {
	case n.Name == "" || utf8.RuneCountInString(n.Name) > maxNameLen:
		return n, apperr.Invalid("name", "must be 1 to %d characters", maxNameLen)
	case !validate.E164(n.Phone):
		return n, apperr.Invalid("phone", "must be an E.164 number such as +821012345678")
	case fareMultiplier[n.OrderType] == 0:
		return n, apperr.Invalid("orderType", "must be one of basic, prime, platinum")
	case !validate.Card(n.CardNo):
		return n, apperr.Invalid("cardNo", "must be a valid card number of 12 to 19 digits")
	case n.Pickup == "" || utf8.RuneCountInString(n.Pickup) > maxPlaceLen:
		return n, apperr.Invalid("pickup", "must be 1 to %d characters", maxPlaceLen)
	case utf8.RuneCountInString(n.Destination) > maxPlaceLen:
		return n, apperr.Invalid("destination", "must be at most %d characters", maxPlaceLen)
	case utf8.RuneCountInString(n.Note) > maxNoteLen:
		return n, apperr.Invalid("note", "must be at most %d characters", maxNoteLen)
	case n.Language != "" && n.Language != "ko" && n.Language != "en":
		return n, apperr.Invalid("language", "must be ko or en")
	case n.Language == "" && strings.HasPrefix(n.Phone, "+82"):
		n.Language = "ko"
	case n.Language == "":
		n.Language = "en"
	}
	return n, nil
}

// ParsePickupAt reads a scheduled pickup time: RFC 3339 with an explicit offset (Z or ±hh:mm), at least
// minPickupLead and at most maxPickupLead after now.
func ParsePickupAt(raw string, now time.Time) (time.Time, error) {
	at, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil {
		return time.Time{}, apperr.Invalid("pickupAt", "must be an RFC 3339 time with an offset, such as 2026-01-02T15:04:00+09:00")
	}
	switch {
	case at.Before(now.Add(minPickupLead)):
		return time.Time{}, apperr.Invalid("pickupAt", "must be at least %d minutes ahead", int(minPickupLead/time.Minute))
	case at.After(now.Add(maxPickupLead)):
		return time.Time{}, apperr.Invalid("pickupAt", "must be at most %d days ahead", int(maxPickupLead/(24*time.Hour)))
	}
	return at, nil
}

// Order is one row of the Orders table.
type Order struct {
	// PendingShard is set only while the order is PENDING_PAYMENT: it keys the sparse pending index the
	// sweep reads (see sweep.go).
	PendingShard  string `dynamodbav:"pendingShard,omitempty"`
	ID            string `dynamodbav:"id"`
	Entity        string `dynamodbav:"entity"`
	OrderID       string `dynamodbav:"orderId"`
	CustomerID    string `dynamodbav:"customerId"`
	Name          string `dynamodbav:"name"`
	Phone         string `dynamodbav:"phone"`
	OrderType     string `dynamodbav:"orderType"`
	Fare          int64  `dynamodbav:"fare"`
	Status        string `dynamodbav:"status"`
	PaymentID     string `dynamodbav:"paymentId,omitempty"`
	CardLast4     string `dynamodbav:"cardLast4,omitempty"`
	CardBrand     string `dynamodbav:"cardBrand,omitempty"`
	DeclineReason string `dynamodbav:"declineReason,omitempty"`
	Pickup        string `dynamodbav:"pickup,omitempty"`
	Destination   string `dynamodbav:"destination,omitempty"`
	PickupAt      string `dynamodbav:"pickupAt,omitempty"` // "" = as soon as possible
	Note          string `dynamodbav:"note,omitempty"`
	// PickedUpAt is set when the driver picked the customer up (ReservationPickedUp): no cancel after it.
	PickedUpAt    string `dynamodbav:"pickedUpAt,omitempty"`
	Language      string `dynamodbav:"language,omitempty"` // the customer's SMS language (mypage → notify)
	CorrelationID string `dynamodbav:"correlationId,omitempty"`
	Version       int64  `dynamodbav:"version"`
	CreatedAt     string `dynamodbav:"createdAt"`
	UpdatedAt     string `dynamodbav:"updatedAt"`
}

// NewOrder is a freshly placed order awaiting its payment.
func NewOrder(id, customerID string, req PlaceOrderRequest, fare int64, correlationID string, now time.Time) Order {
	at := formatTime(now)
	return Order{
		ID: id, Entity: entityOrder, OrderID: id, CustomerID: customerID,
		Name: req.Name, Phone: req.Phone, OrderType: req.OrderType, Fare: fare,
		Status: StatusPendingPayment, PendingShard: PendingShard(id), Pickup: req.Pickup, Destination: req.Destination,
		PickupAt: req.PickupAt, Note: req.Note, Language: req.Language, CorrelationID: correlationID, Version: 1, CreatedAt: at, UpdatedAt: at,
	}
}

// Paid is the order as Store.MarkPaid leaves a PENDING_PAYMENT one at: paid with p, out of the pending
// index, one version on. A transaction's writes answer nothing, so the caller of a transactional mark
// knows the row from this.
func (o Order) Paid(p PaymentInfo, at time.Time) Order {
	o.Status, o.PaymentID, o.CardLast4, o.CardBrand = StatusPaid, p.PaymentID, p.CardLast4, p.CardBrand
	return o.changed(at)
}

// Declined is the order as Store.MarkDeclined leaves a PENDING_PAYMENT one at.
func (o Order) Declined(reason string, at time.Time) Order {
	o.Status, o.DeclineReason = StatusDeclined, reason
	return o.changed(at)
}

// changed is the bookkeeping of a payment outcome: out of the pending index, one version on.
func (o Order) changed(at time.Time) Order {
	o.PendingShard, o.UpdatedAt, o.Version = "", formatTime(at), o.Version+1
	return o
}

// OrderView is an order as the API returns it.
type OrderView struct {
	ID          string  `json:"id"`
	CustomerID  string  `json:"customerId"`
	Name        string  `json:"name"`
	Phone       string  `json:"phone"`
	OrderType   string  `json:"orderType"`
	Fare        int64   `json:"fare"`
	Status      string  `json:"status"`
	PaymentID   string  `json:"paymentId"`
	CardLast4   string  `json:"cardLast4"`
	CardBrand   string  `json:"cardBrand"`
	Pickup      string  `json:"pickup"`
	Destination string  `json:"destination"`
	PickupAt    *string `json:"pickupAt"` // null = as soon as possible
	Note        string  `json:"note"`
	PickedUpAt  *string `json:"pickedUpAt"`
	CreatedAt   string  `json:"createdAt"`
	UpdatedAt   string  `json:"updatedAt"`
}

// View is the order's API representation.
func (o Order) View() OrderView {
	return OrderView{
		ID: o.ID, CustomerID: o.CustomerID, Name: o.Name, Phone: o.Phone, OrderType: o.OrderType,
		Fare: o.Fare, Status: o.Status, PaymentID: o.PaymentID, CardLast4: o.CardLast4, CardBrand: o.CardBrand,
		Pickup: o.Pickup, Destination: o.Destination, PickupAt: nullable(o.PickupAt), Note: o.Note,
		PickedUpAt: nullable(o.PickedUpAt), CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
	}
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// PaymentInfo is what a paid order keeps of its payment (never the card number).
type PaymentInfo struct {
	PaymentID string
	CardLast4 string
	CardBrand string
}
