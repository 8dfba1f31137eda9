package main

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/contracts"
)

func paymentApprovedEvent(t *testing.T, orderID string) []byte {
	t.Helper()
	detail, err := json.Marshal(contracts.PaymentApproved{
		Meta:      contracts.Meta{EventID: "e-1", CorrelationID: "corr-9"},
		PaymentID: "pay-" + orderID, OrderID: orderID, CustomerID: "alice", OrderType: "basic", Amount: 3800,
		CardLast4: "1111", CardBrand: "visa",
	})
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(events.EventBridgeEvent{DetailType: contracts.NamePaymentApproved, Source: contracts.SourcePayment, Detail: detail})
	if err != nil {
		t.Fatal(err)
	}
	return payload
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
				if _, err := e.handlers.Invoke(context.Background(), paymentApprovedEvent(t, "o-1")); err != nil {
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
			if got := e.bus.Count(contracts.NameOrderPlaced); got != tt.wantPublished {
				t.Errorf("OrderPlaced published %d times, want %d", got, tt.wantPublished)
			}
		})
	}
}

func TestPaymentApprovedPublishFailureIsRetried(t *testing.T) {
	e := newTestEnv(t)
	e.seed("o-1", "alice", StatusPendingPayment)
	e.bus.Fail = true
	if _, err := e.handlers.Invoke(context.Background(), paymentApprovedEvent(t, "o-1")); err == nil {
		t.Fatal("a failed publish must fail the delivery so EventBridge retries")
	}
	if row := e.order("o-1"); row.Status != StatusPaid {
		t.Errorf("status = %s, want PAID (the write happened)", row.Status)
	}
}
