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
	// ListByStatus returns up to limit reservations in the status by pickup key (as soon as possible
	// first); with from and to (UTC times, inclusive), only those whose pickup time (or creation, for as
	// soon as possible) is within them.
	ListByStatus(ctx context.Context, status, from, to string, limit int) ([]Reservation, error)
	// ListByDriver returns up to limit reservations ever assigned to the driver's taxis, by pickup key.
	ListByDriver(ctx context.Context, driverID string, limit int) ([]Reservation, error)
}

// Publisher is the event bus port.
type Publisher = bus.Publisher
