package main

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/apitest"
	"github.com/calltaxi/call-taxi/shared/contracts"
)

func TestEventHandlerLifecycle(t *testing.T) {
	approved := &contracts.OrderPlaced{Meta: contracts.Meta{CorrelationID: "corr-1"}, PaymentID: "pay-o1", OrderID: "o1", CustomerID: "c1", OrderType: "prime", Fare: 5700}
	tests := []struct {
		name        string
		seed        *Reservation
		event       contracts.Event
		wantStatus  string
		wantVersion int64
		wantPublish map[string]int
	}{
		{"payment approved creates REQUESTED", nil, approved, StatusRequested, 1, map[string]int{contracts.NameReservationRequested: 1}},
		{"order canceled first leaves a tombstone", nil, &contracts.OrderCanceled{OrderID: "o1", CustomerID: "c1"}, StatusCanceled, 1, map[string]int{contracts.NameReservationCanceled: 1}},
		{"late payment after tombstone creates nothing", &Reservation{ID: "rsv-o1", OrderID: "o1", CustomerID: "c1", Status: StatusCanceled}, approved, StatusCanceled, 1, nil},
		{"cancel CONFIRMED asks the taxi to release", &Reservation{ID: "rsv-o1", OrderID: "o1", CustomerID: "c1", Status: StatusConfirmed, TaxiID: "t1", AssignAttempt: 1, Version: 4}, &contracts.OrderCanceled{OrderID: "o1"}, StatusCanceled, 5, map[string]int{contracts.NameReservationCanceled: 1}},
		{"taxi assigned confirms the attempt", &Reservation{ID: "rsv-o1", OrderID: "o1", Status: StatusAssigning, TaxiID: "t1", AssignAttempt: 2, Version: 3}, &contracts.TaxiAssigned{ReservationID: "rsv-o1", TaxiID: "t1", TaxiName: "Blue", Attempt: 2}, StatusConfirmed, 4, nil},
		{"taxi assigned after cancel changes nothing", &Reservation{ID: "rsv-o1", OrderID: "o1", Status: StatusCanceled, AssignAttempt: 2, Version: 3}, &contracts.TaxiAssigned{ReservationID: "rsv-o1", TaxiID: "t1", TaxiName: "Blue", Attempt: 2}, StatusCanceled, 3, nil},
		{"rejection returns to REQUESTED", &Reservation{ID: "rsv-o1", OrderID: "o1", Status: StatusAssigning, TaxiID: "t1", AssignAttempt: 1, Version: 2}, &contracts.TaxiAssignmentRejected{ReservationID: "rsv-o1", TaxiID: "t1", Attempt: 1, Reason: "no taxi available"}, StatusRequested, 3, nil},
		{"taxi released is recorded", &Reservation{ID: "rsv-o1", OrderID: "o1", Status: StatusCanceled, Version: 5}, &contracts.TaxiReleased{ReservationID: "rsv-o1", TaxiID: "t1"}, StatusCanceled, 6, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			if tt.seed != nil {
				env.seed(t, *tt.seed)
			}
			ev := ebEvent(t, tt.event)
			for delivery := range 2 { // the second delivery is a duplicate and must change nothing
				if err := env.deliver(t, ev); err != nil {
					t.Fatalf("delivery %d: %v", delivery, err)
				}
				got := env.row(t, "rsv-o1")
				if got == nil || got.Status != tt.wantStatus || got.Version != tt.wantVersion {
					t.Fatalf("delivery %d: row = %+v, want %s v%d", delivery, got, tt.wantStatus, tt.wantVersion)
				}
			}
			for name, want := range tt.wantPublish {
				// the write's stream record publishes; the duplicate writes nothing, so publishes nothing
				if got := env.bus.Count(name); got != want {
					t.Errorf("%s published %d times over 2 deliveries, want %d", name, got, want)
				}
			}
			if len(tt.wantPublish) == 0 && len(env.bus.Names()) != 0 {
				t.Errorf("published %v, want nothing", env.bus.Names())
			}
		})
	}
}

func TestEventHandlerRowContents(t *testing.T) {
	env := newTestEnv(t)
	approved := &contracts.OrderPlaced{Meta: contracts.Meta{CorrelationID: "corr-1"}, OrderID: "o1", CustomerID: "c1", OrderType: "prime"}
	if err := env.deliver(t, ebEvent(t, approved)); err != nil {
		t.Fatal(err)
	}
	got := env.row(t, "rsv-o1")
	if got.Entity != "reservation" || got.CustomerID != "c1" || got.OrderType != "prime" || got.CorrelationID != "corr-1" || got.CreatedAt == "" {
		t.Errorf("row = %+v", got)
	}
	ev := env.bus.Events()[0].(*contracts.ReservationRequested)
	if ev.CorrelationID != "corr-1" || ev.ReservationID != "rsv-o1" || ev.CustomerID != "c1" {
		t.Errorf("event = %+v", ev)
	}
}

// While PutEvents fails, a consumer still records its change and acknowledges the message; the event
// follows from the change's stream record, which is retried until PutEvents recovers.
func TestPutEventsFailureDelaysButNeverLosesTheEvent(t *testing.T) {
	tests := []struct {
		name  string
		event contracts.Event
		want  string
	}{
		{"payment approved", &contracts.OrderPlaced{OrderID: "o1", CustomerID: "c1", OrderType: "basic"}, contracts.NameReservationRequested},
		{"order canceled", &contracts.OrderCanceled{OrderID: "o1", CustomerID: "c1"}, contracts.NameReservationCanceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			env.bus.Fail = true
			if err := apitest.Deliver(t, env.handlers, ebEvent(t, tt.event)); err != nil {
				t.Fatalf("the consumer depends on EventBridge: %v", err)
			}
			if env.row(t, "rsv-o1") == nil {
				t.Fatal("row was not written")
			}
			batch := env.stream.Next(t)
			if failed := streamInvoke(t, env.handlers, batch); len(failed) != 1 {
				t.Fatalf("reported %v, want the write's record", failed)
			}
			env.bus.Fail = false
			if failed := streamInvoke(t, env.handlers, batch); len(failed) != 0 {
				t.Fatalf("retry reported %v", failed)
			}
			if names := env.bus.Names(); len(names) != 1 || names[0] != tt.want {
				t.Errorf("published %v, want one %s", names, tt.want)
			}
		})
	}
}

func TestPoisonIsReportedAndUnknownEventsAcknowledged(t *testing.T) {
	tests := []struct {
		name       string
		ev         events.EventBridgeEvent
		wantReport bool // poison goes to the dead-letter queue after maxReceiveCount receives
	}{
		{"unknown detail-type", events.EventBridgeEvent{DetailType: "SomethingElse", Detail: json.RawMessage(`{}`)}, false},
		{"malformed detail", events.EventBridgeEvent{DetailType: contracts.NameOrderPlaced, Detail: json.RawMessage(`{"orderId":5}`)}, true},
		{"missing order id", events.EventBridgeEvent{DetailType: contracts.NameOrderCanceled, Detail: json.RawMessage(`{"customerId":"c1"}`)}, true},
		{"missing reservation id", events.EventBridgeEvent{DetailType: contracts.NameTaxiAssigned, Detail: json.RawMessage(`{"taxiId":"t1","attempt":1}`)}, true},
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
