package main

import (
	"testing"

	"github.com/calltaxi/call-taxi/shared/contracts"
)

func completed(reservationID string) *contracts.ReservationCompleted {
	return &contracts.ReservationCompleted{Meta: contracts.Meta{EventID: "done-" + reservationID}, ReservationID: reservationID, OrderID: "o1", TaxiID: "t1"}
}

func TestReservationCompletedGivesTheTaxiBackOnce(t *testing.T) {
	tests := []struct {
		name      string
		before    []contracts.Event // handled first
		wantStock int64             // the taxi starts with 2
		wantRow   string            // "" = no assignment row
		wantDone  int64             // completedCnt
	}{
		{"an assigned ride gives its unit back", []contracts.Event{confirmed("r1", "t1", GradePrime, 1)}, 2, AssignmentCompleted, 1},
		{"a cancelled ride gave it back already", []contracts.Event{confirmed("r1", "t1", GradePrime, 1), canceled("r1")}, 2, AssignmentReleased, 0},
		{"a ride that never held a taxi", nil, 2, "", 0},
		{"a rejected attempt holds nothing", []contracts.Event{confirmed("r1", "t-missing", GradePrime, 1)}, 2, AssignmentRejected, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			env.seedTaxi(t, "t1", GradePrime, 2)
			for _, ev := range tt.before {
				if err := env.deliver(t, ebEvent(t, ev)); err != nil {
					t.Fatal(err)
				}
			}
			env.bus.Reset()
			for delivery := range 3 { // duplicates, one batch holding two copies too
				evs := []contracts.Event{completed("r1")}
				if delivery == 2 {
					evs = append(evs, completed("r1"))
				}
				for _, ev := range evs {
					if err := env.deliver(t, ebEvent(t, ev)); err != nil {
						t.Fatalf("delivery %d: %v", delivery, err)
					}
				}
				taxi := env.taxi(t, "t1")
				if taxi.StockCnt != tt.wantStock || taxi.CompletedCnt != tt.wantDone || !taxi.Balanced() {
					t.Fatalf("delivery %d: taxi = %+v, want stock %d, completedCnt %d, balanced", delivery, taxi, tt.wantStock, tt.wantDone)
				}
			}
			a := env.assignment(t, "r1")
			if (tt.wantRow == "" && a != nil) || (tt.wantRow != "" && (a == nil || a.Status != tt.wantRow)) {
				t.Errorf("assignment = %+v, want %q", a, tt.wantRow)
			}
			if names := env.bus.Names(); len(names) != 0 {
				t.Errorf("a completion answers nobody, published %v", names)
			}
			// A cancel arriving after the ride (it raced the pickup) finds nothing to release.
			if err := env.deliver(t, ebEvent(t, canceled("r1"))); err != nil {
				t.Fatal(err)
			}
			if taxi := env.taxi(t, "t1"); taxi.StockCnt != tt.wantStock || !taxi.Balanced() {
				t.Errorf("after a late cancel: %+v", taxi)
			}
		})
	}
}

func TestTaxiAssignedNamesTheDriver(t *testing.T) {
	env := newTestEnv(t)
	env.seedTaxi(t, "t1", GradePrime, 1)
	if err := env.deliver(t, ebEvent(t, confirmed("r1", "t1", GradePrime, 1))); err != nil {
		t.Fatal(err)
	}
	driver := env.taxi(t, "t1").DriverID
	evs := env.bus.Events()
	if len(evs) != 1 {
		t.Fatalf("published %v", env.bus.Names())
	}
	if a, ok := evs[0].(*contracts.TaxiAssigned); !ok || a.DriverID == "" || a.DriverID != driver {
		t.Errorf("TaxiAssigned = %+v, want driver %q", evs[0], driver)
	}
}
