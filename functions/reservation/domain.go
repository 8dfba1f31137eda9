package main

import (
	"time"

	"github.com/calltaxi/call-taxi/shared/apperr"
	"github.com/calltaxi/call-taxi/shared/contracts"
)

// Reservation statuses (docs/architecture.md, state machines).
const (
	StatusRequested = "REQUESTED"
	StatusAssigning = "ASSIGNING"
	StatusConfirmed = "CONFIRMED"
	StatusCanceled  = "CANCELED"
)

// entityReservation tells the mypage projection which table a stream record came from.
const entityReservation = "reservation"

// timeLayout is the contract's timestamp format: UTC, millisecond precision, sortable as a string.
const timeLayout = "2006-01-02T15:04:05.000Z"

// Reservation is one row of the Reservations table.
type Reservation struct {
	ID            string `dynamodbav:"id" json:"id"`
	Entity        string `dynamodbav:"entity" json:"entity"`
	OrderID       string `dynamodbav:"orderId" json:"orderId"`
	CustomerID    string `dynamodbav:"customerId" json:"customerId"`
	OrderType     string `dynamodbav:"orderType,omitempty" json:"orderType,omitempty"`
	Status        string `dynamodbav:"status" json:"status"`
	TaxiID        string `dynamodbav:"taxiId,omitempty" json:"taxiId,omitempty"`
	TaxiName      string `dynamodbav:"taxiName,omitempty" json:"taxiName,omitempty"`
	AssignAttempt int    `dynamodbav:"assignAttempt" json:"assignAttempt"`
	RejectReason  string `dynamodbav:"rejectReason,omitempty" json:"rejectReason,omitempty"`
	TaxiReleased  bool   `dynamodbav:"taxiReleased" json:"taxiReleased"`
	CreatedAt     string `dynamodbav:"createdAt" json:"createdAt"`
	UpdatedAt     string `dynamodbav:"updatedAt" json:"updatedAt"`
	Version       int64  `dynamodbav:"version" json:"version"`
	CorrelationID string `dynamodbav:"correlationId,omitempty" json:"correlationId,omitempty"`
}

// ReservationID is the reservation's key for an order.
func ReservationID(orderID string) string { return "rsv-" + orderID }

// ParseStatus validates a status filter.
func ParseStatus(s string) (string, bool) {
	switch s {
	case StatusRequested, StatusAssigning, StatusConfirmed, StatusCanceled:
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
	r.UpdatedAt = now.UTC().Format(timeLayout)
	return r
}

func newReservation(orderID, customerID, orderType, status, correlationID string, now time.Time) Reservation {
	at := now.UTC().Format(timeLayout)
	return Reservation{
		ID: ReservationID(orderID), Entity: entityReservation, OrderID: orderID, CustomerID: customerID,
		OrderType: orderType, Status: status, CreatedAt: at, UpdatedAt: at, Version: 1, CorrelationID: correlationID,
	}
}

// OnPaymentApproved creates the reservation REQUESTED; any existing row (a replay, a CANCELED tombstone,
// or a reservation already under way) is left alone.
func OnPaymentApproved(cur *Reservation, ev *contracts.PaymentApproved, now time.Time) Step {
	if cur != nil {
		return Step{}
	}
	next := newReservation(ev.OrderID, ev.CustomerID, ev.OrderType, StatusRequested, ev.CorrelationID, now)
	return Step{Next: &next}
}

// OnOrderCanceled cancels the reservation from any state, or creates it as a CANCELED tombstone so a late
// PaymentApproved creates nothing.
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
