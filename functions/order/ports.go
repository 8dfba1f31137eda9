package main

import (
	"context"
	"errors"
	"time"

	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/idempotency"
)

// Store errors.
var (
	ErrOrderExists   = errors.New("order already exists")
	ErrOrderNotFound = errors.New("order not found")
	ErrWrongState    = errors.New("order is not in the expected state")
)

// Store keeps orders; every state change is conditional on the state it leaves.
type Store interface {
	Create(ctx context.Context, o Order) error
	Get(ctx context.Context, id string) (Order, error)
	MarkPaid(ctx context.Context, id string, p PaymentInfo, at time.Time) (Order, error)
	MarkDeclined(ctx context.Context, id, reason string, at time.Time) (Order, error)
	MarkCanceled(ctx context.Context, id string, at time.Time) (Order, error)
}

// Payment invoke failures that are not business outcomes.
var (
	ErrPaymentThrottled   = errors.New("payment function throttled")
	ErrPaymentUnavailable = errors.New("payment function unavailable")
)

// Payments charges and refunds through the payment context. Business outcomes (declined, invalid) are
// results; a throttle wraps ErrPaymentThrottled and any other failure ErrPaymentUnavailable.
type Payments interface {
	Charge(ctx context.Context, req contracts.PaymentRequest) (contracts.PaymentResult, error)
	Refund(ctx context.Context, req contracts.PaymentRequest) (contracts.PaymentResult, error)
}

// Idempotency makes POST /orders safe to repeat with the same Idempotency-Key (shared/idempotency.Store).
type Idempotency interface {
	Begin(ctx context.Context, key, fingerprint, ref string) (idempotency.Record, bool, error)
	Complete(ctx context.Context, key string, result any) error
	Release(ctx context.Context, key string) error
}

var _ Idempotency = (*idempotency.Store)(nil)
