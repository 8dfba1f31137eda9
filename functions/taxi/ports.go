package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/calltaxi/call-taxi/shared/bus"
)

var (
	// ErrVersionConflict means the row changed since it was read: read it again and decide again.
	ErrVersionConflict = errors.New("changed since it was read")
	// ErrAssignmentExists means the reservation already has an assignment row that holds or held a unit.
	ErrAssignmentExists = errors.New("assignment already exists")
)

// AssignRefusedError says which conditions of the assignment transaction failed. When DynamoDB gives no
// usable cancellation reasons both are set, so the caller re-reads both rows.
type AssignRefusedError struct {
	AssignmentExists bool // the reservation already has an assignment row
	TaxiRefused      bool // the taxi is missing, of another grade, or out of stock
}

func (e *AssignRefusedError) Error() string {
	return fmt.Sprintf("assignment refused (assignment exists: %t, taxi refused: %t)", e.AssignmentExists, e.TaxiRefused)
}

// Store keeps taxis and their assignments.
type Store interface {
	CreateTaxi(ctx context.Context, t Taxi) error
	// GetTaxi returns the taxi, or nil when there is none.
	GetTaxi(ctx context.Context, id string) (*Taxi, error)
	// SaveTaxi writes t as version t.Version, only over version t.Version-1 (else ErrVersionConflict).
	SaveTaxi(ctx context.Context, t Taxi) error
	// ListTaxis returns the taxis of a grade, or all of them when grade is "".
	ListTaxis(ctx context.Context, grade string) ([]Taxi, error)

	// GetAssignment returns the reservation's assignment, or nil when there is none.
	GetAssignment(ctx context.Context, reservationID string) (*Assignment, error)
	// Assign atomically writes the ASSIGNED row and takes one unit of the taxi's stock, provided the
	// reservation has no row or a REJECTED one of an earlier attempt, and the taxi exists, has that
	// grade and has stock (else *AssignRefusedError).
	Assign(ctx context.Context, a Assignment, grade string) error
	// Reject records that attempt a.Attempt is rejected (a.RejectedTaxiID, a.RejectReason): a new
	// REJECTED row, or the rejection on a row that holds nothing and answered only earlier attempts
	// (else ErrVersionConflict).
	Reject(ctx context.Context, a Assignment) error
	// Reanswer moves the attempt of an ASSIGNED row still at a.Attempt to attempt (else
	// ErrVersionConflict): the unit held answers the reservation's newer attempt.
	Reanswer(ctx context.Context, a Assignment, attempt int, at string) error
	// CancelUnassigned makes the row a CANCELED tombstone when it holds nothing (absent or REJECTED),
	// else ErrAssignmentExists.
	CancelUnassigned(ctx context.Context, a Assignment) error
	// Release atomically marks an ASSIGNED row RELEASED and returns the unit to the taxi's stock
	// (ErrVersionConflict when the row is no longer ASSIGNED).
	Release(ctx context.Context, a Assignment, at string) error
	// Complete atomically marks an ASSIGNED row COMPLETED and returns the unit to the taxi's stock
	// (ErrVersionConflict when the row is no longer ASSIGNED).
	Complete(ctx context.Context, a Assignment, at string) error
}

// Publisher is the event bus port.
type Publisher = bus.Publisher
