package main

import (
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/apitest"
	"github.com/calltaxi/call-taxi/shared/contracts"
)

// TestQueueBatchReportsOnlyFailedMessages sends SQS batches through the whole function: exactly the
// messages that failed are reported, and the others are handled.
func TestQueueBatchReportsOnlyFailedMessages(t *testing.T) {
	tests := []struct {
		name       string
		batch      func(t *testing.T) events.SQSEvent
		failTaxi   string // reads of this taxi fail
		wantFailed []string
		wantHeld   map[string]string // reservation → assignment status ("" = none)
	}{
		{"empty batch", func(t *testing.T) events.SQSEvent { return events.SQSEvent{Records: []events.SQSMessage{}} }, "", []string{}, nil},
		{"one good and one failing", func(t *testing.T) events.SQSEvent {
			return apitest.SQSBatch(t, ebEvent(t, confirmed("r1", "t1", GradePrime, 1)), ebEvent(t, confirmed("r2", "t2", GradePrime, 1)))
		}, "t2", []string{"msg-2"}, map[string]string{"r1": AssignmentAssigned, "r2": ""}},
		{"a failure does not hold back a later booking", func(t *testing.T) events.SQSEvent {
			return apitest.SQSBatch(t, ebEvent(t, confirmed("r2", "t2", GradePrime, 1)), ebEvent(t, confirmed("r1", "t1", GradePrime, 1)))
		}, "t2", []string{"msg-1"}, map[string]string{"r1": AssignmentAssigned, "r2": ""}},
		{"malformed body", func(t *testing.T) events.SQSEvent {
			batch := apitest.SQSBatch(t, ebEvent(t, confirmed("r1", "t1", GradePrime, 1)))
			batch.Records = append([]events.SQSMessage{apitest.SQSMessage("msg-broken", "not an event")}, batch.Records...)
			return batch
		}, "", []string{"msg-broken"}, map[string]string{"r1": AssignmentAssigned}},
		{"confirm without its attempt", func(t *testing.T) events.SQSEvent {
			return apitest.SQSBatch(t, events.EventBridgeEvent{DetailType: contracts.NameReservationConfirmed, Source: contracts.SourceReservation,
				Detail: []byte(`{"reservationId":"r2","taxiId":"t2","orderType":"prime"}`)}, ebEvent(t, confirmed("r1", "t1", GradePrime, 1)))
		}, "", []string{"msg-1"}, map[string]string{"r1": AssignmentAssigned, "r2": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			env.seedTaxi(t, "t1", GradePrime, 2)
			env.seedTaxi(t, "t2", GradePrime, 2)
			env.flaky.failGetTaxi = func(id string) bool { return id == tt.failTaxi }
			failed, err := apitest.Submit(env.handlers, tt.batch(t))
			if err != nil {
				t.Fatalf("function error %v: the whole batch would be redelivered", err)
			}
			if !slices.Equal(failed, tt.wantFailed) {
				t.Errorf("reported %v, want %v", failed, tt.wantFailed)
			}
			for id, want := range tt.wantHeld {
				got := env.assignment(t, id)
				if (got == nil) != (want == "") || (got != nil && got.Status != want) {
					t.Errorf("assignment %s = %+v, want status %q", id, got, want)
				}
			}
			for _, id := range []string{"t1", "t2"} {
				if taxi := env.taxi(t, id); !taxi.Balanced() {
					t.Errorf("taxi = %+v", taxi)
				}
			}
		})
	}
}

// TestDuplicateDelivery delivers the same confirm (one event id) twice, in one batch and in two: one unit
// is taken, both messages are acknowledged, and the one answer is published once.
func TestDuplicateDelivery(t *testing.T) {
	tests := []struct {
		name    string
		batches []int // messages per batch, all the same event
	}{
		{"in one batch", []int{2}},
		{"across batches", []int{1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			env.seedTaxi(t, "t1", GradePrime, 2)
			confirm := confirmed("r1", "t1", GradePrime, 1)
			confirm.EventID = "evt-confirm-r1-1"
			ev := ebEvent(t, confirm)
			for i, n := range tt.batches {
				if err := env.deliver(t, slices.Repeat([]events.EventBridgeEvent{ev}, n)...); err != nil {
					t.Fatalf("batch %d: %v", i, err)
				}
			}
			if taxi := env.taxi(t, "t1"); taxi.StockCnt != 1 || taxi.AssignedCnt != 1 || !taxi.Balanced() {
				t.Errorf("taxi = %+v, want one unit taken", taxi)
			}
			if got := env.bus.Count(contracts.NameTaxiAssigned); got != 1 || len(env.bus.Names()) != 1 {
				t.Errorf("published %v, want TaxiAssigned once", env.bus.Names())
			}
		})
	}
}

// TestRedeliveryAfterALaterEventConverges: a confirm that failed is redelivered after the cancel of the
// same reservation was handled. The cancel left a tombstone, so the confirm takes no unit and answers
// with a rejection, as a confirm handled before the cancel would have ended with the unit released.
func TestRedeliveryAfterALaterEventConverges(t *testing.T) {
	env := newTestEnv(t)
	env.seedTaxi(t, "t1", GradePrime, 2)
	reads := 0
	env.flaky.failGetTaxi = func(string) bool { reads++; return reads == 1 }
	confirm := ebEvent(t, confirmed("r1", "t1", GradePrime, 1))
	failed, err := apitest.Submit(env.handlers, apitest.SQSBatch(t, confirm, ebEvent(t, canceled("r1"))))
	if err != nil || !slices.Equal(failed, []string{"msg-1"}) {
		t.Fatalf("reported %v, %v; want [msg-1]", failed, err)
	}
	env.publish(t)
	if err := env.deliver(t, confirm); err != nil {
		t.Fatalf("redelivery: %v", err)
	}
	if taxi := env.taxi(t, "t1"); taxi.StockCnt != 2 || !taxi.Balanced() {
		t.Errorf("taxi = %+v, want its 2 units free", taxi)
	}
	if a := env.assignment(t, "r1"); a == nil || a.Status != AssignmentCanceled {
		t.Errorf("assignment = %+v, want the CANCELED tombstone", a)
	}
	if names := env.bus.Names(); !slices.Equal(names, []string{contracts.NameTaxiAssignmentRejected}) {
		t.Errorf("published %v, want one rejection", names)
	}
}
