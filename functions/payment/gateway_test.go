package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSimulatedGatewayTestCards(t *testing.T) {
	tests := []struct {
		card string
		want Outcome
	}{
		{"4111111111111111", Outcome{Approved: true}},
		{"5555555555554444", Outcome{Approved: true}},
		{"4000000000000002", Outcome{Reason: "card_declined"}},
		{"4000000000009995", Outcome{Reason: "insufficient_funds"}},
		{"4000000000000069", Outcome{Reason: "expired_card"}},
	}
	g := &SimulatedGateway{}
	for _, tt := range tests {
		got, err := g.Charge(context.Background(), ChargeRequest{IdempotencyKey: "k-" + tt.card, Amount: 3800, CardNo: tt.card})
		if err != nil || got != tt.want {
			t.Errorf("Charge(%s) = %+v, %v; want %+v", tt.card, got, err, tt.want)
		}
	}
}

func TestSimulatedGatewayDedupesByKey(t *testing.T) {
	g := &SimulatedGateway{}
	first, _ := g.Charge(context.Background(), ChargeRequest{IdempotencyKey: "pay-o1", Amount: 3800, CardNo: "4111111111111111"})
	// A repeat with the same key answers the first outcome, whatever card it carries.
	again, _ := g.Charge(context.Background(), ChargeRequest{IdempotencyKey: "pay-o1", Amount: 3800, CardNo: "4000000000000002"})
	if !first.Approved || again != first {
		t.Errorf("first %+v, again %+v", first, again)
	}
	for range 2 {
		if err := g.Refund(context.Background(), "pay-o1", 3800); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSimulatedGatewayIsBounded: however many charges it sees, it keeps the last simulatedKeys keys.
func TestSimulatedGatewayIsBounded(t *testing.T) {
	g := &SimulatedGateway{}
	charge := func(i int, card string) Outcome {
		out, err := g.Charge(context.Background(), ChargeRequest{IdempotencyKey: fmt.Sprintf("pay-%d", i), Amount: 3800, CardNo: card})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for i := range 3 * simulatedKeys {
		charge(i, "4111111111111111")
	}
	if len(g.charges) != simulatedKeys || len(g.keys) != simulatedKeys {
		t.Fatalf("keeps %d outcomes and %d keys, want %d", len(g.charges), len(g.keys), simulatedKeys)
	}
	// The newest key is still answered with its first outcome; the oldest is forgotten.
	if out := charge(3*simulatedKeys-1, "4000000000000002"); !out.Approved {
		t.Errorf("a kept key answered %+v", out)
	}
	if out := charge(0, "4000000000000002"); out.Approved {
		t.Errorf("a forgotten key answered %+v", out)
	}
}

func TestSimulatedGatewayLatencyRespectsContext(t *testing.T) {
	g := &SimulatedGateway{Latency: 5 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	started := time.Now()
	if _, err := g.Charge(ctx, ChargeRequest{IdempotencyKey: "k", Amount: 1, CardNo: "4111111111111111"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
	if time.Since(started) > time.Second {
		t.Error("latency ignored the context")
	}
	g = &SimulatedGateway{Latency: 10 * time.Millisecond}
	started = time.Now()
	if err := g.Refund(context.Background(), "k", 1); err != nil || time.Since(started) < 10*time.Millisecond {
		t.Errorf("refund err %v after %v", err, time.Since(started))
	}
}

// fakeProcessor is an HTTP card processor recording what it received.
type fakeProcessor struct {
	mu       sync.Mutex
	requests []recordedRequest
	status   int
	answer   string
	delay    time.Duration
}

type recordedRequest struct {
	method, path, key string
	body              map[string]any
}

func (f *fakeProcessor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	f.mu.Lock()
	f.requests = append(f.requests, recordedRequest{r.Method, r.URL.Path, r.Header.Get("Idempotency-Key"), body})
	status, answer, delay := f.status, f.answer, f.delay
	f.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, answer)
}

func (f *fakeProcessor) first() recordedRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) == 0 {
		return recordedRequest{}
	}
	return f.requests[0]
}

func TestHTTPGatewayCharge(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		answer  string
		delay   time.Duration
		want    Outcome
		wantErr bool
	}{
		{"approved", 200, `{"approved":true}`, 0, Outcome{Approved: true}, false},
		{"declined", 200, `{"approved":false,"reason":"insufficient_funds"}`, 0, Outcome{Reason: "insufficient_funds"}, false},
		{"created", 201, `{"approved":true}`, 0, Outcome{Approved: true}, false},
		{"server error", 502, `bad gateway`, 0, Outcome{}, true},
		{"client error", 400, `{"error":"bad"}`, 0, Outcome{}, true},
		{"unreadable", 200, `<html>`, 0, Outcome{}, true},
		{"timeout", 200, `{"approved":true}`, time.Second, Outcome{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proc := &fakeProcessor{status: tt.status, answer: tt.answer, delay: tt.delay}
			srv := httptest.NewServer(proc)
			g := &HTTPGateway{BaseURL: srv.URL, Client: &http.Client{Timeout: 100 * time.Millisecond}}
			got, err := g.Charge(context.Background(), ChargeRequest{IdempotencyKey: "pay-o1", Amount: 3800, CardNo: "4111111111111111"})
			srv.Close() // waits for the handler, so its record is complete
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("Charge = %+v, %v", got, err)
			}
			if err != nil && strings.Contains(err.Error(), "4111111111111111") {
				t.Errorf("error carries the card number: %v", err)
			}
			req := proc.first()
			if req.method != http.MethodPost || req.path != "/charges" || req.key != "pay-o1" || req.body["amount"] != float64(3800) || req.body["cardNo"] != "4111111111111111" {
				t.Errorf("request = %+v", req)
			}
		})
	}
}

func TestHTTPGatewayRefund(t *testing.T) {
	tests := []struct {
		status  int
		wantErr bool
	}{{200, false}, {204, false}, {503, true}}
	for _, tt := range tests {
		proc := &fakeProcessor{status: tt.status}
		srv := httptest.NewServer(proc)
		g := &HTTPGateway{BaseURL: srv.URL}
		err := g.Refund(context.Background(), "pay-o1", 3800)
		srv.Close()
		if (err != nil) != tt.wantErr {
			t.Errorf("status %d: err = %v", tt.status, err)
		}
		req := proc.first()
		if req.path != "/refunds" || req.key != "refund-pay-o1" || req.body["chargeKey"] != "pay-o1" || req.body["amount"] != float64(3800) {
			t.Errorf("request = %+v", req)
		}
	}
}

func TestNewGatewayByScheme(t *testing.T) {
	tests := []struct {
		url     string
		want    string
		wantErr bool
	}{
		{"simulated://", "*main.SimulatedGateway", false},
		{"http://localhost:9000/", "*main.HTTPGateway", false},
		{"https://pay.example.com/v1", "*main.HTTPGateway", false},
		{"ftp://pay.example.com", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		g, err := NewGateway(tt.url, 5*time.Millisecond)
		if (err != nil) != tt.wantErr {
			t.Errorf("%q: err = %v", tt.url, err)
			continue
		}
		if err != nil {
			continue
		}
		if got := typeName(g); got != tt.want {
			t.Errorf("%q: gateway %s, want %s", tt.url, got, tt.want)
		}
		if h, ok := g.(*HTTPGateway); ok && (strings.HasSuffix(h.BaseURL, "/") || h.Client == nil || h.Client.Timeout == 0) {
			t.Errorf("%q: %+v", tt.url, h)
		}
		if s, ok := g.(*SimulatedGateway); ok && s.Latency != 5*time.Millisecond {
			t.Errorf("latency = %v", s.Latency)
		}
	}
}

func typeName(v any) string {
	switch v.(type) {
	case *SimulatedGateway:
		return "*main.SimulatedGateway"
	case *HTTPGateway:
		return "*main.HTTPGateway"
	}
	return "?"
}
