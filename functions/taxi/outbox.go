package main

import (
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/outbox"
)

// errMalformedRecord marks a stream record the outbox cannot read.
var errMalformedRecord = outbox.ErrMalformedRecord

// deriveEvents is the TaxiAssignments table's outbox (shared/outbox): the answers to the reservation
// context that the change one stream record holds means. It reads only the record, so every redelivery
// derives the same events.
func deriveEvents(rec events.DynamoDBEventRecord) ([]contracts.Event, error) {
	prev, next, err := outbox.Decode[Assignment](rec)
	if err != nil || next == nil {
		return nil, err
	}
	if next.ReservationID == "" || next.Status == "" {
		return nil, fmt.Errorf("%w: new image without reservationId or status", errMalformedRecord)
	}
	return answerEvents(prev, *next)
}

// answerEvents: a unit held for a new attempt → TaxiAssigned; a rejection of a new attempt (on any row
// that holds nothing) → TaxiAssignmentRejected; ASSIGNED → RELEASED → TaxiReleased. A CANCELED
// tombstone answers nobody: the reservation it belongs to is already CANCELED; nor does ASSIGNED →
// COMPLETED: the reservation completed first.
func answerEvents(prev *Assignment, next Assignment) ([]contracts.Event, error) {
	prevAttempt, prevStatus := 0, ""
	if prev != nil {
		prevAttempt, prevStatus = prev.Attempt, prev.Status
	}
	meta := contracts.Meta{CorrelationID: next.CorrelationID}
	switch {
	case next.Status == AssignmentAssigned && (prevStatus != AssignmentAssigned || next.Attempt > prevAttempt):
		if next.TaxiID == "" || next.Attempt < 1 {
			return nil, fmt.Errorf("%w: %s is ASSIGNED without a taxi or an attempt", errMalformedRecord, next.ReservationID)
		}
		return []contracts.Event{&contracts.TaxiAssigned{
			Meta: meta, ReservationID: next.ReservationID, TaxiID: next.TaxiID, TaxiName: next.TaxiName, DriverID: next.DriverID, Attempt: next.Attempt,
		}}, nil
	case next.Status == AssignmentCompleted:
		return nil, nil
	case next.Status != AssignmentAssigned && next.Attempt > prevAttempt:
		if next.RejectReason == "" {
			return nil, fmt.Errorf("%w: attempt %d of %s answered without a reason", errMalformedRecord, next.Attempt, next.ReservationID)
		}
		return []contracts.Event{&contracts.TaxiAssignmentRejected{
			Meta: meta, ReservationID: next.ReservationID, TaxiID: next.RejectedTaxiID, Attempt: next.Attempt, Reason: next.RejectReason,
		}}, nil
	case next.Status == AssignmentReleased && prevStatus == AssignmentAssigned:
		return []contracts.Event{&contracts.TaxiReleased{Meta: meta, ReservationID: next.ReservationID, TaxiID: next.TaxiID}}, nil
	}
	return nil, nil
}
