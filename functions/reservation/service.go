package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/calltaxi/call-taxi/shared/apperr"
	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/ddbitem"
	"github.com/calltaxi/call-taxi/shared/logging"
)

// maxDecisions bounds the read-decide-write loop when concurrent writers keep winning.
const maxDecisions = 5

// Service holds the reservation use cases. It only writes the Reservations table: the events a write
// means are published from the table's stream (outbox.go), so a write and its event never part.
type Service struct {
	store Store
	zone  *time.Location // the company's: a list's date is a day there
	now   func() time.Time
}

// NewService returns the service; zone is the company's time zone.
func NewService(store Store, zone *time.Location) *Service {
	return &Service{store: store, zone: zone, now: time.Now}
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

func (s *Service) OrderPlaced(ctx context.Context, ev *contracts.OrderPlaced) error {
	_, err := s.apply(ctx, ReservationID(ev.OrderID), func(cur *Reservation) (Step, error) {
		return OnOrderPlaced(cur, ev, s.now()), nil
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

// PickUp and Complete are the assigned driver's steps of the ride (see domain PickUp, Complete); their
// events (ReservationPickedUp, ReservationCompleted) follow the write through the table's stream.
func (s *Service) PickUp(ctx context.Context, id, driverID string) (*Reservation, error) {
	return s.driverStep(ctx, id, func(cur *Reservation) (Step, error) { return PickUp(cur, id, driverID, s.now()) })
}

func (s *Service) Complete(ctx context.Context, id, driverID string) (*Reservation, error) {
	return s.driverStep(ctx, id, func(cur *Reservation) (Step, error) { return Complete(cur, id, driverID, s.now()) })
}

func (s *Service) driverStep(ctx context.Context, id string, decide func(cur *Reservation) (Step, error)) (*Reservation, error) {
	r, err := s.apply(ctx, id, decide)
	if errors.Is(err, ErrVersionConflict) {
		return nil, apperr.Conflict("reservation %s is being changed concurrently, retry", id)
	}
	return r, err
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

// List returns up to limit reservations in a status by pickup time, as soon as possible first; with a
// date (YYYY-MM-DD, "" for any), only those picked up that day in the company's time zone (an
// as-soon-as-possible booking is picked up the day it was made).
func (s *Service) List(ctx context.Context, status, date string, limit int) ([]Reservation, error) {
	if date == "" {
		return s.store.ListByStatus(ctx, status, "", "", limit)
	}
	day, err := time.ParseInLocation(time.DateOnly, date, s.zone)
	if err != nil {
		return nil, apperr.Invalid("date", "must be a date such as 2026-01-02")
	}
	from := day.UTC().Format(ddbitem.TimeLayout)
	to := day.AddDate(0, 0, 1).Add(-time.Millisecond).UTC().Format(ddbitem.TimeLayout)
	return s.store.ListByStatus(ctx, status, from, to, limit)
}

// maxDriverRides bounds what one driver's list reads.
const maxDriverRides = 1000

// Assignments returns up to limit bookings assigned to the driver's taxis: the rides ahead (CONFIRMED,
// PICKED_UP) first by pickup time, then the finished ones, latest first.
func (s *Service) Assignments(ctx context.Context, driverID string, limit int) ([]Reservation, error) {
	rides, err := s.store.ListByDriver(ctx, driverID, maxDriverRides)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(rides, func(a, b Reservation) int {
		switch {
		case a.Active() != b.Active():
			if a.Active() {
				return -1
			}
			return 1
		case a.Active():
			return strings.Compare(a.PickupKey, b.PickupKey)
		}
		return strings.Compare(b.UpdatedAt, a.UpdatedAt)
	})
	return rides[:min(len(rides), limit)], nil
}
