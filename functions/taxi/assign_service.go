package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/metrics"
)

// ReservationConfirmed holds one unit of the taxi for the reservation, or says why it cannot. Every
// replay ends in the same answer: an existing assignment is republished, so a publish lost after the
// transaction is repaired when the queue redelivers the message.
func (s *Service) ReservationConfirmed(ctx context.Context, ev *contracts.ReservationConfirmed) error {
	for range maxDecisions {
		taxi, err := s.store.GetTaxi(ctx, ev.TaxiID)
		if err != nil {
			return err
		}
		name := ""
		if taxi != nil {
			name = taxi.TaxiName // names never change, so the one read here is the one held
		}
		a := newAssignment(ev.ReservationID, ev.TaxiID, name, AssignmentAssigned, ev.Attempt, s.now())
		err = s.store.Assign(ctx, a, ev.OrderType)
		if err == nil {
			logging.From(ctx).Info("taxi assigned", "reservationId", a.ReservationID, "taxiId", a.TaxiID, "attempt", a.Attempt)
			s.metrics.Count(metrics.TaxisAssigned, 1)
			return s.publishAssigned(ctx, a, a.Attempt)
		}
		var refused *AssignRefusedError
		if !errors.As(err, &refused) {
			return err
		}
		if refused.AssignmentExists {
			existing, err := s.store.GetAssignment(ctx, ev.ReservationID)
			if err != nil {
				return err
			}
			if existing != nil {
				return s.answerExisting(ctx, ev, *existing)
			}
		}
		if refused.TaxiRefused {
			taxi, err := s.store.GetTaxi(ctx, ev.TaxiID)
			if err != nil {
				return err
			}
			if reason, ok := RefusalReason(taxi, ev.OrderType); ok {
				return s.publishRejected(ctx, ev, reason)
			}
		}
		// Neither row explains the refusal any more (a release or a driver's restock landed meanwhile).
		logging.From(ctx).Info("assignment refused by a state that has since changed, deciding again", "reservationId", ev.ReservationID)
	}
	return fmt.Errorf("assign taxi %s to %s: no stable decision after %d attempts", ev.TaxiID, ev.ReservationID, maxDecisions)
}

// answerExisting replies to a confirm for a reservation that already has an assignment row.
func (s *Service) answerExisting(ctx context.Context, ev *contracts.ReservationConfirmed, existing Assignment) error {
	if existing.Status != AssignmentAssigned {
		return s.publishRejected(ctx, ev, ReasonReservationCanceled)
	}
	// A newer attempt than the one held can only follow a stale rejection of the held attempt (a
	// duplicate confirm that found no stock, then a redelivery that did). The unit is really held, so
	// answer the reservation's current attempt with it rather than leave the reservation ASSIGNING forever.
	attempt := max(existing.Attempt, ev.Attempt)
	logging.From(ctx).Info("assignment already held, republishing", "reservationId", existing.ReservationID, "taxiId", existing.TaxiID, "heldAttempt", existing.Attempt, "attempt", attempt)
	return s.publishAssigned(ctx, existing, attempt)
}

func (s *Service) publishAssigned(ctx context.Context, a Assignment, attempt int) error {
	ev := &contracts.TaxiAssigned{ReservationID: a.ReservationID, TaxiID: a.TaxiID, TaxiName: a.TaxiName, Attempt: attempt}
	if err := s.bus.Publish(ctx, ev); err != nil {
		return publishError(ev.EventName(), err)
	}
	return nil
}

func (s *Service) publishRejected(ctx context.Context, confirmed *contracts.ReservationConfirmed, reason string) error {
	logging.From(ctx).Info("taxi assignment rejected", "reservationId", confirmed.ReservationID, "taxiId", confirmed.TaxiID, "attempt", confirmed.Attempt, "reason", reason)
	ev := &contracts.TaxiAssignmentRejected{ReservationID: confirmed.ReservationID, TaxiID: confirmed.TaxiID, Attempt: confirmed.Attempt, Reason: reason}
	if err := s.bus.Publish(ctx, ev); err != nil {
		return publishError(ev.EventName(), err)
	}
	return nil
}

// ReservationCanceled gives back whatever the reservation holds. With nothing held it leaves a CANCELED
// tombstone, so a confirm arriving later is rejected and holds nothing.
func (s *Service) ReservationCanceled(ctx context.Context, ev *contracts.ReservationCanceled) error {
	for range maxDecisions {
		tombstone := newAssignment(ev.ReservationID, "", "", AssignmentCanceled, 0, s.now())
		err := s.store.CancelUnassigned(ctx, tombstone)
		if err == nil {
			logging.From(ctx).Info("reservation canceled before any assignment", "reservationId", ev.ReservationID)
			return nil
		}
		if !errors.Is(err, ErrAssignmentExists) {
			return err
		}
		existing, err := s.store.GetAssignment(ctx, ev.ReservationID)
		if err != nil {
			return err
		}
		if existing == nil {
			continue
		}
		switch existing.Status {
		case AssignmentCanceled:
			return nil
		case AssignmentReleased:
			return s.publishReleased(ctx, *existing)
		}
		err = s.store.Release(ctx, *existing, stamp(s.now()))
		if errors.Is(err, ErrVersionConflict) {
			continue
		}
		if err != nil {
			return err
		}
		logging.From(ctx).Info("taxi released", "reservationId", existing.ReservationID, "taxiId", existing.TaxiID)
		return s.publishReleased(ctx, *existing)
	}
	return fmt.Errorf("cancel assignment %s: no stable decision after %d attempts", ev.ReservationID, maxDecisions)
}

func (s *Service) publishReleased(ctx context.Context, a Assignment) error {
	ev := &contracts.TaxiReleased{ReservationID: a.ReservationID, TaxiID: a.TaxiID}
	if err := s.bus.Publish(ctx, ev); err != nil {
		return publishError(ev.EventName(), err)
	}
	return nil
}
