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
	// MarkPickedUp records the pickup on a PAID order not yet picked up (else ErrWrongState).
	MarkPickedUp(ctx context.Context, id string, at time.Time) (Order, error)
	// ListPending lists orders still in the pending index that were created before createdBefore.
	ListPending(ctx context.Context, createdBefore string, limit int) ([]Order, error)
	// Park takes a PENDING_PAYMENT order with no payment out of the pending index (if still at version);
	// Unpark puts it back when its customer resumes it.
	Park(ctx context.Context, id string, version int64, at time.Time) error
	Unpark(ctx context.Context, id string, at time.Time) (Order, error)
}

// KeyedOrders writes a keyed POST /orders' first and last change of its order together with the key's
// idempotency record, each pair in one DynamoDB transaction: the order never exists without its key
// claimed, and its outcome never without the key's answer.
type KeyedOrders interface {
	// CreateClaimed writes the new order o (PENDING_PAYMENT) and claims key for it (ref o.ID) together.
	// When the key is taken nothing is written, and it answers as idempotency.Store.Begin: started with the
	// record of an abandoned attempt taken over (its Ref, not o.ID, is the order to resume, which may or may
	// not exist), or a completed record to replay, idempotency.ErrInProgress or idempotency.ErrMismatch.
	// started with Ref o.ID means o was written.
	CreateClaimed(ctx context.Context, o Order, key, fingerprint string) (idempotency.Record, bool, error)
	// MarkPaidAnswering moves the order PENDING_PAYMENT → PAID as Store.MarkPaid does and stores result as
	// key's answer, together; ErrWrongState, with nothing written, when the order is not PENDING_PAYMENT.
	MarkPaidAnswering(ctx context.Context, id string, p PaymentInfo, at time.Time, key string, result any) error
	// MarkDeclinedAnswering is MarkDeclined with key's answer, together.
	MarkDeclinedAnswering(ctx context.Context, id, reason string, at time.Time, key string, result any) error
}

// Payment invoke failures that are not business outcomes.
var (
	ErrPaymentThrottled   = errors.New("payment function throttled")
	ErrPaymentUnavailable = errors.New("payment function unavailable")
)

// Payments charges and refunds through the payment context, and reads an order's payment. Business
// outcomes (declined, invalid, not found) are results; a throttle wraps ErrPaymentThrottled and any other
// failure ErrPaymentUnavailable.
type Payments interface {
	Charge(ctx context.Context, req contracts.PaymentRequest) (contracts.PaymentResult, error)
	Refund(ctx context.Context, req contracts.PaymentRequest) (contracts.PaymentResult, error)
	Status(ctx context.Context, req contracts.PaymentRequest) (contracts.PaymentResult, error)
}

// FareConfig is the fare configuration, read for every order: it changes at run time (Parameter Store),
// without a deploy.
type FareConfig interface {
	MinTaxiPrice(ctx context.Context) (int64, error)
}

// Idempotency makes POST /orders safe to repeat with the same Idempotency-Key (shared/idempotency.Store).
type Idempotency interface {
	Begin(ctx context.Context, key, fingerprint, ref string) (idempotency.Record, bool, error)
	Complete(ctx context.Context, key string, result any) error
	Release(ctx context.Context, key string) error
}

var _ Idempotency = (*idempotency.Store)(nil)
