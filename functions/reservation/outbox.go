package main

import (
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/streamrec"
)

// errMalformedRecord marks a Reservations stream record the outbox cannot read.
var errMalformedRecord = errors.New("malformed reservations stream record")

// deriveEvents is the Reservations table's outbox (shared/outbox): the events the transition one stream
// record holds means. It reads only the record, so every redelivery derives the same events.
func deriveEvents(rec events.DynamoDBEventRecord) ([]contracts.Event, error) {
	if rec.EventName == string(events.DynamoDBOperationTypeRemove) {
		return nil, nil
	}
	var next Reservation
	if err := streamrec.Unmarshal(rec.Change.NewImage, &next); err != nil {
		return nil, fmt.Errorf("%w: new image: %w", errMalformedRecord, err)
	}
	if next.ID == "" || next.OrderID == "" || next.Status == "" {
		return nil, fmt.Errorf("%w: new image without id, orderId or status", errMalformedRecord)
	}
	var prev *Reservation
	switch {
	case len(rec.Change.OldImage) > 0:
		prev = &Reservation{}
		if err := streamrec.Unmarshal(rec.Change.OldImage, prev); err != nil {
			return nil, fmt.Errorf("%w: old image: %w", errMalformedRecord, err)
		}
	case rec.EventName != string(events.DynamoDBOperationTypeInsert):
		// Without the old image a change cannot be told from a creation: the stream must be NEW_AND_OLD_IMAGES.
		return nil, fmt.Errorf("%w: %s of %s without its old image", errMalformedRecord, rec.EventName, next.ID)
	}
	return transitionEvents(prev, next)
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
