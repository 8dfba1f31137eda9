package main

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/lambdamux"
	"github.com/calltaxi/call-taxi/shared/outbox/outboxtest"
)

func paymentImage(t *testing.T, status string, mutate ...func(*Payment)) map[string]events.DynamoDBAttributeValue {
	t.Helper()
	p := Payment{
		ID: "pay-o1", Entity: entityPayment, OrderID: "o1", CustomerID: "alice", OrderType: "prime", Amount: 5700,
		Status: status, CardLast4: "1111", CardBrand: "visa", CorrelationID: "corr-o1", Version: 2,
		CreatedAt: "2026-11-30T00:00:00.000Z", UpdatedAt: "2026-11-30T00:00:01.000Z",
	}
	for _, m := range mutate {
		m(&p)
	}
	img, err := outboxtest.Image(p)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestDeriveEvents(t *testing.T) {
	approved := &contracts.PaymentApproved{
		Meta:      contracts.Meta{CorrelationID: "corr-o1"},
		PaymentID: "pay-o1", OrderID: "o1", CustomerID: "alice", OrderType: "prime", Amount: 5700, CardLast4: "1111", CardBrand: "visa",
	}
	canceled := &contracts.PaymentCanceled{
		Meta:      contracts.Meta{CorrelationID: "corr-o1"},
		PaymentID: "pay-o1", OrderID: "o1", CustomerID: "alice", Amount: 5700,
	}
	tests := []struct {
		name      string
		eventName string
		old, new  map[string]events.DynamoDBAttributeValue
		want      contracts.Event // nil: no event
		wantErr   bool
	}{
		{"a charge starts: nothing", "INSERT", nil, paymentImage(t, StatusPending), nil, false},
		{"approved", "MODIFY", paymentImage(t, StatusPending), paymentImage(t, StatusApproved), approved, false},
		{"inserted approved", "INSERT", nil, paymentImage(t, StatusApproved), approved, false},
		{"declined: nothing", "MODIFY", paymentImage(t, StatusPending), paymentImage(t, StatusDeclined), nil, false},
		{"refunded", "MODIFY", paymentImage(t, StatusApproved), paymentImage(t, StatusCanceled), canceled, false},
		{"rewritten, still approved: nothing", "MODIFY", paymentImage(t, StatusApproved), paymentImage(t, StatusApproved), nil, false},
		{"removed: nothing", "REMOVE", paymentImage(t, StatusApproved), nil, nil, false},
		{"approved without an order id", "MODIFY", paymentImage(t, StatusPending), paymentImage(t, StatusApproved, func(p *Payment) { p.OrderID = "" }), nil, true},
		{"refunded without an amount", "MODIFY", paymentImage(t, StatusApproved), paymentImage(t, StatusCanceled, func(p *Payment) { p.Amount = 0 }), nil, true},
		{"amount of the wrong type", "MODIFY", paymentImage(t, StatusPending), func() map[string]events.DynamoDBAttributeValue {
			img := paymentImage(t, StatusApproved)
			img["amount"] = events.NewStringAttribute("lots")
			return img
		}(), nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := events.DynamoDBEventRecord{EventName: tt.eventName, Change: events.DynamoDBStreamRecord{OldImage: tt.old, NewImage: tt.new, SequenceNumber: "1"}}
			got, err := DeriveEvents(rec)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			switch {
			case tt.want == nil && len(got) != 0:
				t.Errorf("events = %+v, want none", got)
			case tt.want != nil && (len(got) != 1 || !reflect.DeepEqual(got[0], tt.want)):
				t.Errorf("events = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// The charges function is the overload guard's: it serves order's charge and refund and nothing else, so
// no read or stream batch can take a charge's place in its reserved concurrency.
func TestFunctionsServeTheirOwnTriggers(t *testing.T) {
	e := newTestEnv(t)
	e.seed("o1", "alice", StatusApproved)
	ctx := context.Background()
	api := []byte(`{"version":"2.0","routeKey":"GET /paymentHistories","requestContext":{}}`)
	stream := []byte(`{"Records":[{"eventName":"INSERT","eventSource":"aws:dynamodb","dynamodb":{"SequenceNumber":"1"}}]}`)
	for name, payload := range map[string][]byte{"history route": api, "stream batch": stream} {
		if _, err := e.charges.Invoke(ctx, payload); !errors.Is(err, lambdamux.ErrUnknownPayload) {
			t.Errorf("charges function took a %s: err = %v", name, err)
		}
	}
	status := []byte(`{"action":"status","orderId":"o1"}`)
	if out, err := e.charges.Invoke(ctx, status); err != nil || string(out) != `{"status":"INVALID","reason":"unknown action","field":"action"}` {
		t.Errorf("charges function answered status: %s, %v", out, err)
	}
	for _, action := range []string{"charge", "refund"} {
		out, err := e.records.Invoke(ctx, []byte(`{"action":"`+action+`","orderId":"o1","customerId":"alice","amount":3800,"cardNo":"4111111111111111"}`))
		if err != nil || string(out) != `{"status":"INVALID","reason":"unknown action","field":"action"}` {
			t.Errorf("records function answered %s: %s, %v", action, out, err)
		}
	}
	if charges, refunds := e.gateway.calls(); charges+refunds != 0 {
		t.Errorf("the gateway was called %d times", charges+refunds)
	}
}

func TestStatus(t *testing.T) {
	e := newTestEnv(t)
	e.mustInvoke(chargeRequest("o-approved", testCard))
	e.mustInvoke(chargeRequest("o-declined", "4000000000000002"))
	e.seed("o-pending", "alice", StatusPending)
	tests := []struct {
		orderID, customerID string
		want                contracts.PaymentResult
	}{
		{"o-approved", "", contracts.PaymentResult{Status: "APPROVED", PaymentID: "pay-o-approved", CardLast4: "1111", CardBrand: "visa"}},
		{"o-approved", "alice", contracts.PaymentResult{Status: "APPROVED", PaymentID: "pay-o-approved", CardLast4: "1111", CardBrand: "visa"}},
		{"o-approved", "bob", contracts.PaymentResult{Status: "NOT_FOUND"}},
		{"o-declined", "", contracts.PaymentResult{Status: "DECLINED", PaymentID: "pay-o-declined", CardLast4: "0002", CardBrand: "visa", Reason: "card_declined"}},
		{"o-pending", "", contracts.PaymentResult{Status: "PENDING", PaymentID: "pay-o-pending", CardLast4: "1111", CardBrand: "visa"}},
		{"o-none", "", contracts.PaymentResult{Status: "NOT_FOUND"}},
		{" ", "", contracts.PaymentResult{Status: "INVALID", Field: "orderId", Reason: "orderId is required"}},
	}
	for _, tt := range tests {
		got := e.mustInvoke(contracts.PaymentRequest{Action: contracts.PaymentActionStatus, OrderID: tt.orderID, CustomerID: tt.customerID})
		if got != tt.want {
			t.Errorf("status of %q for %q = %+v, want %+v", tt.orderID, tt.customerID, got, tt.want)
		}
	}
}
