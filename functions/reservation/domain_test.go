package main

import (
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

func TestEventTransitions(t *testing.T) {
	approved := &contracts.PaymentApproved{OrderID: "o1", CustomerID: "c1", OrderType: "prime"}
	canceled := &contracts.OrderCanceled{OrderID: "o1", CustomerID: "c1"}
	assigned := &contracts.TaxiAssigned{ReservationID: "rsv-o1", TaxiID: "t1", TaxiName: "Blue", Attempt: 2}
	rejected := &contracts.TaxiAssignmentRejected{ReservationID: "rsv-o1", TaxiID: "t1", Attempt: 2, Reason: "no taxi available"}
	released := &contracts.TaxiReleased{ReservationID: "rsv-o1", TaxiID: "t1"}
	releasedRow := row(StatusCanceled, 2, "t1")
	releasedRow.TaxiReleased = true

	tests := []struct {
		name        string
		step        Step
		wantStatus  string // "" = no write
		wantPublish []string
	}{
		{"approved creates REQUESTED", OnPaymentApproved(nil, approved, now), StatusRequested, []string{contracts.NameReservationRequested}},
		{"approved replay republishes", OnPaymentApproved(row(StatusRequested, 0, ""), approved, now), "", []string{contracts.NameReservationRequested}},
		{"approved after tombstone does nothing", OnPaymentApproved(row(StatusCanceled, 0, ""), approved, now), "", nil},
		{"approved on ASSIGNING does nothing", OnPaymentApproved(row(StatusAssigning, 1, "t1"), approved, now), "", nil},
		{"cancel before payment is a tombstone", OnOrderCanceled(nil, canceled, now), StatusCanceled, []string{contracts.NameReservationCanceled}},
		{"cancel REQUESTED", OnOrderCanceled(row(StatusRequested, 0, ""), canceled, now), StatusCanceled, []string{contracts.NameReservationCanceled}},
		{"cancel ASSIGNING", OnOrderCanceled(row(StatusAssigning, 1, "t1"), canceled, now), StatusCanceled, []string{contracts.NameReservationCanceled}},
		{"cancel CONFIRMED", OnOrderCanceled(row(StatusConfirmed, 1, "t1"), canceled, now), StatusCanceled, []string{contracts.NameReservationCanceled}},
		{"cancel replay republishes", OnOrderCanceled(row(StatusCanceled, 1, "t1"), canceled, now), "", []string{contracts.NameReservationCanceled}},
		{"assigned current attempt confirms", OnTaxiAssigned(row(StatusAssigning, 2, "t1"), assigned, now), StatusConfirmed, nil},
		{"assigned stale attempt ignored", OnTaxiAssigned(row(StatusAssigning, 3, "t1"), assigned, now), "", nil},
		{"assigned when REQUESTED ignored", OnTaxiAssigned(row(StatusRequested, 2, ""), assigned, now), "", nil},
		{"assigned when CONFIRMED ignored", OnTaxiAssigned(row(StatusConfirmed, 2, "t1"), assigned, now), "", nil},
		{"assigned after cancel asks for release", OnTaxiAssigned(row(StatusCanceled, 2, "t1"), assigned, now), "", []string{contracts.NameReservationCanceled}},
		{"assigned unknown reservation ignored", OnTaxiAssigned(nil, assigned, now), "", nil},
		{"rejected current attempt back to REQUESTED", OnTaxiAssignmentRejected(row(StatusAssigning, 2, "t1"), rejected, now), StatusRequested, nil},
		{"rejected stale attempt ignored", OnTaxiAssignmentRejected(row(StatusAssigning, 1, "t1"), rejected, now), "", nil},
		{"rejected after cancel ignored", OnTaxiAssignmentRejected(row(StatusCanceled, 2, "t1"), rejected, now), "", nil},
		{"released marks a CANCELED row", OnTaxiReleased(row(StatusCanceled, 2, "t1"), released, now), StatusCanceled, nil},
		{"released twice does nothing", OnTaxiReleased(releasedRow, released, now), "", nil},
		{"released on CONFIRMED ignored", OnTaxiReleased(row(StatusConfirmed, 2, "t1"), released, now), "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotStatus := ""
			if tt.step.Next != nil {
				gotStatus = tt.step.Next.Status
			}
			if gotStatus != tt.wantStatus {
				t.Errorf("write status = %q, want %q", gotStatus, tt.wantStatus)
			}
			if got := names(tt.step.Publish); len(got) != len(tt.wantPublish) || (len(got) > 0 && got[0] != tt.wantPublish[0]) {
				t.Errorf("publish = %v, want %v", got, tt.wantPublish)
			}
		})
	}
}

func TestTransitionRows(t *testing.T) {
	t.Run("new row carries the contract attributes", func(t *testing.T) {
		step := OnPaymentApproved(nil, &contracts.PaymentApproved{Meta: contracts.Meta{CorrelationID: "corr-9"}, OrderID: "o9", CustomerID: "c9", OrderType: "basic"}, now)
		r := step.Next
		if r.ID != "rsv-o9" || r.Entity != "reservation" || r.Version != 1 || r.CorrelationID != "corr-9" || r.CreatedAt != "2025-01-02T03:04:05.006Z" || r.OrderType != "basic" {
			t.Errorf("row = %+v", r)
		}
		ev := step.Publish[0].(*contracts.ReservationRequested)
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
		{"same taxi while ASSIGNING republishes", row(StatusAssigning, 1, "t1"), "t1", apperr.KindInternal, false, 1},
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
			ev := step.Publish[0].(*contracts.ReservationConfirmed)
			if ev.TaxiID != tt.taxiID || ev.Attempt != tt.wantAttempt || ev.OrderType != "prime" {
				t.Errorf("event = %+v", ev)
			}
			if step.Next != nil && (step.Next.Status != StatusAssigning || step.Next.RejectReason != "" || step.Next.AssignAttempt != tt.wantAttempt) {
				t.Errorf("row = %+v", step.Next)
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
