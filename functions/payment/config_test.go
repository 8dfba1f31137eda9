package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/calltaxi/call-taxi/shared/runtimeconfig"
	"github.com/calltaxi/call-taxi/shared/runtimeconfig/ssmtest"
)

const gatewayParameter = "/test/payment-gateway-url"

// The gateway follows its parameter: the same URL keeps the same gateway (the simulated one remembers
// a key's first outcome), a new URL builds a new one for the next charge, and an invalid URL keeps the
// last good gateway.
func TestParameterGatewayIsRebuiltWhenTheURLChanges(t *testing.T) {
	proc := &fakeProcessor{status: 200, answer: `{"approved":true}`}
	srv := httptest.NewServer(proc)
	defer srv.Close()
	declined := ChargeRequest{IdempotencyKey: "k-1", Amount: 3800, CardNo: "4000000000000002"}
	good := ChargeRequest{IdempotencyKey: "k-1", Amount: 3800, CardNo: "4111111111111111"}

	tests := []struct {
		name     string
		url      string // parameter value before the charge; "" = unchanged
		req      ChargeRequest
		want     Outcome
		wantHTTP int // requests the HTTP processor has received after the charge
	}{
		{"simulated declines the test card", "", declined, Outcome{Reason: "card_declined"}, 0},
		{"same URL: same gateway, same answer for the key", "", good, Outcome{Reason: "card_declined"}, 0},
		{"rewritten with the same URL: still the same gateway", "simulated://", good, Outcome{Reason: "card_declined"}, 0},
		{"an HTTP URL: the next charge goes there", srv.URL, good, Outcome{Approved: true}, 1},
		{"an invalid URL keeps the last good gateway", "ftp://nowhere", good, Outcome{Approved: true}, 2},
		{"back to simulated: a new simulator", "simulated://", good, Outcome{Approved: true}, 2},
	}
	store := &ssmtest.Store{}
	store.Put(gatewayParameter, "simulated://")
	g := NewParameterGateway(runtimeconfig.New(store, 0, slog.New(slog.DiscardHandler)), gatewayParameter, 0)
	for _, tt := range tests {
		if tt.url != "" {
			store.Put(gatewayParameter, tt.url)
		}
		got, err := g.Charge(context.Background(), tt.req)
		if err != nil || got != tt.want {
			t.Errorf("%s: Charge = %+v, %v; want %+v", tt.name, got, err, tt.want)
		}
		proc.mu.Lock()
		n := len(proc.requests)
		proc.mu.Unlock()
		if n != tt.wantHTTP {
			t.Errorf("%s: the HTTP processor has %d requests, want %d", tt.name, n, tt.wantHTTP)
		}
	}
}

func TestParameterGatewayWithoutAURLFails(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*ssmtest.Store)
	}{
		{"no parameter", func(*ssmtest.Store) {}},
		{"SSM failing", func(s *ssmtest.Store) {
			s.Put(gatewayParameter, "simulated://")
			s.Fail(errors.New("ThrottlingException"))
		}},
		{"invalid URL", func(s *ssmtest.Store) { s.Put(gatewayParameter, "ftp://nowhere") }},
	}
	for _, tt := range tests {
		store := &ssmtest.Store{}
		tt.setup(store)
		g := NewParameterGateway(runtimeconfig.New(store, 0, slog.New(slog.DiscardHandler)), gatewayParameter, 0)
		if _, err := g.Charge(context.Background(), ChargeRequest{IdempotencyKey: "k", Amount: 1, CardNo: "4111111111111111"}); err == nil {
			t.Errorf("%s: Charge succeeded", tt.name)
		}
		if err := g.Refund(context.Background(), "k", 1); err == nil {
			t.Errorf("%s: Refund succeeded", tt.name)
		}
	}
}
