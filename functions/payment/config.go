package main

import (
	"context"
	"fmt"
	"time"

	"github.com/calltaxi/call-taxi/shared/runtimeconfig"
)

// ParameterGateway is the gateway whose URL a Parameter Store parameter holds
// (PAYMENT_GATEWAY_URL_PARAMETER). It is rebuilt only when the URL changes, so the simulated gateway keeps
// its idempotency memory and the HTTP client its connections; an invalid new URL keeps the last good one.
type ParameterGateway struct {
	current *runtimeconfig.Value[Gateway]
}

var _ Gateway = (*ParameterGateway)(nil)

// NewParameterGateway reads the gateway URL from the parameter name through r; latency is the simulated
// gateway's.
func NewParameterGateway(r *runtimeconfig.Reader, name string, latency time.Duration) *ParameterGateway {
	return &ParameterGateway{current: runtimeconfig.NewValue(r, name, func(url string) (Gateway, error) {
		return NewGateway(url, latency)
	})}
}

// Charge implements Gateway.
func (g *ParameterGateway) Charge(ctx context.Context, req ChargeRequest) (Outcome, error) {
	gw, err := g.current.Get(ctx)
	if err != nil {
		return Outcome{}, fmt.Errorf("payment gateway: %w", err)
	}
	return gw.Charge(ctx, req)
}

// Refund implements Gateway.
func (g *ParameterGateway) Refund(ctx context.Context, key string, amount int64) error {
	gw, err := g.current.Get(ctx)
	if err != nil {
		return fmt.Errorf("payment gateway: %w", err)
	}
	return gw.Refund(ctx, key, amount)
}
