package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/calltaxi/call-taxi/shared/apperr"
	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/logging"
)

// maxDecisions bounds the read-decide-write loop when concurrent writers keep winning.
const maxDecisions = 5

// Service holds the reservation use cases. It only writes the Reservations table: the events a write
// means are published from the table's stream (outbox.go), so a write and its event never part.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService returns the service.
func NewService(store Store) *Service {
	return &Service{store: store, now: time.Now}
}

// apply reads the row, decides and writes conditionally; a lost race re-reads and decides again, so
// nothing is ever overwritten blindly. It returns the row as it now stands.
func (s *Service) apply(ctx context.Context, id string, decide func(cur *Reservation) (Step, error)) (*Reservation, error) {
	for range maxDecisions {
		cur, err := s.store.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		step, err := decide(cur)
		if err != nil {
			return cur, err
		}
		result := cur
		if step.Next != nil {
			if err := s.store.Save(ctx, *step.Next); err != nil {
				if errors.Is(err, ErrVersionConflict) {
					logging.From(ctx).Info("reservation changed concurrently, deciding again", "reservationId", id)
					continue
				}
				return nil, err
			}
			result = step.Next
			logging.From(ctx).Info("reservation written", "reservationId", id, "status", result.Status, "version", result.Version)
		}
		return result, nil
	}
	return nil, fmt.Errorf("reservation %s: still conflicting after %d attempts: %w", id, maxDecisions, ErrVersionConflict)
}

func (s *Service) PaymentApproved(ctx context.Context, ev *contracts.PaymentApproved) error {
	_, err := s.apply(ctx, ReservationID(ev.OrderID), func(cur *Reservation) (Step, error) {
		return OnPaymentApproved(cur, ev, s.now()), nil
	})
	return err
}

func (s *Service) OrderCanceled(ctx context.Context, ev *contracts.OrderCanceled) error {
	_, err := s.apply(ctx, ReservationID(ev.OrderID), func(cur *Reservation) (Step, error) {
		return OnOrderCanceled(cur, ev, s.now()), nil
	})
	return err
}

func (s *Service) TaxiAssigned(ctx context.Context, ev *contracts.TaxiAssigned) error {
	_, err := s.apply(ctx, ev.ReservationID, func(cur *Reservation) (Step, error) {
		return OnTaxiAssigned(cur, ev, s.now()), nil
	})
	return err
}

func (s *Service) TaxiAssignmentRejected(ctx context.Context, ev *contracts.TaxiAssignmentRejected) error {
	_, err := s.apply(ctx, ev.ReservationID, func(cur *Reservation) (Step, error) {
		return OnTaxiAssignmentRejected(cur, ev, s.now()), nil
	})
	return err
}

func (s *Service) TaxiReleased(ctx context.Context, ev *contracts.TaxiReleased) error {
	_, err := s.apply(ctx, ev.ReservationID, func(cur *Reservation) (Step, error) {
		return OnTaxiReleased(cur, ev, s.now()), nil
	})
	return err
}

// Confirm assigns a taxi to a REQUESTED reservation (see domain Confirm); ReservationConfirmed follows
// the write through the table's stream.
func (s *Service) Confirm(ctx context.Context, id, taxiID string) (*Reservation, error) {
	r, err := s.apply(ctx, id, func(cur *Reservation) (Step, error) {
		return Confirm(cur, id, taxiID, s.now())
	})
	switch {
	case errors.Is(err, ErrVersionConflict):
		return nil, apperr.Conflict("reservation %s is being changed concurrently, retry", id)
	case err != nil:
		return nil, err
	}
	return r, nil
}

// Get returns one reservation.
func (s *Service) Get(ctx context.Context, id string) (*Reservation, error) {
	r, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, apperr.NotFound("reservation", id)
	}
	return r, nil
}

// List returns reservations in a status, newest first.
func (s *Service) List(ctx context.Context, status string, limit int) ([]Reservation, error) {
	return s.store.ListByStatus(ctx, status, limit)
}
