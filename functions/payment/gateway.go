package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// httpGatewayTimeout bounds one gateway call below the payment function's 10 s timeout.
const httpGatewayTimeout = 8 * time.Second

// NewGateway picks the gateway PAYMENT_GATEWAY_URL names: "simulated://" or an http(s) base URL.
func NewGateway(rawURL string, latency time.Duration) (Gateway, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("payment gateway url: %w", err)
	}
	switch u.Scheme {
	case "simulated":
		return &SimulatedGateway{Latency: latency}, nil
	case "http", "https":
		return &HTTPGateway{BaseURL: strings.TrimSuffix(rawURL, "/"), Client: &http.Client{Timeout: httpGatewayTimeout}}, nil
	default:
		return nil, fmt.Errorf("payment gateway url %q: scheme must be simulated, http or https", rawURL)
	}
}

// SimulatedGateway is a card processor in memory, deterministic by card number. Test cards:
//
//	4000000000000002  declined "card_declined"
//	4000000000009995  declined "insufficient_funds"
//	4000000000000069  declined "expired_card"
//	any other valid card approves
//
// Like a real gateway it answers a repeated idempotency key with the first outcome (per instance). Each
// call sleeps Latency first, giving up when ctx ends.
type SimulatedGateway struct {
	Latency time.Duration

	mu      sync.Mutex
	charges map[string]Outcome
	refunds map[string]int64
}

var _ Gateway = (*SimulatedGateway)(nil)

// simulatedDeclines are the test cards that decline, with their reasons.
var simulatedDeclines = map[string]string{
	"4000000000000002": "card_declined",
	"4000000000009995": "insufficient_funds",
	"4000000000000069": "expired_card",
}

// Charge implements Gateway.
func (g *SimulatedGateway) Charge(ctx context.Context, req ChargeRequest) (Outcome, error) {
	if err := g.wait(ctx); err != nil {
		return Outcome{}, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if out, seen := g.charges[req.IdempotencyKey]; seen {
		return out, nil
	}
	out := Outcome{Approved: true}
	if reason, declined := simulatedDeclines[req.CardNo]; declined {
		out = Outcome{Reason: reason}
	}
	if g.charges == nil {
		g.charges = map[string]Outcome{}
	}
	g.charges[req.IdempotencyKey] = out
	return out, nil
}

// Refund implements Gateway; refunding the same key again is a no-op.
func (g *SimulatedGateway) Refund(ctx context.Context, key string, amount int64) error {
	if err := g.wait(ctx); err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.refunds == nil {
		g.refunds = map[string]int64{}
	}
	g.refunds[key] = amount
	return nil
}

// Approvals counts the distinct charges this gateway approved.
func (g *SimulatedGateway) Approvals() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, out := range g.charges {
		if out.Approved {
			n++
		}
	}
	return n
}

// Refunded counts the distinct refunds this gateway made.
func (g *SimulatedGateway) Refunded() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.refunds)
}

func (g *SimulatedGateway) wait(ctx context.Context) error {
	if g.Latency <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(g.Latency)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("simulated gateway: %w", ctx.Err())
	}
}
