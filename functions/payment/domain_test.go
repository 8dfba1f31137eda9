package main

import (
	"strings"
	"testing"
	"time"

	"github.com/calltaxi/call-taxi/shared/contracts"
)

func TestValidateCharge(t *testing.T) {
	valid := contracts.PaymentRequest{Action: "charge", OrderID: "o1", CustomerID: "alice", Amount: 3800, CardNo: " 4111-1111-1111-1111 "}
	cmd, invalid := ValidateCharge(valid)
	if invalid != nil || cmd.CardNo != "4111111111111111" || cmd.OrderID != "o1" || cmd.Amount != 3800 {
		t.Fatalf("valid request: %+v %+v", cmd, invalid)
	}
	tests := []struct {
		field  string
		mutate func(r *contracts.PaymentRequest)
	}{
		{"orderId", func(r *contracts.PaymentRequest) { r.OrderID = "" }},
		{"orderId", func(r *contracts.PaymentRequest) { r.OrderID = strings.Repeat("o", 129) }},
		{"customerId", func(r *contracts.PaymentRequest) { r.CustomerID = "  " }},
		{"amount", func(r *contracts.PaymentRequest) { r.Amount = 0 }},
		{"cardNo", func(r *contracts.PaymentRequest) { r.CardNo = "4111111111111112" }},
		{"cardNo", func(r *contracts.PaymentRequest) { r.CardNo = "41111111111111111111" }},
	}
	for _, tt := range tests {
		r := valid
		tt.mutate(&r)
		_, invalid := ValidateCharge(r)
		if invalid == nil || invalid.Status != contracts.PaymentInvalidStatus || invalid.Field != tt.field || invalid.Reason == "" {
			t.Errorf("%s: result = %+v", tt.field, invalid)
		}
	}
}

func TestNewPaymentKeepsOnlyTheLastFour(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 5e6, time.FixedZone("KST", 9*3600))
	p := NewPayment(ChargeCommand{OrderID: "o1", CustomerID: "alice", OrderType: "basic", Amount: 3800, CardNo: "5555555555554444"}, "c1", now)
	want := Payment{
		ID: "pay-o1", Entity: "payment", OrderID: "o1", CustomerID: "alice", OrderType: "basic", Amount: 3800,
		Status: StatusPending, CardLast4: "4444", CardBrand: "mastercard", CorrelationID: "c1", Version: 1,
		CreatedAt: "2026-03-01T00:00:00.005Z", UpdatedAt: "2026-03-01T00:00:00.005Z",
	}
	if p != want {
		t.Errorf("NewPayment = %+v\nwant %+v", p, want)
	}
}

func TestResultCarriesDeclineReasonOnlyWhenDeclined(t *testing.T) {
	tests := []struct {
		status, reason string
	}{
		{StatusDeclined, "expired_card"},
		{StatusApproved, ""},
		{StatusCanceled, ""},
	}
	for _, tt := range tests {
		p := Payment{ID: "pay-o1", Status: tt.status, DeclineReason: "expired_card", CardLast4: "1111", CardBrand: "visa"}
		if got := p.Result(); got.Status != tt.status || got.Reason != tt.reason || got.PaymentID != "pay-o1" || got.CardLast4 != "1111" {
			t.Errorf("%s: %+v", tt.status, got)
		}
	}
}
