package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/calltaxi/call-taxi/shared/apperr"
)

// maxMergeAttempts bounds the re-read + re-merge loop; the three stream mappings are the only writers, so
// a record meets at most two concurrent writes per round.
const maxMergeAttempts = 8

// List limits.
const (
	DefaultListLimit = 50
	MaxListLimit     = 100
)

// Service holds the mypage use cases.
type Service struct {
	store Store
	zone  *time.Location // the company's, for the pickup time texts name; nil = UTC
}

// NewService returns the service over store.
func NewService(store Store, zone *time.Location) *Service {
	return &Service{store: store, zone: zone}
}

// Project merges one source record into its order's view. It reports whether the view changed; a stale
// or duplicate record changes nothing.
func (s *Service) Project(ctx context.Context, src SourceRecord, at string) (bool, error) {
	for attempt := 0; attempt < maxMergeAttempts; attempt++ {
		view, found, err := s.store.Get(ctx, src.OrderID)
		if err != nil {
			return false, err
		}
		if !found {
			view = NewView(src.OrderID)
		}
		if !view.Apply(src, at) {
			return false, nil
		}
		view.PickupLocal = localPickup(view.PickupAt, s.location())
		expected := view.Rev
		view.Rev++
		err = s.store.Save(ctx, view, expected)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return false, err
		}
		return true, nil
	}
	return false, fmt.Errorf("merge %s into view %s: %w after %d attempts", src.Entity, src.OrderID, ErrConflict, maxMergeAttempts)
}

func (s *Service) location() *time.Location {
	if s.zone == nil {
		return time.UTC
	}
	return s.zone
}

// List returns a customer's bookings, newest first.
func (s *Service) List(ctx context.Context, customerID string, limit int) ([]View, error) {
	return s.store.ListByCustomer(ctx, customerID, limit)
}

// Get returns one booking of the owner ("" for any owner's). Another owner's booking, like a missing or
// unpaid order, is not found, so order ids of other customers cannot be probed.
func (s *Service) Get(ctx context.Context, owner, orderID string) (View, error) {
	view, found, err := s.store.Get(ctx, orderID)
	if err != nil {
		return View{}, err
	}
	visible := found && view.IsBooking() && (owner == "" || view.CustomerID == owner)
	if !visible {
		return View{}, apperr.NotFound("booking", orderID)
	}
	return view, nil
}
