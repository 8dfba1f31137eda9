package main

import (
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/outbox/outboxtest"
)

func orderImage(t *testing.T, status string, mutate ...func(*Order)) map[string]events.DynamoDBAttributeValue {
	t.Helper()
	o := Order{
		ID: "o1", Entity: entityOrder, OrderID: "o1", CustomerID: "alice", Name: "Kim", Phone: "+821012345678",
		OrderType: "prime", Fare: 5700, Status: status, CorrelationID: "corr-o1", Version: 2,
		Pickup: "Gangnam Station", Destination: "Seoul Station", PickupAt: "2026-11-30T09:00:00.000Z", Note: "gate 3",
		CreatedAt: "2026-11-30T00:00:00.000Z", UpdatedAt: "2026-11-30T00:00:01.000Z",
	}
	switch status {
	case StatusPendingPayment:
		o.PendingShard = PendingShard(o.ID)
	case StatusPaid, StatusCanceled:
		o.PaymentID, o.CardLast4, o.CardBrand = "pay-o1", "1111", "visa"
	}
	for _, m := range mutate {
		m(&o)
	}
	img, err := outboxtest.Image(o)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestDeriveEvents(t *testing.T) {
	placed := &contracts.OrderPlaced{
		Meta:    contracts.Meta{CorrelationID: "corr-o1"},
		OrderID: "o1", CustomerID: "alice", OrderType: "prime", Fare: 5700, PaymentID: "pay-o1",
		Pickup: "Gangnam Station", Destination: "Seoul Station", PickupAt: "2026-11-30T09:00:00.000Z", Note: "gate 3",
		CustomerName: "Kim", CustomerPhone: "+821012345678",
	}
	asap := *placed
	asap.PickupAt = ""
	canceled := &contracts.OrderCanceled{Meta: contracts.Meta{CorrelationID: "corr-o1"}, OrderID: "o1", CustomerID: "alice"}
	tests := []struct {
		name      string
		eventName string
		old, new  map[string]events.DynamoDBAttributeValue
		want      contracts.Event
		wantErr   bool
	}{
		{"a new order awaits its payment: nothing", "INSERT", nil, orderImage(t, StatusPendingPayment), nil, false},
		{"paid", "MODIFY", orderImage(t, StatusPendingPayment), orderImage(t, StatusPaid), placed, false},
		{"paid, as soon as possible", "MODIFY", orderImage(t, StatusPendingPayment), orderImage(t, StatusPaid, func(o *Order) { o.PickupAt = "" }), &asap, false},
		{"picked up: nothing", "MODIFY", orderImage(t, StatusPaid), orderImage(t, StatusPaid, func(o *Order) { o.PickedUpAt = "2026-11-30T09:01:00.000Z" }), nil, false},
		{"declined: nothing", "MODIFY", orderImage(t, StatusPendingPayment), orderImage(t, StatusDeclined), nil, false},
		{"canceled", "MODIFY", orderImage(t, StatusPaid), orderImage(t, StatusCanceled), canceled, false},
		{"parked by the sweep: nothing", "MODIFY", orderImage(t, StatusPendingPayment), orderImage(t, StatusPendingPayment, func(o *Order) { o.PendingShard = "" }), nil, false},
		{"rewritten, still paid: nothing", "MODIFY", orderImage(t, StatusPaid), orderImage(t, StatusPaid), nil, false},
		{"removed: nothing", "REMOVE", orderImage(t, StatusPaid), nil, nil, false},
		{"paid without a payment id", "MODIFY", orderImage(t, StatusPendingPayment), orderImage(t, StatusPaid, func(o *Order) { o.PaymentID = "" }), nil, true},
		{"canceled without a customer", "MODIFY", orderImage(t, StatusPaid), orderImage(t, StatusCanceled, func(o *Order) { o.CustomerID = "" }), nil, true},
		{"fare of the wrong type", "MODIFY", orderImage(t, StatusPendingPayment), func() map[string]events.DynamoDBAttributeValue {
			img := orderImage(t, StatusPaid)
			img["fare"] = events.NewStringAttribute("lots")
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
