package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/metrics"
)

// ReservationConfirmed answers the confirm's attempt once: it holds one unit of the taxi for the
// reservation, or records why it cannot. The answer is a write to the TaxiAssignments table, and its
// event (TaxiAssigned or TaxiAssignmentRejected) follows from the table's stream, so a redelivery that
// finds the attempt answered has nothing left to do.
func (s *Service) ReservationConfirmed(ctx context.Context, ev *contracts.ReservationConfirmed) error {
	for range maxDecisions {
		done, err := s.answerConfirm(ctx, ev)
		if err != nil || done {
			return err
		}
		// The rows that refused the write do not explain the refusal any more (a release, a restock or
		// a concurrent answer landed meanwhile).
		logging.From(ctx).Info("assignment refused by a state that has since changed, deciding again", "reservationId", ev.ReservationID)
	}
	return fmt.Errorf("assign taxi %s to %s: no stable decision after %d attempts", ev.TaxiID, ev.ReservationID, maxDecisions)
}

// answerConfirm makes one decision; done is false when the state changed under it and it must decide again.
func (s *Service) answerConfirm(ctx context.Context, ev *contracts.ReservationConfirmed) (done bool, err error) {
	taxi, err := s.store.GetTaxi(ctx, ev.TaxiID)
	if err != nil {
		return false, err
	}
	name, driver := "", ""
	if taxi != nil {
		// Names and drivers never change, so the ones read here are the ones held.
		name, driver = taxi.TaxiName, taxi.DriverID
	}
	a := newAssignment(ev.ReservationID, ev.TaxiID, name, AssignmentAssigned, ev.Attempt, s.now())
	a.CorrelationID, a.DriverID = ev.CorrelationID, driver
	err = s.store.Assign(ctx, a, ev.OrderType)
	if err == nil {
		logging.From(ctx).Info("taxi assigned", "reservationId", a.ReservationID, "taxiId", a.TaxiID, "attempt", a.Attempt)
		s.metrics.Count(metrics.TaxisAssigned, 1)
		return true, nil
	}
	var refused *AssignRefusedError
	if !errors.As(err, &refused) {
		return false, err
	}
	if refused.AssignmentExists {
		existing, err := s.store.GetAssignment(ctx, ev.ReservationID)
		if err != nil {
			return false, err
		}
		if existing != nil && !assignmentOpen(existing, ev.Attempt) {
			return s.answerExisting(ctx, ev, *existing)
		}
	}
	if refused.TaxiRefused {
		taxi, err := s.store.GetTaxi(ctx, ev.TaxiID)
		if err != nil {
			return false, err
		}
		if reason, ok := RefusalReason(taxi, ev.OrderType); ok {
			return s.reject(ctx, ev, reason)
		}
	}
	return false, nil
}

// answerExisting answers a confirm for a reservation whose row refused the assignment.
func (s *Service) answerExisting(ctx context.Context, ev *contracts.ReservationConfirmed, existing Assignment) (done bool, err error) {
	switch {
	case existing.Attempt >= ev.Attempt:
		logging.From(ctx).Info("attempt already answered", "reservationId", ev.ReservationID, "attempt", ev.Attempt, "status", existing.Status, "answered", existing.Attempt)
		return true, nil
	case existing.Status == AssignmentAssigned:
		// Only a row written before rejections were recorded can hold a unit for an older attempt (a
		// duplicate confirm rejected for want of stock, then redelivered after a restock). The unit is
		// really held, so it answers the reservation's current attempt rather than leave it ASSIGNING.
		held := existing
		held.CorrelationID = ev.CorrelationID
		err := s.store.Reanswer(ctx, held, ev.Attempt, stamp(s.now()))
		if errors.Is(err, ErrVersionConflict) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		logging.From(ctx).Info("held taxi answers a newer attempt", "reservationId", ev.ReservationID, "taxiId", existing.TaxiID, "heldAttempt", existing.Attempt, "attempt", ev.Attempt)
		return true, nil
	default: // CANCELED or RELEASED: the reservation was cancelled
		return s.reject(ctx, ev, ReasonReservationCanceled)
	}
}

func (s *Service) reject(ctx context.Context, ev *contracts.ReservationConfirmed, reason string) (done bool, err error) {
	r := newAssignment(ev.ReservationID, "", "", AssignmentRejected, ev.Attempt, s.now())
	r.RejectedTaxiID, r.RejectReason, r.CorrelationID = ev.TaxiID, reason, ev.CorrelationID
	err = s.store.Reject(ctx, r)
	if errors.Is(err, ErrVersionConflict) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	logging.From(ctx).Info("taxi assignment rejected", "reservationId", ev.ReservationID, "taxiId", ev.TaxiID, "attempt", ev.Attempt, "reason", reason)
	return true, nil
}

// ReservationCanceled gives back whatever the reservation holds. With nothing held it leaves a CANCELED
// tombstone, so a confirm arriving later is rejected and holds nothing. TaxiReleased follows a release
// from the table's stream.
func (s *Service) ReservationCanceled(ctx context.Context, ev *contracts.ReservationCanceled) error {
	for range maxDecisions {
		tombstone := newAssignment(ev.ReservationID, "", "", AssignmentCanceled, 0, s.now())
		tombstone.CorrelationID = ev.CorrelationID
		err := s.store.CancelUnassigned(ctx, tombstone)
		if err == nil {
			logging.From(ctx).Info("reservation canceled with no taxi held", "reservationId", ev.ReservationID)
			return nil
		}
		if !errors.Is(err, ErrAssignmentExists) {
			return err
		}
		existing, err := s.store.GetAssignment(ctx, ev.ReservationID)
		if err != nil {
			return err
		}
		if existing == nil || existing.Status == AssignmentRejected {
			continue // changed since the write was refused
		}
		if existing.Status != AssignmentAssigned {
			return nil // CANCELED, RELEASED or COMPLETED already
		}
		held := *existing
		held.CorrelationID = ev.CorrelationID
		err = s.store.Release(ctx, held, stamp(s.now()))
		if errors.Is(err, ErrVersionConflict) {
			continue
		}
		if err != nil {
			return err
		}
		logging.From(ctx).Info("taxi released", "reservationId", existing.ReservationID, "taxiId", existing.TaxiID)
		return nil
	}
	return fmt.Errorf("cancel assignment %s: no stable decision after %d attempts", ev.ReservationID, maxDecisions)
}

// ReservationCompleted gives back the unit the finished ride held: ASSIGNED → COMPLETED with the taxi's
// stock +1 in one transaction, so a duplicate or late delivery finds the row COMPLETED and gives nothing
// back twice.
func (s *Service) ReservationCompleted(ctx context.Context, ev *contracts.ReservationCompleted) error {
	for range maxDecisions {
		existing, err := s.store.GetAssignment(ctx, ev.ReservationID)
		if err != nil {
			return err
		}
		if existing == nil || existing.Status != AssignmentAssigned {
			status := ""
			if existing != nil {
				status = existing.Status
			}
			logging.From(ctx).Info("completed ride holds no taxi", "reservationId", ev.ReservationID, "status", status)
			return nil
		}
		held := *existing
		held.CorrelationID = ev.CorrelationID
		err = s.store.Complete(ctx, held, stamp(s.now()))
		if errors.Is(err, ErrVersionConflict) {
			continue
		}
		if err != nil {
			return err
		}
		logging.From(ctx).Info("taxi given back by a completed ride", "reservationId", ev.ReservationID, "taxiId", held.TaxiID)
		return nil
	}
	return fmt.Errorf("complete assignment %s: no stable decision after %d attempts", ev.ReservationID, maxDecisions)
}
