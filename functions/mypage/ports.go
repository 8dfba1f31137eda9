package main

import (
	"context"
	"errors"
)

// ErrConflict means the view row changed since it was read (another stream mapping wrote it).
var ErrConflict = errors.New("mypage view changed concurrently")

// Store keeps the view rows.
type Store interface {
	// Get reads a row with a consistent read; found is false when there is none.
	Get(ctx context.Context, orderID string) (view View, found bool, err error)
	// Save writes the row if its stored rev is still expectedRev (0: the row must not exist yet);
	// otherwise it returns ErrConflict.
	Save(ctx context.Context, view View, expectedRev int64) error
	// ListByCustomer returns up to limit bookings (status != "") of a customer, newest first.
	ListByCustomer(ctx context.Context, customerID string, limit int) ([]View, error)
}
