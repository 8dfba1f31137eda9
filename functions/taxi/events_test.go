package main

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/apitest"
	"github.com/calltaxi/call-taxi/shared/contracts"
)

func TestReservationConfirmed(t *testing.T) {
	tests := []struct {
		name       string
		grade      string
		stock      int64
		before     contracts.Event // handled first, e.g. a cancel
		event      *contracts.ReservationConfirmed
		wantStock  int64
		wantName   string // TaxiAssigned expected, or
		wantReason string // TaxiAssignmentRejected with this reason
	}{
		{"assigns", GradePrime, 2, nil, confirmed("r1", "t1", GradePrime, 1), 1, contracts.NameTaxiAssigned, ""},
		{"unknown taxi", GradePrime, 2, nil, confirmed("r1", "t-missing", GradePrime, 1), 2, contracts.NameTaxiAssignmentRejected, "taxi not found"},
		{"wrong grade", GradeBasic, 2, nil, confirmed("r1", "t1", GradePlatinum, 1), 2, contracts.NameTaxiAssignmentRejected, "taxi grade basic does not match booking grade platinum"},
		{"no stock", GradePrime, 0, nil, confirmed("r1", "t1", GradePrime, 1), 0, contracts.NameTaxiAssignmentRejected, "no taxi available"},
		{"cancelled first", GradePrime, 2, canceled("r1"), confirmed("r1", "t1", GradePrime, 1), 2, contracts.NameTaxiAssignmentRejected, "reservation canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			env.seedTaxi(t, "t1", tt.grade, tt.stock)
			if tt.before != nil {
				if err := apitest.Deliver(t, env.handlers, ebEvent(t, tt.before)); err != nil {
					t.Fatal(err)
				}
				env.bus.Reset()
			}
			ev := ebEvent(t, tt.event)
			for delivery := range 3 { // redeliveries must change nothing and give the same answer
				if err := apitest.Deliver(t, env.handlers, ev); err != nil {
					t.Fatalf("delivery %d: %v", delivery, err)
				}
				taxi := env.taxi(t, "t1")
				if taxi.StockCnt != tt.wantStock || !taxi.Balanced() {
					t.Fatalf("delivery %d: taxi = %+v, want stock %d and balanced counters", delivery, taxi, tt.wantStock)
				}
			}
			published := env.bus.Events()
			if len(published) != 3 {
				t.Fatalf("published %v, want one answer per delivery", env.bus.Names())
			}
			for _, p := range published {
				switch e := p.(type) {
				case *contracts.TaxiAssigned:
					if tt.wantName != contracts.NameTaxiAssigned || e.ReservationID != "r1" || e.TaxiID != "t1" || e.TaxiName != "Taxi t1" || e.Attempt != 1 {
						t.Errorf("got %+v", e)
					}
				case *contracts.TaxiAssignmentRejected:
					if tt.wantName != contracts.NameTaxiAssignmentRejected || e.Reason != tt.wantReason || e.Attempt != 1 || e.TaxiID != tt.event.TaxiID {
						t.Errorf("got %+v, want reason %q", e, tt.wantReason)
					}
				default:
					t.Errorf("unexpected %s", p.EventName())
				}
			}
		})
	}
}

func TestAssignedRowAndCounters(t *testing.T) {
	env := newTestEnv(t)
	env.seedTaxi(t, "t1", GradePlatinum, 5)
	if err := apitest.Deliver(t, env.handlers, ebEvent(t, confirmed("r1", "t1", GradePlatinum, 3))); err != nil {
		t.Fatal(err)
	}
	a := env.assignment(t, "r1")
	if a == nil || a.Status != AssignmentAssigned || a.TaxiID != "t1" || a.TaxiName != "Taxi t1" || a.Attempt != 3 || a.CreatedAt == "" {
		t.Errorf("assignment = %+v", a)
	}
	taxi := env.taxi(t, "t1")
	if taxi.StockCnt != 4 || taxi.AssignedCnt != 1 || taxi.Version != 2 || !taxi.Balanced() {
		t.Errorf("taxi = %+v", taxi)
	}
}

func TestReservationCanceled(t *testing.T) {
	tests := []struct {
		name         string
		confirmFirst bool
		wantStatus   string
		wantReleased int // TaxiReleased per delivery
	}{
		{"nothing held leaves a tombstone", false, AssignmentCanceled, 0},
		{"a held taxi is released", true, AssignmentReleased, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			env.seedTaxi(t, "t1", GradeBasic, 1)
			if tt.confirmFirst {
				if err := apitest.Deliver(t, env.handlers, ebEvent(t, confirmed("r1", "t1", GradeBasic, 1))); err != nil {
					t.Fatal(err)
				}
				env.bus.Reset()
			}
			ev := ebEvent(t, canceled("r1"))
			for delivery := range 3 {
				if err := apitest.Deliver(t, env.handlers, ev); err != nil {
					t.Fatalf("delivery %d: %v", delivery, err)
				}
				taxi := env.taxi(t, "t1")
				if taxi.StockCnt != 1 || !taxi.Balanced() {
					t.Fatalf("delivery %d: taxi = %+v", delivery, taxi)
				}
				if a := env.assignment(t, "r1"); a == nil || a.Status != tt.wantStatus {
					t.Fatalf("assignment = %+v, want %s", a, tt.wantStatus)
				}
			}
			if got := env.bus.Count(contracts.NameTaxiReleased); got != 3*tt.wantReleased || len(env.bus.Names()) != got {
				t.Errorf("published %v", env.bus.Names())
			}
			if tt.confirmFirst {
				if taxi := env.taxi(t, "t1"); taxi.AssignedCnt != 1 || taxi.ReleasedCnt != 1 {
					t.Errorf("taxi = %+v", taxi)
				}
				if e := env.bus.Events()[0].(*contracts.TaxiReleased); e.ReservationID != "r1" || e.TaxiID != "t1" {
					t.Errorf("event = %+v", e)
				}
			}
		})
	}
}

func TestPublishFailureIsRetriedAndRepaired(t *testing.T) {
	tests := []struct {
		name      string
		prepare   []contracts.Event
		event     contracts.Event
		republish string
	}{
		{"assigned", nil, confirmed("r1", "t1", GradePrime, 1), contracts.NameTaxiAssigned},
		{"rejected", []contracts.Event{canceled("r1")}, confirmed("r1", "t1", GradePrime, 1), contracts.NameTaxiAssignmentRejected},
		{"released", []contracts.Event{confirmed("r1", "t1", GradePrime, 1)}, canceled("r1"), contracts.NameTaxiReleased},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			env.seedTaxi(t, "t1", GradePrime, 1)
			for _, ev := range tt.prepare {
				if err := apitest.Deliver(t, env.handlers, ebEvent(t, ev)); err != nil {
					t.Fatal(err)
				}
			}
			env.bus.Reset()
			ev := ebEvent(t, tt.event)
			env.bus.Fail = true
			if err := apitest.Deliver(t, env.handlers, ev); err == nil {
				t.Fatal("publish failure was swallowed: the queue would not redeliver")
			}
			after := env.taxi(t, "t1")
			env.bus.Fail = false
			if err := apitest.Deliver(t, env.handlers, ev); err != nil {
				t.Fatalf("replay: %v", err)
			}
			if names := env.bus.Names(); len(names) != 1 || names[0] != tt.republish {
				t.Errorf("replay published %v, want %s", names, tt.republish)
			}
			if replayed := env.taxi(t, "t1"); replayed != after || !replayed.Balanced() {
				t.Errorf("replay changed the taxi: %+v → %+v", after, replayed)
			}
		})
	}
}

func TestStaleRedeliveryAnswersTheCurrentAttempt(t *testing.T) {
	// Attempt 1 was rejected for lack of stock; the driver restocked; attempt 1 is redelivered and
	// succeeds while the manager's attempt 2 is in flight. Attempt 2 must be answered with the held taxi.
	env := newTestEnv(t)
	ctx := context.Background()
	env.seedTaxi(t, "t1", GradePrime, 0)
	env.seedTaxi(t, "t2", GradePrime, 1)
	first := ebEvent(t, confirmed("r1", "t1", GradePrime, 1))
	if err := apitest.Deliver(t, env.handlers, first); err != nil {
		t.Fatal(err)
	}
	if _, err := env.service.Update(ctx, driverSub, "t1", Update{StockCnt: ptr(1)}); err != nil {
		t.Fatal(err)
	}
	if err := apitest.Deliver(t, env.handlers, first); err != nil {
		t.Fatal(err)
	}
	env.bus.Reset()
	if err := apitest.Deliver(t, env.handlers, ebEvent(t, confirmed("r1", "t2", GradePrime, 2))); err != nil {
		t.Fatal(err)
	}
	got, ok := env.bus.Events()[0].(*contracts.TaxiAssigned)
	if !ok || got.Attempt != 2 || got.TaxiID != "t1" {
		t.Errorf("published %+v, want TaxiAssigned of attempt 2 with the held taxi t1", env.bus.Events()[0])
	}
	if t2 := env.taxi(t, "t2"); t2.StockCnt != 1 {
		t.Errorf("a second unit was taken: %+v", t2)
	}
}

func TestPoisonIsReportedAndUnknownEventsAcknowledged(t *testing.T) {
	tests := []struct {
		name       string
		ev         events.EventBridgeEvent
		wantReport bool // poison goes to the dead-letter queue after maxReceiveCount receives
	}{
		{"unknown detail-type", events.EventBridgeEvent{DetailType: "OrderPlaced", Detail: json.RawMessage(`{}`)}, false},
		{"malformed detail", events.EventBridgeEvent{DetailType: contracts.NameReservationConfirmed, Detail: json.RawMessage(`{"attempt":"one"}`)}, true},
		{"confirm without taxi", events.EventBridgeEvent{DetailType: contracts.NameReservationConfirmed, Detail: json.RawMessage(`{"reservationId":"r1","attempt":1}`)}, true},
		{"cancel without reservation", events.EventBridgeEvent{DetailType: contracts.NameReservationCanceled, Detail: json.RawMessage(`{"orderId":"o1"}`)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			if err := apitest.Deliver(t, env.handlers, tt.ev); (err != nil) != tt.wantReport {
				t.Fatalf("delivery: %v, want reported %t", err, tt.wantReport)
			}
			if len(env.bus.Names()) != 0 {
				t.Errorf("published %v", env.bus.Names())
			}
		})
	}
}
