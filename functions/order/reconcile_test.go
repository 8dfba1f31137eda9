package main

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/apitest"
	"github.com/calltaxi/call-taxi/shared/contracts"
)

func paymentApprovedEvent(t *testing.T, orderID string) events.EventBridgeEvent {
	t.Helper()
	detail, err := json.Marshal(contracts.PaymentApproved{
		Meta:      contracts.Meta{EventID: "e-" + orderID, CorrelationID: "corr-9"},
		PaymentID: "pay-" + orderID, OrderID: orderID, CustomerID: "alice", OrderType: "basic", Amount: 3800,
		CardLast4: "1111", CardBrand: "visa",
	})
	if err != nil {
		t.Fatal(err)
	}
	return events.EventBridgeEvent{DetailType: contracts.NamePaymentApproved, Source: contracts.SourcePayment, Detail: detail}
}

func TestPaymentApprovedCompletesAnAbandonedOrder(t *testing.T) {
	tests := []struct {
		name          string
		status        string // "" = no such order
		wantStatus    string
		wantPublished int
	}{
		{"pending order becomes paid", StatusPendingPayment, StatusPaid, 1},
		{"paid order is left alone", StatusPaid, StatusPaid, 0},
		{"canceled order is left alone", StatusCanceled, StatusCanceled, 0},
		{"unknown order is acknowledged", "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			if tt.status != "" {
				e.seed("o-1", "alice", tt.status)
			}
			for delivery := 0; delivery < 2; delivery++ { // at-least-once: the second delivery changes nothing
				if err := apitest.Deliver(t, e.handlers, paymentApprovedEvent(t, "o-1")); err != nil {
					t.Fatalf("delivery %d: %v", delivery, err)
				}
			}
			if tt.status != "" {
				row := e.order("o-1")
				if row.Status != tt.wantStatus {
					t.Errorf("status = %s, want %s", row.Status, tt.wantStatus)
				}
				if tt.wantStatus == StatusPaid && tt.status == StatusPendingPayment && (row.PaymentID != "pay-o-1" || row.CardLast4 != "1111") {
					t.Errorf("payment not recorded: %+v", row)
				}
			}
			e.publish()
			if got := e.bus.Count(contracts.NameOrderPlaced); got != tt.wantPublished {
				t.Errorf("OrderPlaced published %d times, want %d", got, tt.wantPublished)
			}
		})
	}
}

// Completing an order from its PaymentApproved only writes it: the message is done even while PutEvents
// fails, and OrderPlaced follows from the Orders stream.
func TestPaymentApprovedWhilePutEventsFails(t *testing.T) {
	e := newTestEnv(t)
	e.seed("o-1", "alice", StatusPendingPayment)
	e.bus.Fail = true
	if err := apitest.Deliver(t, e.handlers, paymentApprovedEvent(t, "o-1")); err != nil {
		t.Fatalf("delivery: %v", err)
	}
	if row := e.order("o-1"); row.Status != StatusPaid {
		t.Errorf("row = %+v, want PAID", row)
	}
	if !e.publish() {
		t.Fatal("the outbox acknowledged a change it could not publish")
	}
	e.bus.Fail = false
	e.publish()
	if n := e.bus.Count(contracts.NameOrderPlaced); n != 1 {
		t.Errorf("OrderPlaced published %d times, want 1", n)
	}
}

// TestPaymentApprovedBatch sends SQS batches through the whole function: exactly the messages that failed
// are reported, and the others are handled.
func TestPaymentApprovedBatch(t *testing.T) {
	tests := []struct {
		name       string
		batch      func(t *testing.T) events.SQSEvent
		failGet    string // reads of this order fail
		wantFailed []string
		wantPaid   []string
	}{
		{"empty batch", func(t *testing.T) events.SQSEvent { return events.SQSEvent{Records: []events.SQSMessage{}} }, "", []string{}, nil},
		{"one good and one failing", func(t *testing.T) events.SQSEvent {
			return apitest.SQSBatch(t, paymentApprovedEvent(t, "o-1"), paymentApprovedEvent(t, "o-2"))
		}, "o-2", []string{"msg-2"}, []string{"o-1"}},
		{"a failure does not hold back a later order", func(t *testing.T) events.SQSEvent {
			return apitest.SQSBatch(t, paymentApprovedEvent(t, "o-2"), paymentApprovedEvent(t, "o-1"))
		}, "o-2", []string{"msg-1"}, []string{"o-1"}},
		{"malformed body", func(t *testing.T) events.SQSEvent {
			batch := apitest.SQSBatch(t, paymentApprovedEvent(t, "o-1"))
			batch.Records = append(batch.Records, apitest.SQSMessage("msg-broken", `{"detail-type":"PaymentApproved"}`))
			return batch
		}, "", []string{"msg-broken"}, []string{"o-1"}},
		{"approval without its payment id", func(t *testing.T) events.SQSEvent {
			return apitest.SQSBatch(t, events.EventBridgeEvent{DetailType: contracts.NamePaymentApproved, Source: contracts.SourcePayment,
				Detail: []byte(`{"orderId":"o-2"}`)}, paymentApprovedEvent(t, "o-1"))
		}, "", []string{"msg-1"}, []string{"o-1"}},
		{"a duplicate in one batch", func(t *testing.T) events.SQSEvent {
			return apitest.SQSBatch(t, paymentApprovedEvent(t, "o-1"), paymentApprovedEvent(t, "o-1"))
		}, "", []string{}, []string{"o-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			e.seed("o-1", "alice", StatusPendingPayment)
			e.seed("o-2", "alice", StatusPendingPayment)
			e.flaky.failGet = func(id string) bool { return id == tt.failGet }
			failed, err := apitest.Submit(e.handlers, tt.batch(t))
			if err != nil {
				t.Fatalf("function error %v: the whole batch would be redelivered", err)
			}
			if !slices.Equal(failed, tt.wantFailed) {
				t.Errorf("reported %v, want %v", failed, tt.wantFailed)
			}
			for _, id := range []string{"o-1", "o-2"} {
				if paid := e.order(id).Status == StatusPaid; paid != slices.Contains(tt.wantPaid, id) {
					t.Errorf("%s paid = %t, want %t", id, paid, !paid)
				}
			}
			e.publish()
			if got := e.bus.Count(contracts.NameOrderPlaced); got != len(tt.wantPaid) {
				t.Errorf("OrderPlaced published %d times, want %d", got, len(tt.wantPaid))
			}
		})
	}
}
