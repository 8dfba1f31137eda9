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
// Like a real gateway it answers a repeated idempotency key with the first outcome, for the last
// simulatedKeys keys it saw (per instance; a real gateway also forgets keys, after a day or so). A
// refund has nothing to record: repeating one is a no-op. Each call sleeps Latency first, giving up when
// ctx ends.
type SimulatedGateway struct {
	Latency time.Duration

	mu      sync.Mutex
	charges map[string]Outcome
	keys    []string // ring of the keys in charges, oldest at next once full
	next    int
}

// simulatedKeys bounds the simulated gateway's memory however long an environment stays warm.
const simulatedKeys = 4096

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
	g.remember(req.IdempotencyKey, out)
	return out, nil
}

// remember keeps key's outcome, forgetting the oldest key once simulatedKeys are kept.
func (g *SimulatedGateway) remember(key string, out Outcome) {
	if g.charges == nil {
		g.charges = make(map[string]Outcome, simulatedKeys)
	}
	if len(g.keys) < simulatedKeys {
		g.keys = append(g.keys, key)
	} else {
		delete(g.charges, g.keys[g.next])
		g.keys[g.next] = key
		g.next = (g.next + 1) % simulatedKeys
	}
	g.charges[key] = out
}

// Refund implements Gateway.
func (g *SimulatedGateway) Refund(ctx context.Context, key string, amount int64) error {
	return g.wait(ctx)
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
