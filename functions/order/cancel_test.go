package main

import (
	"fmt"
	"testing"

	"github.com/calltaxi/call-taxi/shared/contracts"
)

func TestGetOrder(t *testing.T) {
	e := newTestEnv(t)
	placed := e.placePaid(alice)
	tests := []struct {
		name   string
		who    caller
		id     string
		status int
	}{
		{"owner", alice, placed.ID, 200},
		{"manager", manager, placed.ID, 200},
		{"other customer", bob, placed.ID, 404},
		{"driver", driver, placed.ID, 404},
		{"missing", alice, "no-such-order", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := e.call(apiRequest("GET /orders/{id}", tt.who, tt.id, "", nil))
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d %s", resp.StatusCode, resp.Body)
			}
			if tt.status == 200 && decodeView(t, resp) != placed {
				t.Errorf("view = %s, want %+v", resp.Body, placed)
			}
			if tt.status == 404 && decodeError(t, resp).Error.Code != "NOT_FOUND" {
				t.Errorf("body = %s", resp.Body)
			}
		})
	}
}

func TestCancelPaidOrder(t *testing.T) {
	e := newTestEnv(t)
	placed := e.placePaid(alice)
	e.publish()
	e.bus.Reset()

	resp := e.call(apiRequest("POST /orders/{id}/cancel", alice, placed.ID, "", nil))
	if resp.StatusCode != 200 {
		t.Fatalf("cancel = %d %s", resp.StatusCode, resp.Body)
	}
	if v := decodeView(t, resp); v.Status != StatusCanceled || v.ID != placed.ID {
		t.Errorf("view = %+v", v)
	}
	if row := e.order(placed.ID); row.Status != StatusCanceled || row.Version != 3 {
		t.Errorf("row = %+v", row)
	}
	e.publish()
	evs := e.bus.Events()
	if len(evs) != 1 {
		t.Fatalf("published %v", e.bus.Names())
	}
	if ev, ok := evs[0].(*contracts.OrderCanceled); !ok || ev.OrderID != placed.ID || ev.CustomerID != "alice" {
		t.Errorf("event = %+v", evs[0])
	}

	// Cancelling again refunds nothing and writes nothing, so nothing more is published.
	again := e.call(apiRequest("POST /orders/{id}/cancel", alice, placed.ID, "", nil))
	if again.StatusCode != 200 || decodeView(t, again).Status != StatusCanceled {
		t.Errorf("repeat cancel = %d %s", again.StatusCode, again.Body)
	}
	if _, _, refunds := e.pay.counts(); refunds != 1 {
		t.Errorf("refunds = %d, want 1", refunds)
	}
	e.publish()
	if n := e.bus.Count(contracts.NameOrderCanceled); n != 1 {
		t.Errorf("OrderCanceled published %d times, want 1", n)
	}
	if row := e.order(placed.ID); row.Version != 3 {
		t.Errorf("repeat cancel wrote the row: version %d", row.Version)
	}
}

func TestCancelRefusals(t *testing.T) {
	e := newTestEnv(t)
	e.seed("o-paid", "alice", StatusPaid)
	e.seed("o-pending", "alice", StatusPendingPayment)
	e.seed("o-declined", "alice", StatusDeclined)
	tests := []struct {
		name   string
		who    caller
		id     string
		status int
	}{
		{"other customer", bob, "o-paid", 404},
		{"manager", manager, "o-paid", 404},
		{"missing", alice, "o-none", 404},
		{"pending payment", alice, "o-pending", 409},
		{"declined", alice, "o-declined", 409},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := e.call(apiRequest("POST /orders/{id}/cancel", tt.who, tt.id, "", nil))
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d %s, want %d", resp.StatusCode, resp.Body, tt.status)
			}
		})
	}
	if _, _, refunds := e.pay.counts(); refunds != 0 {
		t.Errorf("refunds = %d", refunds)
	}
	if row := e.order("o-paid"); row.Status != StatusPaid {
		t.Errorf("o-paid is %s", row.Status)
	}
	e.publish()
	if len(e.bus.Events()) != 0 {
		t.Errorf("published %v", e.bus.Names())
	}
}

func TestCancelRefundFailures(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		status     int
		retryAfter string
	}{
		{"throttled", fmt.Errorf("%w: Rate Exceeded", ErrPaymentThrottled), 429, "1"},
		{"unavailable", fmt.Errorf("%w: Sandbox.Timedout", ErrPaymentUnavailable), 503, "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			e.seed("o1", "alice", StatusPaid)
			e.pay.refundFailure = tt.err
			resp := e.call(apiRequest("POST /orders/{id}/cancel", alice, "o1", "", nil))
			if resp.StatusCode != tt.status || resp.Headers["Retry-After"] != tt.retryAfter {
				t.Fatalf("status = %d %v %s", resp.StatusCode, resp.Headers, resp.Body)
			}
			if row := e.order("o1"); row.Status != StatusPaid {
				t.Errorf("order is %s, want it left PAID", row.Status)
			}
			e.pay.set(func(f *fakePayments) { f.refundFailure = nil })
			if retry := e.call(apiRequest("POST /orders/{id}/cancel", alice, "o1", "", nil)); retry.StatusCode != 200 {
				t.Errorf("retry = %d %s", retry.StatusCode, retry.Body)
			}
		})
	}
}

// A cancel is answered at once even while PutEvents fails: OrderCanceled follows from the Orders stream
// when it recovers, with the order's correlation id, and no one has to repeat the cancel.
func TestCancelWhilePutEventsFails(t *testing.T) {
	e := newTestEnv(t)
	e.seed("o1", "alice", StatusPaid)
	e.bus.Fail = true
	if resp := e.call(apiRequest("POST /orders/{id}/cancel", alice, "o1", "", nil)); resp.StatusCode != 200 {
		t.Fatalf("status = %d %s", resp.StatusCode, resp.Body)
	}
	if !e.publish() {
		t.Fatal("the outbox acknowledged a change it could not publish")
	}
	e.bus.Fail = false
	e.publish()
	if n := e.bus.Count(contracts.NameOrderCanceled); n != 1 {
		t.Fatalf("OrderCanceled published %d times", n)
	}
	if ev := e.bus.Events()[0].Base(); ev.CorrelationID != "corr-o1" || ev.EventID == "" {
		t.Errorf("event envelope = %+v, want the order's correlation id and a stream-derived id", ev)
	}
}
