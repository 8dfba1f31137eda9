package main

import (
	"context"
	"errors"
	"time"
)

// Store errors.
var (
	ErrPaymentExists   = errors.New("payment already exists")
	ErrPaymentNotFound = errors.New("payment not found")
	ErrWrongState      = errors.New("payment is not in the expected state")
)

// Store keeps payments; every state change is conditional on the state it leaves.
type Store interface {
	Create(ctx context.Context, p Payment) error
	Get(ctx context.Context, id string) (Payment, error)
	// Transition moves a payment from → to (declineReason is kept when non-empty), bumping its version.
	Transition(ctx context.Context, id, from, to, declineReason string, at time.Time) (Payment, error)
	ListByOrder(ctx context.Context, orderID string) ([]Payment, error)
}

// ChargeRequest asks the gateway to charge a card once per IdempotencyKey.
type ChargeRequest struct {
	IdempotencyKey string
	Amount         int64
	CardNo         string
}

// Outcome is the gateway's answer to a charge.
type Outcome struct {
	Approved bool
	Reason   string
}

// Gateway is the card processor. A repeat with the same idempotency key gets the first answer; an error
// means the gateway could not answer (the caller may retry with the same key).
type Gateway interface {
	Charge(ctx context.Context, req ChargeRequest) (Outcome, error)
	Refund(ctx context.Context, key string, amount int64) error
}
