package main

import (
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/apitest"
	"github.com/calltaxi/call-taxi/shared/contracts"
)

func approved(orderID string) *contracts.OrderPlaced {
	return &contracts.OrderPlaced{Meta: contracts.Meta{EventID: "evt-" + orderID}, PaymentID: "pay-" + orderID, OrderID: orderID, CustomerID: "c1", OrderType: "basic", Fare: 3800}
}

// TestQueueBatchReportsOnlyFailedMessages sends SQS batches through the whole function: exactly the
// messages that failed are reported, and the others are handled.
func TestQueueBatchReportsOnlyFailedMessages(t *testing.T) {
	tests := []struct {
		name       string
		batch      func(t *testing.T) events.SQSEvent
		failGet    string // reads of this reservation fail
		wantFailed []string
		wantRows   map[string]string // reservation → status afterwards ("" = no row)
	}{
		{"empty batch", func(t *testing.T) events.SQSEvent { return events.SQSEvent{Records: []events.SQSMessage{}} }, "", []string{}, nil},
		{"one good and one failing", func(t *testing.T) events.SQSEvent {
			return apitest.SQSBatch(t, ebEvent(t, approved("o1")), ebEvent(t, approved("o2")))
		}, "rsv-o2", []string{"msg-2"}, map[string]string{"rsv-o1": StatusRequested, "rsv-o2": ""}},
		{"a failure does not hold back a later booking", func(t *testing.T) events.SQSEvent {
			return apitest.SQSBatch(t, ebEvent(t, approved("o2")), ebEvent(t, approved("o1")))
		}, "rsv-o2", []string{"msg-1"}, map[string]string{"rsv-o1": StatusRequested, "rsv-o2": ""}},
		{"malformed body", func(t *testing.T) events.SQSEvent {
			batch := apitest.SQSBatch(t, ebEvent(t, approved("o1")))
			batch.Records = append([]events.SQSMessage{apitest.SQSMessage("msg-broken", `{"detail-type":"OrderPlaced","detail":`)}, batch.Records...)
			return batch
		}, "", []string{"msg-broken"}, map[string]string{"rsv-o1": StatusRequested}},
		{"detail without its order id", func(t *testing.T) events.SQSEvent {
			return apitest.SQSBatch(t, events.EventBridgeEvent{DetailType: contracts.NameOrderPlaced, Source: contracts.SourceOrder, Detail: []byte(`{"customerId":"c1"}`)}, ebEvent(t, approved("o1")))
		}, "", []string{"msg-1"}, map[string]string{"rsv-o1": StatusRequested}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			env.flaky.failGet = func(id string) bool { return id == tt.failGet }
			failed, err := apitest.Submit(env.handlers, tt.batch(t))
			if err != nil {
				t.Fatalf("function error %v: the whole batch would be redelivered", err)
			}
			if !slices.Equal(failed, tt.wantFailed) {
				t.Errorf("reported %v, want %v", failed, tt.wantFailed)
			}
			env.flaky.failGet = nil
			for id, want := range tt.wantRows {
				got := env.row(t, id)
				if (got == nil) != (want == "") || (got != nil && got.Status != want) {
					t.Errorf("%s = %+v, want status %q", id, got, want)
				}
			}
		})
	}
}

// TestDuplicateDelivery delivers the same event (one event id) twice, in one batch and in two: the row is
// written once, both messages are acknowledged, and the one write's stream record publishes once.
func TestDuplicateDelivery(t *testing.T) {
	tests := []struct {
		name    string
		batches [][]int // indexes of the one event, per batch
	}{
		{"in one batch", [][]int{{0, 0}}},
		{"across batches", [][]int{{0}, {0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			ev := ebEvent(t, approved("o1"))
			for i, batch := range tt.batches {
				evs := make([]events.EventBridgeEvent, len(batch))
				for j := range batch {
					evs[j] = ev
				}
				if err := env.deliver(t, evs...); err != nil {
					t.Fatalf("batch %d: %v", i, err)
				}
			}
			if got := env.row(t, "rsv-o1"); got == nil || got.Status != StatusRequested || got.Version != 1 {
				t.Errorf("row = %+v, want REQUESTED v1", got)
			}
			if got := env.bus.Count(contracts.NameReservationRequested); got != 1 || len(env.bus.Names()) != 1 {
				t.Errorf("published %v, want ReservationRequested once", env.bus.Names())
			}
		})
	}
}

// TestRedeliveryAfterALaterEventConverges covers the one ordering a partial batch response allows: a
// booking's failed message is redelivered after a later message of the same booking was handled. The
// handlers decide from the row, so the booking ends as if the messages had been handled in order.
func TestRedeliveryAfterALaterEventConverges(t *testing.T) {
	tests := []struct {
		name       string
		seed       *Reservation
		first      contracts.Event // fails once, is redelivered after second
		second     contracts.Event
		wantStatus string
	}{
		{"payment approved overtaken by the cancel", nil, approved("o1"), &contracts.OrderCanceled{OrderID: "o1", CustomerID: "c1"}, StatusCanceled},
		{"cancel overtaken by the payment approval", nil, &contracts.OrderCanceled{OrderID: "o1", CustomerID: "c1"}, approved("o1"), StatusCanceled},
		{"taxi assigned overtaken by the cancel", &Reservation{ID: "rsv-o1", OrderID: "o1", CustomerID: "c1", Status: StatusAssigning, TaxiID: "t1", AssignAttempt: 1, Version: 2},
			&contracts.TaxiAssigned{ReservationID: "rsv-o1", TaxiID: "t1", Attempt: 1}, &contracts.OrderCanceled{OrderID: "o1", CustomerID: "c1"}, StatusCanceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			if tt.seed != nil {
				env.seed(t, *tt.seed)
			}
			reads := 0
			env.flaky.failGet = func(string) bool { reads++; return reads == 1 }
			first := ebEvent(t, tt.first)
			failed, err := apitest.Submit(env.handlers, apitest.SQSBatch(t, first, ebEvent(t, tt.second)))
			if err != nil || !slices.Equal(failed, []string{"msg-1"}) {
				t.Fatalf("reported %v, %v; want [msg-1]", failed, err)
			}
			env.publish(t)
			if err := env.deliver(t, first); err != nil {
				t.Fatalf("redelivery: %v", err)
			}
			if got := env.row(t, "rsv-o1"); got == nil || got.Status != tt.wantStatus {
				t.Errorf("row = %+v, want %s", got, tt.wantStatus)
			}
			if env.bus.Count(contracts.NameReservationRequested) > 0 && env.bus.Count(contracts.NameReservationCanceled) == 0 {
				t.Errorf("published %v: a requested reservation was never cancelled", env.bus.Names())
			}
		})
	}
}
