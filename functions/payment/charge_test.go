package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/calltaxi/call-taxi/shared/contracts"
)

func TestChargeOutcomes(t *testing.T) {
	tests := []struct {
		name     string
		mutate   func(r *contracts.PaymentRequest)
		status   string
		reason   string
		field    string
		rowState string // "" when no row may be written
	}{
		{"approved", func(r *contracts.PaymentRequest) {}, "APPROVED", "", "", StatusApproved},
		{"approved with separators", func(r *contracts.PaymentRequest) { r.CardNo = "5555-5555-5555-4444" }, "APPROVED", "", "", StatusApproved},
		{"declined", func(r *contracts.PaymentRequest) { r.CardNo = "4000000000000002" }, "DECLINED", "card_declined", "", StatusDeclined},
		{"insufficient funds", func(r *contracts.PaymentRequest) { r.CardNo = "4000 0000 0000 9995" }, "DECLINED", "insufficient_funds", "", StatusDeclined},
		{"expired", func(r *contracts.PaymentRequest) { r.CardNo = "4000000000000069" }, "DECLINED", "expired_card", "", StatusDeclined},
		{"luhn", func(r *contracts.PaymentRequest) { r.CardNo = "4111111111111112" }, "INVALID", "", "cardNo", ""},
		{"no card", func(r *contracts.PaymentRequest) { r.CardNo = "" }, "INVALID", "", "cardNo", ""},
		{"zero amount", func(r *contracts.PaymentRequest) { r.Amount = 0 }, "INVALID", "", "amount", ""},
		{"negative amount", func(r *contracts.PaymentRequest) { r.Amount = -1 }, "INVALID", "", "amount", ""},
		{"no order", func(r *contracts.PaymentRequest) { r.OrderID = " " }, "INVALID", "", "orderId", ""},
		{"no customer", func(r *contracts.PaymentRequest) { r.CustomerID = "" }, "INVALID", "", "customerId", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			req := chargeRequest("o1", testCard)
			tt.mutate(&req)
			res := e.mustInvoke(req)
			if res.Status != tt.status || res.Field != tt.field || (tt.reason != "" && res.Reason != tt.reason) {
				t.Fatalf("result = %+v", res)
			}
			_, err := e.store.Get(context.Background(), PaymentID("o1"))
			if tt.rowState == "" {
				if err != ErrPaymentNotFound {
					t.Errorf("an invalid charge wrote a row (err %v)", err)
				}
				if charges, _ := e.gateway.calls(); charges != 0 {
					t.Errorf("an invalid charge reached the gateway")
				}
				return
			}
			p := e.payment("o1")
			if p.Status != tt.rowState || p.Version != 2 || p.Entity != "payment" || p.Amount != 5700 || p.CustomerID != "alice" || p.CorrelationID != "corr-o1" {
				t.Errorf("row = %+v", p)
			}
			if res.PaymentID != "pay-o1" || res.CardLast4 != p.CardLast4 || len(p.CardLast4) != 4 {
				t.Errorf("result %+v vs row %+v", res, p)
			}
			if tt.rowState == StatusDeclined && p.DeclineReason != tt.reason {
				t.Errorf("decline reason = %q", p.DeclineReason)
			}
			if e.bus.Count(contracts.NamePaymentApproved) != 0 {
				t.Error("the charge published synchronously: only the stream publishes")
			}
			e.publish()
			wantEvents := 0
			if tt.status == "APPROVED" {
				wantEvents = 1
			}
			if n := e.bus.Count(contracts.NamePaymentApproved); n != wantEvents {
				t.Errorf("PaymentApproved published %d times, want %d", n, wantEvents)
			}
		})
	}
}

func TestChargeApprovedEvent(t *testing.T) {
	e := newTestEnv(t)
	e.mustInvoke(chargeRequest("o1", testCard))
	e.publish()
	evs := e.bus.Events()
	if len(evs) != 1 {
		t.Fatalf("published %v", e.bus.Names())
	}
	got, ok := evs[0].(*contracts.PaymentApproved)
	want := contracts.PaymentApproved{PaymentID: "pay-o1", OrderID: "o1", CustomerID: "alice", OrderType: "prime", Amount: 5700, CardLast4: "1111", CardBrand: "visa"}
	if !ok {
		t.Fatalf("event %T", evs[0])
	}
	if got.CorrelationID != "corr-o1" || got.EventID == "" {
		t.Errorf("envelope = %+v", got.Meta)
	}
	got.Meta = contracts.Meta{}
	if *got != want {
		t.Errorf("event = %+v, want %+v", *got, want)
	}
}

func TestChargeIsIdempotent(t *testing.T) {
	tests := []struct {
		card       string
		status     string
		wantEvents int
	}{
		{testCard, "APPROVED", 1},           // the repeat writes nothing, so nothing more is published
		{"4000000000000002", "DECLINED", 0}, // the repeat answers the same
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			e := newTestEnv(t)
			first := e.mustInvoke(chargeRequest("o1", tt.card))
			second := e.mustInvoke(chargeRequest("o1", tt.card))
			e.publish()
			if first != second || second.Status != tt.status {
				t.Errorf("first %+v, second %+v", first, second)
			}
			if charges, _ := e.gateway.calls(); charges != 1 {
				t.Errorf("gateway charged %d times, want 1", charges)
			}
			if n := e.bus.Count(contracts.NamePaymentApproved); n != tt.wantEvents {
				t.Errorf("PaymentApproved published %d times, want %d", n, tt.wantEvents)
			}
			if p := e.payment("o1"); p.Version != 2 {
				t.Errorf("repeat wrote the row: version %d", p.Version)
			}
		})
	}
}

func TestChargeRepeatWithOtherDetailsIsInvalid(t *testing.T) {
	e := newTestEnv(t)
	e.mustInvoke(chargeRequest("o1", testCard))
	other := chargeRequest("o1", testCard)
	other.Amount = 1
	if res := e.mustInvoke(other); res.Status != "INVALID" || res.Field != "orderId" {
		t.Errorf("result = %+v", res)
	}
}

func TestConcurrentChargesOfOneOrder(t *testing.T) {
	e := newTestEnv(t)
	const n = 8
	results := make([]contracts.PaymentResult, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = e.mustInvoke(chargeRequest("o1", testCard))
		}()
	}
	wg.Wait()
	for i, res := range results {
		if res.Status != "APPROVED" || res.PaymentID != "pay-o1" {
			t.Errorf("result %d = %+v", i, res)
		}
	}
	if approvals := e.gateway.approvals(); approvals != 1 {
		t.Errorf("gateway recorded %d approvals, want 1", approvals)
	}
	out, err := e.db.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(paymentsTable)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Items) != 1 {
		t.Errorf("%d payment rows, want 1", len(out.Items))
	}
	if p := e.payment("o1"); p.Status != StatusApproved || p.Version != 2 {
		t.Errorf("row = %+v (exactly one transition)", p)
	}
	e.publish()
	if n := e.bus.Count(contracts.NamePaymentApproved); n != 1 {
		t.Errorf("PaymentApproved published %d times, want 1 (one transition)", n)
	}
}

func TestChargeGatewayFailureThenRetry(t *testing.T) {
	e := newTestEnv(t)
	e.gateway.setFail(true)
	if _, err := e.invoke(chargeRequest("o1", testCard)); err == nil {
		t.Fatal("a gateway failure must be an error (order answers 503)")
	}
	if p := e.payment("o1"); p.Status != StatusPending {
		t.Errorf("row = %s, want PENDING", p.Status)
	}
	e.gateway.setFail(false)
	if res := e.mustInvoke(chargeRequest("o1", testCard)); res.Status != "APPROVED" {
		t.Errorf("retry = %+v", res)
	}
	if p := e.payment("o1"); p.Status != StatusApproved || p.Version != 2 {
		t.Errorf("row = %+v", p)
	}
	e.publish()
	if n := e.bus.Count(contracts.NamePaymentApproved); n != 1 {
		t.Errorf("PaymentApproved published %d times", n)
	}
}

// The issue-14 case: PutEvents fails when the charge is approved. The charge still answers APPROVED (the
// customer is told it is paid) and the approval is published once PutEvents recovers, with no retry by
// anyone and no second charge.
func TestChargeApprovedWhilePutEventsFails(t *testing.T) {
	e := newTestEnv(t)
	e.bus.Fail = true
	if res := e.mustInvoke(chargeRequest("o1", testCard)); res.Status != "APPROVED" {
		t.Fatalf("charge = %+v", res)
	}
	for range 3 {
		if !e.publish() {
			t.Fatal("the outbox acknowledged a change it could not publish")
		}
	}
	e.bus.Fail = false
	if e.publish() {
		t.Fatal("the outbox still fails after PutEvents recovered")
	}
	if n := e.bus.Count(contracts.NamePaymentApproved); n != 1 {
		t.Errorf("PaymentApproved published %d times, want 1", n)
	}
	if charges, _ := e.gateway.calls(); charges != 1 {
		t.Errorf("gateway charged %d times", charges)
	}
}

func TestDirectPayloadsThatAreNotCharges(t *testing.T) {
	e := newTestEnv(t)
	tests := []struct {
		payload string
		field   string
	}{
		{`{"action":"capture","orderId":"o1"}`, "action"},
		{`{"action":"charge","orderId":"o1","amount":"lots"}`, "action"},
		{`{}`, "action"},
	}
	for _, tt := range tests {
		out, err := e.handlers.Invoke(context.Background(), []byte(tt.payload))
		if err != nil {
			t.Errorf("%s: error %v (a bad request is a result, not a function error)", tt.payload, err)
			continue
		}
		if !strings.Contains(string(out), `"status":"INVALID"`) || !strings.Contains(string(out), fmt.Sprintf(`"field":%q`, tt.field)) {
			t.Errorf("%s → %s", tt.payload, out)
		}
	}
}
