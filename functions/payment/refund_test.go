package main

import (
	"testing"

	"github.com/calltaxi/call-taxi/shared/contracts"
)

func TestRefundApprovedPayment(t *testing.T) {
	e := newTestEnv(t)
	e.mustInvoke(chargeRequest("o1", testCard))
	e.publish()
	e.bus.Reset()

	res := e.mustInvoke(refundRequest("o1"))
	e.publish()
	if res.Status != "CANCELED" || res.PaymentID != "pay-o1" {
		t.Fatalf("result = %+v", res)
	}
	if p := e.payment("o1"); p.Status != StatusCanceled || p.Version != 3 {
		t.Errorf("row = %+v", p)
	}
	evs := e.bus.Events()
	if len(evs) != 1 {
		t.Fatalf("published %v", e.bus.Names())
	}
	if ev, ok := evs[0].(*contracts.PaymentCanceled); !ok || ev.PaymentID != "pay-o1" || ev.OrderID != "o1" || ev.CustomerID != "alice" || ev.Amount != 5700 {
		t.Errorf("event = %+v", evs[0])
	}

	// A repeat refunds nothing more and writes nothing, so nothing more is published.
	if again := e.mustInvoke(refundRequest("o1")); again.Status != "CANCELED" {
		t.Errorf("repeat = %+v", again)
	}
	e.publish()
	if _, refunds := e.gateway.calls(); refunds != 1 {
		t.Errorf("gateway refunded %d times", refunds)
	}
	if n := e.bus.Count(contracts.NamePaymentCanceled); n != 1 {
		t.Errorf("PaymentCanceled published %d times, want 1", n)
	}
	if p := e.payment("o1"); p.Version != 3 {
		t.Errorf("repeat wrote the row: version %d", p.Version)
	}
}

func TestRefundWithoutApprovedPayment(t *testing.T) {
	e := newTestEnv(t)
	e.seed("o-declined", "alice", StatusDeclined)
	e.seed("o-pending", "alice", StatusPending)
	e.seed("o-bob", "bob", StatusApproved)
	tests := []struct {
		name string
		req  contracts.PaymentRequest
	}{
		{"missing", refundRequest("o-none")},
		{"declined", refundRequest("o-declined")},
		{"pending", refundRequest("o-pending")},
		{"another customer's", refundRequest("o-bob")},
		{"no order id", refundRequest("")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.mustInvoke(tt.req)
			if res.Status != "INVALID" || res.Field != "orderId" {
				t.Errorf("result = %+v", res)
			}
		})
	}
	if _, refunds := e.gateway.calls(); refunds != 0 {
		t.Errorf("gateway refunded %d times", refunds)
	}
	if e.payment("o-bob").Status != StatusApproved {
		t.Error("another customer's payment was touched")
	}
	e.publish()
	if n := len(e.bus.Events()); n != 0 {
		t.Errorf("published %v", e.bus.Names())
	}
}

func TestRefundGatewayFailureThenRetry(t *testing.T) {
	e := newTestEnv(t)
	e.seed("o1", "alice", StatusApproved)
	e.gateway.setFail(true)
	if _, err := e.invoke(refundRequest("o1")); err == nil {
		t.Fatal("the failed refund must be an error")
	}
	if p := e.payment("o1"); p.Status != StatusApproved {
		t.Errorf("row after failure = %s, want APPROVED", p.Status)
	}
	e.gateway.setFail(false)
	if res := e.mustInvoke(refundRequest("o1")); res.Status != "CANCELED" {
		t.Errorf("retry = %+v", res)
	}
	e.publish()
	if n := e.bus.Count(contracts.NamePaymentCanceled); n != 1 {
		t.Errorf("PaymentCanceled published %d times, want 1", n)
	}
}

// A refund is answered CANCELED even while PutEvents fails; PaymentCanceled follows when it recovers.
func TestRefundWhilePutEventsFails(t *testing.T) {
	e := newTestEnv(t)
	e.seed("o1", "alice", StatusApproved)
	e.bus.Fail = true
	if res := e.mustInvoke(refundRequest("o1")); res.Status != "CANCELED" {
		t.Fatalf("refund = %+v", res)
	}
	if !e.publish() {
		t.Fatal("the outbox acknowledged a change it could not publish")
	}
	e.bus.Fail = false
	e.publish()
	if n := e.bus.Count(contracts.NamePaymentCanceled); n != 1 {
		t.Errorf("PaymentCanceled published %d times, want 1", n)
	}
}
