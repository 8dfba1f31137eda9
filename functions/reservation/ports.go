package main

import (
	"context"
	"errors"

	"github.com/calltaxi/call-taxi/shared/bus"
)

// ErrVersionConflict means the row changed (or appeared) since it was read: read it again and decide again.
var ErrVersionConflict = errors.New("reservation changed since it was read")

// Store keeps reservations.
type Store interface {
	// Get returns the reservation, or nil when there is none.
	Get(ctx context.Context, id string) (*Reservation, error)
	// Save writes r as version r.Version: a new row when it is 1, else only over version r.Version-1.
	Save(ctx context.Context, r Reservation) error
	// ListByStatus returns up to limit reservations in the status, newest first.
	ListByStatus(ctx context.Context, status string, limit int) ([]Reservation, error)
}

// Publisher is the event bus port.
type Publisher = bus.Publisher
