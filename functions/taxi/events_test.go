package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

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
		wantRow    string // the assignment row's status afterwards
		wantName   string // TaxiAssigned expected, or
		wantReason string // TaxiAssignmentRejected with this reason
	}{
		{"assigns", GradePrime, 2, nil, confirmed("r1", "t1", GradePrime, 1), 1, AssignmentAssigned, contracts.NameTaxiAssigned, ""},
		{"unknown taxi", GradePrime, 2, nil, confirmed("r1", "t-missing", GradePrime, 1), 2, AssignmentRejected, contracts.NameTaxiAssignmentRejected, "taxi not found"},
		{"wrong grade", GradeBasic, 2, nil, confirmed("r1", "t1", GradePlatinum, 1), 2, AssignmentRejected, contracts.NameTaxiAssignmentRejected, "taxi grade basic does not match booking grade platinum"},
		{"no stock", GradePrime, 0, nil, confirmed("r1", "t1", GradePrime, 1), 0, AssignmentRejected, contracts.NameTaxiAssignmentRejected, "no taxi available"},
		{"cancelled first", GradePrime, 2, canceled("r1"), confirmed("r1", "t1", GradePrime, 1), 2, AssignmentCanceled, contracts.NameTaxiAssignmentRejected, "reservation canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			env.seedTaxi(t, "t1", tt.grade, tt.stock)
			if tt.before != nil {
				if err := env.deliver(t, ebEvent(t, tt.before)); err != nil {
					t.Fatal(err)
				}
				env.bus.Reset()
			}
			ev := ebEvent(t, tt.event)
			for delivery := range 3 { // redeliveries must change nothing: the attempt is answered once
				if err := env.deliver(t, ev); err != nil {
					t.Fatalf("delivery %d: %v", delivery, err)
				}
				taxi := env.taxi(t, "t1")
				if taxi.StockCnt != tt.wantStock || !taxi.Balanced() {
					t.Fatalf("delivery %d: taxi = %+v, want stock %d and balanced counters", delivery, taxi, tt.wantStock)
				}
				if a := env.assignment(t, "r1"); a == nil || a.Status != tt.wantRow || a.Attempt != 1 {
					t.Fatalf("delivery %d: assignment = %+v, want %s answering attempt 1", delivery, a, tt.wantRow)
				}
			}
			published := env.bus.Events()
			if len(published) != 1 || published[0].Base().EventID == "" {
				t.Fatalf("published %v, want one answer", env.bus.Names())
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
	if err := env.deliver(t, ebEvent(t, confirmed("r1", "t1", GradePlatinum, 3))); err != nil {
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
		wantReleased int // TaxiReleased over all deliveries
	}{
		{"nothing held leaves a tombstone", false, AssignmentCanceled, 0},
		{"a held taxi is released", true, AssignmentReleased, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			env.seedTaxi(t, "t1", GradeBasic, 1)
			if tt.confirmFirst {
				if err := env.deliver(t, ebEvent(t, confirmed("r1", "t1", GradeBasic, 1))); err != nil {
					t.Fatal(err)
				}
				env.bus.Reset()
			}
			ev := ebEvent(t, canceled("r1"))
			for delivery := range 3 {
				if err := env.deliver(t, ev); err != nil {
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
			if got := env.bus.Count(contracts.NameTaxiReleased); got != tt.wantReleased || len(env.bus.Names()) != got {
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

// While PutEvents fails, the consumer still records its answer and acknowledges the message; the answer's
// event follows from the stream record, which is retried until PutEvents recovers.
func TestPutEventsFailureDelaysButNeverLosesTheAnswer(t *testing.T) {
	tests := []struct {
		name    string
		prepare []contracts.Event
		event   contracts.Event
		want    string
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
				if err := env.deliver(t, ebEvent(t, ev)); err != nil {
					t.Fatal(err)
				}
			}
			env.bus.Reset()
			env.bus.Fail = true
			if err := apitest.Deliver(t, env.handlers, ebEvent(t, tt.event)); err != nil {
				t.Fatalf("the consumer depends on EventBridge: %v", err)
			}
			after := env.taxi(t, "t1")
			batch := env.stream.Next(t)
			if failed, err := apitest.SubmitStream(env.handlers, batch); err != nil || len(failed) != 1 {
				t.Fatalf("reported %v %v, want the answer's record", failed, err)
			}
			env.bus.Fail = false
			if failed, err := apitest.SubmitStream(env.handlers, batch); err != nil || len(failed) != 0 {
				t.Fatalf("retry reported %v %v", failed, err)
			}
			if names := env.bus.Names(); len(names) != 1 || names[0] != tt.want {
				t.Errorf("published %v, want %s", names, tt.want)
			}
			if err := env.deliver(t, ebEvent(t, tt.event)); err != nil {
				t.Fatalf("redelivery: %v", err)
			}
			if replayed := env.taxi(t, "t1"); replayed != after || !replayed.Balanced() || len(env.bus.Names()) != 1 {
				t.Errorf("the redelivery changed something: %+v → %+v, published %v", after, replayed, env.bus.Names())
			}
		})
	}
}

// Each attempt is answered once: attempt 1 was rejected for lack of stock; the driver restocked; a
// redelivery of attempt 1 changes nothing, and the manager's attempt 2 with another taxi takes that one.
func TestStaleRedeliveryOfAnAnsweredAttemptChangesNothing(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	env.seedTaxi(t, "t1", GradePrime, 0)
	env.seedTaxi(t, "t2", GradePrime, 1)
	first := ebEvent(t, confirmed("r1", "t1", GradePrime, 1))
	if err := env.deliver(t, first); err != nil {
		t.Fatal(err)
	}
	if _, err := env.service.Update(ctx, driverSub, "t1", Update{StockCnt: ptr(1)}); err != nil {
		t.Fatal(err)
	}
	if err := env.deliver(t, first); err != nil {
		t.Fatal(err)
	}
	if t1 := env.taxi(t, "t1"); t1.StockCnt != 1 {
		t.Errorf("the stale redelivery took a unit: %+v", t1)
	}
	if err := env.deliver(t, ebEvent(t, confirmed("r1", "t2", GradePrime, 2))); err != nil {
		t.Fatal(err)
	}
	evs := env.bus.Events()
	if len(evs) != 2 {
		t.Fatalf("published %v, want the rejection of attempt 1 and the assignment of attempt 2", env.bus.Names())
	}
	if r, ok := evs[0].(*contracts.TaxiAssignmentRejected); !ok || r.Attempt != 1 || r.TaxiID != "t1" || r.Reason != ReasonNoTaxiAvailable {
		t.Errorf("first answer %+v", evs[0])
	}
	if a, ok := evs[1].(*contracts.TaxiAssigned); !ok || a.Attempt != 2 || a.TaxiID != "t2" || a.TaxiName != "Taxi t2" {
		t.Errorf("second answer %+v", evs[1])
	}
	if t2 := env.taxi(t, "t2"); t2.StockCnt != 0 || !t2.Balanced() {
		t.Errorf("t2 = %+v", t2)
	}
}

// A row written before rejections were recorded can hold a unit for an older attempt than the
// reservation's; that unit answers the newer attempt, and no second unit is taken.
func TestHeldUnitAnswersANewerAttempt(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	env.seedTaxi(t, "t1", GradePrime, 1)
	env.seedTaxi(t, "t2", GradePrime, 1)
	if err := env.store.Assign(ctx, newAssignment("r1", "t1", "Taxi t1", AssignmentAssigned, 1, time.Now()), GradePrime); err != nil {
		t.Fatal(err)
	}
	env.stream.Next(t)
	second := ebEvent(t, confirmed("r1", "t2", GradePrime, 2))
	for range 2 {
		if err := env.deliver(t, second); err != nil {
			t.Fatal(err)
		}
	}
	evs := env.bus.Events()
	if len(evs) != 1 {
		t.Fatalf("published %v, want one TaxiAssigned", env.bus.Names())
	}
	if got, ok := evs[0].(*contracts.TaxiAssigned); !ok || got.Attempt != 2 || got.TaxiID != "t1" || got.TaxiName != "Taxi t1" {
		t.Errorf("published %+v, want TaxiAssigned of attempt 2 with the held taxi t1", evs[0])
	}
	if t2 := env.taxi(t, "t2"); t2.StockCnt != 1 {
		t.Errorf("a second unit was taken: %+v", t2)
	}
	if a := env.assignment(t, "r1"); a.Status != AssignmentAssigned || a.Attempt != 2 || a.TaxiID != "t1" {
		t.Errorf("assignment = %+v", a)
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
			if err := env.deliver(t, tt.ev); (err != nil) != tt.wantReport {
				t.Fatalf("delivery: %v, want reported %t", err, tt.wantReport)
			}
			if len(env.bus.Names()) != 0 {
				t.Errorf("published %v", env.bus.Names())
			}
		})
	}
}
