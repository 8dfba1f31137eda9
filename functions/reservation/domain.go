package main

import (
	"time"

	"github.com/calltaxi/call-taxi/shared/apperr"
	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/ddbitem"
)

// Reservation statuses (docs/architecture.md, state machines).
const (
	StatusRequested = "REQUESTED"
	StatusAssigning = "ASSIGNING"
	StatusConfirmed = "CONFIRMED"
	StatusPickedUp  = "PICKED_UP"
	StatusCompleted = "COMPLETED"
	StatusCanceled  = "CANCELED"
)

// entityReservation tells the mypage projection which table a stream record came from.
const entityReservation = "reservation"

// Reservation is one row of the Reservations table. Its JSON is what managers and the assigned driver
// see (with the customer's phone): never give it to anyone else.
type Reservation struct {
	ID            string `dynamodbav:"id" json:"id"`
	Entity        string `dynamodbav:"entity" json:"entity"`
	OrderID       string `dynamodbav:"orderId" json:"orderId"`
	CustomerID    string `dynamodbav:"customerId" json:"customerId"`
	OrderType     string `dynamodbav:"orderType,omitempty" json:"orderType,omitempty"`
	Status        string `dynamodbav:"status" json:"status"`
	Pickup        string `dynamodbav:"pickup,omitempty" json:"pickup"`
	Destination   string `dynamodbav:"destination,omitempty" json:"destination"`
	PickupAt      string `dynamodbav:"pickupAt,omitempty" json:"pickupAt"` // "" = as soon as possible (JSON null)
	Note          string `dynamodbav:"note,omitempty" json:"note"`
	CustomerName  string `dynamodbav:"customerName,omitempty" json:"customerName"`
	CustomerPhone string `dynamodbav:"customerPhone,omitempty" json:"customerPhone"`
	// PickupKey orders the manager's and the driver's lists (GSI range key): see pickupKey.
	PickupKey     string `dynamodbav:"pickupKey,omitempty" json:"-"`
	TaxiID        string `dynamodbav:"taxiId,omitempty" json:"taxiId,omitempty"`
	TaxiName      string `dynamodbav:"taxiName,omitempty" json:"taxiName,omitempty"`
	DriverID      string `dynamodbav:"driverId,omitempty" json:"driverId,omitempty"` // GSI key: absent, never ""
	PickedUpAt    string `dynamodbav:"pickedUpAt,omitempty" json:"pickedUpAt,omitempty"`
	CompletedAt   string `dynamodbav:"completedAt,omitempty" json:"completedAt,omitempty"`
	AssignAttempt int    `dynamodbav:"assignAttempt" json:"assignAttempt"`
	RejectReason  string `dynamodbav:"rejectReason,omitempty" json:"rejectReason,omitempty"`
	TaxiReleased  bool   `dynamodbav:"taxiReleased" json:"taxiReleased"`
	CreatedAt     string `dynamodbav:"createdAt" json:"createdAt"`
	UpdatedAt     string `dynamodbav:"updatedAt" json:"updatedAt"`
	Version       int64  `dynamodbav:"version" json:"version"`
	CorrelationID string `dynamodbav:"correlationId,omitempty" json:"correlationId,omitempty"`
}

// pickupKey sorts bookings by pickup time, as soon as possible first: "0#<createdAt>" for those (in the
// order they were booked), "1#<pickupAt>" for scheduled ones. Both times are sortable UTC strings.
func pickupKey(pickupAt, createdAt string) string {
	if pickupAt == "" {
		return asapPrefix + createdAt
	}
	return scheduledPrefix + pickupAt
}

const (
	asapPrefix      = "0#"
	scheduledPrefix = "1#"
)

// Active reports whether the ride still holds its taxi: assigned and not yet completed or cancelled.
func (r Reservation) Active() bool {
	return r.Status == StatusConfirmed || r.Status == StatusPickedUp
}

// ReservationID is the reservation's key for an order.
func ReservationID(orderID string) string { return "rsv-" + orderID }

// ParseStatus validates a status filter.
func ParseStatus(s string) (string, bool) {
	switch s {
	case StatusRequested, StatusAssigning, StatusConfirmed, StatusPickedUp, StatusCompleted, StatusCanceled:
		return s, true
	}
	return "", false
}

// Step is what applying a command or event to a reservation's current row leads to: the row to write,
// or nil when nothing changes (a replay that finds its write already done). The events a write means
// follow it through the table's stream (see outbox.go).
type Step struct {
	Next *Reservation
}

// advance returns a copy of r ready to be written as its next version.
func advance(r Reservation, now time.Time) Reservation {
	r.Version++
	r.UpdatedAt = now.UTC().Format(ddbitem.TimeLayout)
	return r
}

func newReservation(orderID, customerID, orderType, status, correlationID string, now time.Time) Reservation {
	at := now.UTC().Format(ddbitem.TimeLayout)
	return Reservation{
		ID: ReservationID(orderID), Entity: entityReservation, OrderID: orderID, CustomerID: customerID,
		OrderType: orderType, Status: status, CreatedAt: at, UpdatedAt: at, Version: 1, CorrelationID: correlationID,
	}
}

// OnOrderPlaced creates the reservation REQUESTED with the booking's dispatch details; any existing row
// (a replay, a CANCELED tombstone, or a reservation already under way) is left alone.
func OnOrderPlaced(cur *Reservation, ev *contracts.OrderPlaced, now time.Time) Step {
	if cur != nil {
		return Step{}
	}
	next := newReservation(ev.OrderID, ev.CustomerID, ev.OrderType, StatusRequested, ev.CorrelationID, now)
	withDetails(&next, ev)
	return Step{Next: &next}
}

func withDetails(r *Reservation, ev *contracts.OrderPlaced) {
	r.Pickup, r.Destination, r.PickupAt, r.Note = ev.Pickup, ev.Destination, ev.PickupAt, ev.Note
	r.CustomerName, r.CustomerPhone = ev.CustomerName, ev.CustomerPhone
	r.PickupKey = pickupKey(r.PickupAt, r.CreatedAt)
}

// OnOrderCanceled cancels the reservation from any state, or creates it as a CANCELED tombstone so a late
// OrderPlaced creates nothing. The order refuses a cancel once it knows of the pickup; a cancel that raced
// the pickup was refunded, so it cancels a PICKED_UP (or COMPLETED) ride too.
func OnOrderCanceled(cur *Reservation, ev *contracts.OrderCanceled, now time.Time) Step {
	if cur == nil {
		next := newReservation(ev.OrderID, ev.CustomerID, "", StatusCanceled, ev.CorrelationID, now)
		return Step{Next: &next}
	}
	if cur.Status == StatusCanceled {
		return Step{}
	}
	next := advance(*cur, now)
	next.Status = StatusCanceled
	return Step{Next: &next}
}

// OnTaxiAssigned confirms the reservation when the assignment answers its current attempt. On a CANCELED
// reservation the confirm raced the cancel; the ReservationCanceled of the cancel's write makes the taxi
// context release the unit, whichever of the two it handles first.
func OnTaxiAssigned(cur *Reservation, ev *contracts.TaxiAssigned, now time.Time) Step {
	switch {
	case cur == nil:
		return Step{}
	case cur.Status == StatusAssigning && cur.AssignAttempt == ev.Attempt:
		next := advance(*cur, now)
		next.Status = StatusConfirmed
		next.TaxiID = ev.TaxiID
		next.TaxiName = ev.TaxiName
		next.DriverID = ev.DriverID
		return Step{Next: &next}
	}
	return Step{} // stale attempt, already CONFIRMED, or CANCELED
}

// OnTaxiAssignmentRejected sends the reservation back to REQUESTED when the rejection answers its current
// attempt, keeping the reason for the manager.
func OnTaxiAssignmentRejected(cur *Reservation, ev *contracts.TaxiAssignmentRejected, now time.Time) Step {
	if cur == nil || cur.Status != StatusAssigning || cur.AssignAttempt != ev.Attempt {
		return Step{}
	}
	next := advance(*cur, now)
	next.Status = StatusRequested
	next.RejectReason = ev.Reason
	next.TaxiID = ""
	next.TaxiName = ""
	next.DriverID = ""
	return Step{Next: &next}
}

// OnTaxiReleased records that the taxi held for a cancelled reservation is free again.
func OnTaxiReleased(cur *Reservation, _ *contracts.TaxiReleased, now time.Time) Step {
	if cur == nil || cur.Status != StatusCanceled || cur.TaxiReleased {
		return Step{}
	}
	next := advance(*cur, now)
	next.TaxiReleased = true
	return Step{Next: &next}
}

// Confirm is a manager's REQUESTED → ASSIGNING with a taxi. Repeating it with the same taxi while
// ASSIGNING changes nothing and succeeds; any other state is a conflict.
func Confirm(cur *Reservation, id, taxiID string, now time.Time) (Step, error) {
	if cur == nil {
		return Step{}, apperr.NotFound("reservation", id)
	}
	switch {
	case cur.Status == StatusRequested:
		next := advance(*cur, now)
		next.Status = StatusAssigning
		next.TaxiID = taxiID
		next.TaxiName = ""
		next.AssignAttempt++
		next.RejectReason = ""
		return Step{Next: &next}, nil
	case cur.Status == StatusAssigning && cur.TaxiID == taxiID:
		return Step{}, nil
	case cur.Status == StatusAssigning:
		return Step{}, apperr.Conflict("reservation %s is ASSIGNING to taxi %s", id, cur.TaxiID)
	}
	return Step{}, apperr.Conflict("reservation %s is %s", id, cur.Status)
}

// PickUp is the assigned driver's CONFIRMED → PICKED_UP. Repeating it changes nothing and succeeds.
func PickUp(cur *Reservation, id, driverID string, now time.Time) (Step, error) {
	if err := driverOf(cur, id, driverID); err != nil {
		return Step{}, err
	}
	switch cur.Status {
	case StatusConfirmed:
		next := advance(*cur, now)
		next.Status = StatusPickedUp
		next.PickedUpAt = next.UpdatedAt
		return Step{Next: &next}, nil
	case StatusPickedUp:
		return Step{}, nil
	}
	return Step{}, apperr.Conflict("reservation %s is %s and cannot be picked up", id, cur.Status)
}

// Complete is the assigned driver's PICKED_UP → COMPLETED; the taxi is given back from its event.
// Repeating it changes nothing and succeeds.
func Complete(cur *Reservation, id, driverID string, now time.Time) (Step, error) {
	if err := driverOf(cur, id, driverID); err != nil {
		return Step{}, err
	}
	switch cur.Status {
	case StatusPickedUp:
		next := advance(*cur, now)
		next.Status = StatusCompleted
		next.CompletedAt = next.UpdatedAt
		return Step{Next: &next}, nil
	case StatusCompleted:
		return Step{}, nil
	}
	return Step{}, apperr.Conflict("reservation %s is %s and cannot be completed", id, cur.Status)
}

// driverOf allows only the driver who registered the assigned taxi.
func driverOf(cur *Reservation, id, driverID string) error {
	if cur == nil {
		return apperr.NotFound("reservation", id)
	}
	if cur.DriverID == "" || cur.DriverID != driverID {
		return apperr.Forbidden("only the driver of the taxi assigned to reservation " + id + " may do this")
	}
	return nil
}
