package main

import (
	"context"

	"github.com/calltaxi/call-taxi/shared/idempotency"
)

// SMS sends one text message to a phone number in E.164 form.
type SMS interface {
	Send(ctx context.Context, phone, text string) error
}

// Claims records which messages were sent, so a replayed stream record sends nothing twice.
type Claims interface {
	Begin(ctx context.Context, key, fingerprint, ref string) (idempotency.Record, bool, error)
	Complete(ctx context.Context, key string, result any) error
	Release(ctx context.Context, key string) error
}

var _ Claims = (*idempotency.Store)(nil)
