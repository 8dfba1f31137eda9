package main

import (
	"slices"
	"testing"
	"time"

	"github.com/calltaxi/call-taxi/shared/apperr"
	"github.com/calltaxi/call-taxi/shared/contracts"
)

var now = time.Date(2025, 1, 2, 3, 4, 5, 6_000_000, time.UTC)

func row(status string, attempt int, taxiID string) *Reservation {
	return &Reservation{ID: "rsv-o1", Entity: entityReservation, OrderID: "o1", CustomerID: "c1", OrderType: "prime",
		Status: status, AssignAttempt: attempt, TaxiID: taxiID, Version: 3, CorrelationID: "corr"}
}

func names(evs []contracts.Event) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, ev.EventName())
	}
	return out
}

// published is what the stream record of a step's write publishes (nothing when it writes nothing).
func published(t *testing.T, cur *Reservation, step Step) []string {
	t.Helper()
	if step.Next == nil {
		return nil
	}
	evs, err := transitionEvents(cur, *step.Next)
	if err != nil {
		t.Fatalf("derive: %v", err)
	}
	return names(evs)
}

func TestEventTransitions(t *testing.T) {
	approved := &contracts.OrderPlaced{OrderID: "o1", CustomerID: "c1", OrderType: "prime"}
	canceled := &contracts.OrderCanceled{OrderID: "o1", CustomerID: "c1"}
	assigned := &contracts.TaxiAssigned{ReservationID: "rsv-o1", TaxiID: "t1", TaxiName: "Blue", Attempt: 2}
	rejected := &contracts.TaxiAssignmentRejected{ReservationID: "rsv-o1", TaxiID: "t1", Attempt: 2, Reason: "no taxi available"}
	released := &contracts.TaxiReleased{ReservationID: "rsv-o1", TaxiID: "t1"}
	releasedRow := row(StatusCanceled, 2, "t1")
	releasedRow.TaxiReleased = true
	onApproved := func(cur *Reservation) Step { return OnOrderPlaced(cur, approved, now) }
	onCanceled := func(cur *Reservation) Step { return OnOrderCanceled(cur, canceled, now) }
	onAssigned := func(cur *Reservation) Step { return OnTaxiAssigned(cur, assigned, now) }
	onRejected := func(cur *Reservation) Step { return OnTaxiAssignmentRejected(cur, rejected, now) }
	onReleased := func(cur *Reservation) Step { return OnTaxiReleased(cur, released, now) }

	tests := []struct {
		name        string
		cur         *Reservation
		on          func(cur *Reservation) Step
		wantStatus  string   // "" = no write
		wantPublish []string // what the write's stream record publishes
	}{
		{"approved creates REQUESTED", nil, onApproved, StatusRequested, []string{contracts.NameReservationRequested}},
		{"approved replay does nothing", row(StatusRequested, 0, ""), onApproved, "", nil},
		{"approved after tombstone does nothing", row(StatusCanceled, 0, ""), onApproved, "", nil},
		{"approved on ASSIGNING does nothing", row(StatusAssigning, 1, "t1"), onApproved, "", nil},
		{"cancel before payment is a tombstone", nil, onCanceled, StatusCanceled, []string{contracts.NameReservationCanceled}},
		{"cancel REQUESTED", row(StatusRequested, 0, ""), onCanceled, StatusCanceled, []string{contracts.NameReservationCanceled}},
		{"cancel ASSIGNING", row(StatusAssigning, 1, "t1"), onCanceled, StatusCanceled, []string{contracts.NameReservationCanceled}},
		{"cancel CONFIRMED", row(StatusConfirmed, 1, "t1"), onCanceled, StatusCanceled, []string{contracts.NameReservationCanceled}},
		{"cancel replay does nothing", row(StatusCanceled, 1, "t1"), onCanceled, "", nil},
		{"assigned current attempt confirms", row(StatusAssigning, 2, "t1"), onAssigned, StatusConfirmed, nil},
		{"assigned stale attempt ignored", row(StatusAssigning, 3, "t1"), onAssigned, "", nil},
		{"assigned when REQUESTED ignored", row(StatusRequested, 2, ""), onAssigned, "", nil},
		{"assigned when CONFIRMED ignored", row(StatusConfirmed, 2, "t1"), onAssigned, "", nil},
		{"assigned after cancel ignored (the cancel's event releases)", row(StatusCanceled, 2, "t1"), onAssigned, "", nil},
		{"assigned unknown reservation ignored", nil, onAssigned, "", nil},
		{"rejected current attempt back to REQUESTED", row(StatusAssigning, 2, "t1"), onRejected, StatusRequested, nil},
		{"rejected stale attempt ignored", row(StatusAssigning, 1, "t1"), onRejected, "", nil},
		{"rejected after cancel ignored", row(StatusCanceled, 2, "t1"), onRejected, "", nil},
		{"released marks a CANCELED row", row(StatusCanceled, 2, "t1"), onReleased, StatusCanceled, nil},
		{"released twice does nothing", releasedRow, onReleased, "", nil},
		{"released on CONFIRMED ignored", row(StatusConfirmed, 2, "t1"), onReleased, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step := tt.on(tt.cur)
			gotStatus := ""
			if step.Next != nil {
				gotStatus = step.Next.Status
			}
			if gotStatus != tt.wantStatus {
				t.Errorf("write status = %q, want %q", gotStatus, tt.wantStatus)
			}
			if got := published(t, tt.cur, step); !slices.Equal(got, tt.wantPublish) {
				t.Errorf("publish = %v, want %v", got, tt.wantPublish)
			}
		})
	}
}

func TestTransitionRows(t *testing.T) {
	t.Run("new row carries the contract attributes", func(t *testing.T) {
		step := OnOrderPlaced(nil, &contracts.OrderPlaced{Meta: contracts.Meta{CorrelationID: "corr-9"}, OrderID: "o9", CustomerID: "c9", OrderType: "basic"}, now)
		r := step.Next
		if r.ID != "rsv-o9" || r.Entity != "reservation" || r.Version != 1 || r.CorrelationID != "corr-9" || r.CreatedAt != "2025-01-02T03:04:05.006Z" || r.OrderType != "basic" {
			t.Errorf("row = %+v", r)
		}
		evs, err := transitionEvents(nil, *r)
		if err != nil || len(evs) != 1 {
			t.Fatalf("derived %v, %v", evs, err)
		}
		ev := evs[0].(*contracts.ReservationRequested)
		if ev.ReservationID != "rsv-o9" || ev.CorrelationID != "corr-9" || ev.OrderType != "basic" {
			t.Errorf("event = %+v", ev)
		}
	})
	t.Run("assigned sets the taxi and bumps the version", func(t *testing.T) {
		r := OnTaxiAssigned(row(StatusAssigning, 2, "t1"), &contracts.TaxiAssigned{TaxiID: "t1", TaxiName: "Blue", Attempt: 2}, now).Next
		if r.TaxiName != "Blue" || r.TaxiID != "t1" || r.Version != 4 || r.UpdatedAt != "2025-01-02T03:04:05.006Z" {
			t.Errorf("row = %+v", r)
		}
	})
	t.Run("rejected clears the taxi and keeps the reason", func(t *testing.T) {
		r := OnTaxiAssignmentRejected(row(StatusAssigning, 2, "t1"), &contracts.TaxiAssignmentRejected{Attempt: 2, Reason: "no taxi available"}, now).Next
		if r.TaxiID != "" || r.RejectReason != "no taxi available" || r.AssignAttempt != 2 {
			t.Errorf("row = %+v", r)
		}
	})
}

func TestConfirmRule(t *testing.T) {
	rejectedRow := row(StatusRequested, 1, "")
	rejectedRow.RejectReason = "no taxi available"
	tests := []struct {
		name        string
		cur         *Reservation
		taxiID      string
		wantKind    apperr.Kind // KindInternal = success
		wantWrite   bool
		wantAttempt int
	}{
		{"REQUESTED confirms", row(StatusRequested, 0, ""), "t1", apperr.KindInternal, true, 1},
		{"after a rejection the attempt grows", rejectedRow, "t2", apperr.KindInternal, true, 2},
		{"same taxi while ASSIGNING changes nothing", row(StatusAssigning, 1, "t1"), "t1", apperr.KindInternal, false, 1},
		{"other taxi while ASSIGNING conflicts", row(StatusAssigning, 1, "t1"), "t2", apperr.KindConflict, false, 0},
		{"CONFIRMED conflicts", row(StatusConfirmed, 1, "t1"), "t1", apperr.KindConflict, false, 0},
		{"CANCELED conflicts", row(StatusCanceled, 0, ""), "t1", apperr.KindConflict, false, 0},
		{"missing is not found", nil, "t1", apperr.KindNotFound, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step, err := Confirm(tt.cur, "rsv-o1", tt.taxiID, now)
			if tt.wantKind != apperr.KindInternal {
				if apperr.KindOf(err) != tt.wantKind {
					t.Fatalf("err = %v, want kind %v", err, tt.wantKind)
				}
				return
			}
			if err != nil {
				t.Fatalf("Confirm: %v", err)
			}
			if (step.Next != nil) != tt.wantWrite {
				t.Fatalf("write = %v, want %v", step.Next != nil, tt.wantWrite)
			}
			if step.Next == nil {
				return
			}
			if step.Next.Status != StatusAssigning || step.Next.RejectReason != "" || step.Next.AssignAttempt != tt.wantAttempt {
				t.Errorf("row = %+v", step.Next)
			}
			evs, err := transitionEvents(tt.cur, *step.Next)
			if err != nil || len(evs) != 1 {
				t.Fatalf("derived %v, %v", evs, err)
			}
			ev := evs[0].(*contracts.ReservationConfirmed)
			if ev.TaxiID != tt.taxiID || ev.Attempt != tt.wantAttempt || ev.OrderType != "prime" || ev.OrderID != "o1" || ev.ReservationID != "rsv-o1" {
				t.Errorf("event = %+v", ev)
			}
		})
	}
}

func TestConflictNamesState(t *testing.T) {
	_, err := Confirm(row(StatusConfirmed, 1, "t1"), "rsv-o1", "t1", now)
	if e, ok := apperr.As(err); !ok || e.Message != `reservation rsv-o1 is CONFIRMED` {
		t.Errorf("err = %v", err)
	}
}
