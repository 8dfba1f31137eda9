package main

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/calltaxi/call-taxi/shared/apitest"
	"github.com/calltaxi/call-taxi/shared/contracts"
)

func TestConcurrentConfirmsForTheLastTaxi(t *testing.T) {
	env := newTestEnv(t)
	env.seedTaxi(t, "t1", GradePrime, 1)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() {
			errs[i] = apitest.Deliver(t, env.handlers, ebEvent(t, confirmed(fmt.Sprintf("r%d", i), "t1", GradePrime, 1)))
		})
	}
	wg.Wait()
	env.publish(t)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("confirm %d: %v", i, err)
		}
	}
	if env.bus.Count(contracts.NameTaxiAssigned) != 1 || env.bus.Count(contracts.NameTaxiAssignmentRejected) != 1 {
		t.Fatalf("published %v, want one assigned and one rejected", env.bus.Names())
	}
	for _, ev := range env.bus.Events() {
		if r, ok := ev.(*contracts.TaxiAssignmentRejected); ok && r.Reason != ReasonNoTaxiAvailable {
			t.Errorf("rejected with %q", r.Reason)
		}
	}
	if taxi := env.taxi(t, "t1"); taxi.StockCnt != 0 || taxi.AssignedCnt != 1 || !taxi.Balanced() {
		t.Errorf("taxi = %+v", taxi)
	}
}

func TestCancelRacingConfirm(t *testing.T) {
	tests := []struct {
		name  string
		order string // "confirm-first", "cancel-first", "concurrent"
	}{
		{"confirm then cancel", "confirm-first"},
		{"cancel then confirm", "cancel-first"},
		{"concurrently", "concurrent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for round := range 5 {
				env := newTestEnv(t)
				env.seedTaxi(t, "t1", GradePrime, 3)
				confirm := func() error {
					return apitest.Deliver(t, env.handlers, ebEvent(t, confirmed("r1", "t1", GradePrime, 1)))
				}
				cancel := func() error { return apitest.Deliver(t, env.handlers, ebEvent(t, canceled("r1"))) }
				var errConfirm, errCancel error
				switch tt.order {
				case "confirm-first":
					errConfirm, errCancel = confirm(), cancel()
				case "cancel-first":
					errCancel, errConfirm = cancel(), confirm()
				default:
					var wg sync.WaitGroup
					wg.Go(func() { errConfirm = confirm() })
					wg.Go(func() { errCancel = cancel() })
					wg.Wait()
				}
				if errConfirm != nil || errCancel != nil {
					t.Fatalf("round %d: confirm %v, cancel %v", round, errConfirm, errCancel)
				}
				taxi := env.taxi(t, "t1")
				if taxi.StockCnt != 3 || !taxi.Balanced() {
					t.Fatalf("round %d: a cancelled reservation holds a taxi: %+v (assignment %+v)", round, taxi, env.assignment(t, "r1"))
				}
				if a := env.assignment(t, "r1"); a == nil || a.Status == AssignmentAssigned {
					t.Fatalf("round %d: assignment = %+v", round, a)
				}
			}
		})
	}
}

func TestRestockRacingAssignments(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	env.seedTaxi(t, "t1", GradeBasic, 5)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			if err := apitest.Deliver(t, env.handlers, ebEvent(t, confirmed(fmt.Sprintf("r%d", i), "t1", GradeBasic, 1))); err != nil {
				t.Errorf("confirm %d: %v", i, err)
			}
		})
	}
	wg.Go(func() {
		if _, err := env.service.Update(ctx, driverSub, "t1", Update{StockCnt: ptr(8)}); err != nil {
			t.Errorf("update: %v", err)
		}
	})
	wg.Wait()
	env.publish(t)
	taxi := env.taxi(t, "t1")
	if !taxi.Balanced() || taxi.AssignedCnt != int64(env.bus.Count(contracts.NameTaxiAssigned)) {
		t.Errorf("taxi = %+v, assigned events %d", taxi, env.bus.Count(contracts.NameTaxiAssigned))
	}
}
