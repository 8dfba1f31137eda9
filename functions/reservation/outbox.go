package main

import (
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/outbox"
)

// errMalformedRecord marks a stream record the outbox cannot read.
var errMalformedRecord = outbox.ErrMalformedRecord

// deriveEvents is the Reservations table's outbox (shared/outbox): the events the transition one stream
// record holds means. It reads only the record, so every redelivery derives the same events.
func deriveEvents(rec events.DynamoDBEventRecord) ([]contracts.Event, error) {
	prev, next, err := outbox.Decode[Reservation](rec)
	if err != nil || next == nil {
		return nil, err
	}
	if next.ID == "" || next.OrderID == "" || next.Status == "" {
		return nil, fmt.Errorf("%w: new image without id, orderId or status", errMalformedRecord)
	}
	return transitionEvents(prev, *next)
}

// transitionEvents: created REQUESTED → ReservationRequested; a new assign attempt (the manager's
// confirm, → ASSIGNING) → ReservationConfirmed; entering PICKED_UP → ReservationPickedUp (order refuses a
// cancel from then on); entering COMPLETED → ReservationCompleted (the taxi is given back); entering
// CANCELED (a tombstone too) → ReservationCanceled.
// Other transitions (→ CONFIRMED, a rejection back to REQUESTED, the taxi's release) are the answers of
// the taxi context and concern nobody else.
func transitionEvents(prev *Reservation, next Reservation) ([]contracts.Event, error) {
	var evs []contracts.Event
	if prev == nil && next.Status == StatusRequested {
		evs = append(evs, &contracts.ReservationRequested{
			Meta:          contracts.Meta{CorrelationID: next.CorrelationID},
			ReservationID: next.ID, OrderID: next.OrderID, CustomerID: next.CustomerID, OrderType: next.OrderType,
		})
	}
	if next.Status == StatusAssigning && (prev == nil || next.AssignAttempt > prev.AssignAttempt) {
		if next.TaxiID == "" || next.AssignAttempt < 1 {
			return nil, fmt.Errorf("%w: %s is ASSIGNING without a taxi or an attempt", errMalformedRecord, next.ID)
		}
		evs = append(evs, &contracts.ReservationConfirmed{
			Meta:          contracts.Meta{CorrelationID: next.CorrelationID},
			ReservationID: next.ID, OrderID: next.OrderID, OrderType: next.OrderType, TaxiID: next.TaxiID, Attempt: next.AssignAttempt,
		})
	}
	entered := func(status string) bool { return next.Status == status && (prev == nil || prev.Status != status) }
	if entered(StatusPickedUp) {
		evs = append(evs, &contracts.ReservationPickedUp{
			Meta:          contracts.Meta{CorrelationID: next.CorrelationID},
			ReservationID: next.ID, OrderID: next.OrderID, TaxiID: next.TaxiID,
		})
	}
	if entered(StatusCompleted) {
		if next.TaxiID == "" {
			return nil, fmt.Errorf("%w: %s is COMPLETED without a taxi", errMalformedRecord, next.ID)
		}
		evs = append(evs, &contracts.ReservationCompleted{
			Meta:          contracts.Meta{CorrelationID: next.CorrelationID},
			ReservationID: next.ID, OrderID: next.OrderID, TaxiID: next.TaxiID,
		})
	}
	if entered(StatusCanceled) {
		evs = append(evs, &contracts.ReservationCanceled{
			Meta:          contracts.Meta{CorrelationID: next.CorrelationID},
			ReservationID: next.ID, OrderID: next.OrderID,
		})
	}
	return evs, nil
}
