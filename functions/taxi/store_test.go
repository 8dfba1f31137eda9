package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestAssignCancellationReasons checks that DynamoDB (minidyn, over HTTP through the real SDK) names the
// failed condition of the assignment transaction, and that a refused transaction changes nothing.
func TestAssignCancellationReasons(t *testing.T) {
	tests := []struct {
		name           string
		stock          int64
		grade          string
		taxiID         string
		preexisting    bool
		wantAssignment bool
		wantTaxi       bool
	}{
		{"out of stock", 0, GradePrime, "t1", false, false, true},
		{"wrong grade", 3, GradeBasic, "t1", false, false, true},
		{"missing taxi", 3, GradePrime, "t-missing", false, false, true},
		{"assignment exists", 3, GradePrime, "t1", true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			ctx := context.Background()
			env.seedTaxi(t, "t1", tt.grade, tt.stock)
			if tt.preexisting {
				if err := env.store.CancelUnassigned(ctx, newAssignment("r1", "", "", AssignmentCanceled, 0, time.Now())); err != nil {
					t.Fatal(err)
				}
			}
			before := env.taxi(t, "t1")
			err := env.store.Assign(ctx, newAssignment("r1", tt.taxiID, "Blue", AssignmentAssigned, 1, time.Now()), GradePrime)
			var refused *AssignRefusedError
			if !errors.As(err, &refused) {
				t.Fatalf("err = %v, want *AssignRefusedError", err)
			}
			if refused.AssignmentExists != tt.wantAssignment || refused.TaxiRefused != tt.wantTaxi {
				t.Errorf("refused = %+v, want assignment %v taxi %v (are CancellationReasons returned?)", refused, tt.wantAssignment, tt.wantTaxi)
			}
			if after := env.taxi(t, "t1"); after != before {
				t.Errorf("refused transaction changed the taxi: %+v → %+v", before, after)
			}
			if a := env.assignment(t, "r1"); !tt.preexisting && a != nil {
				t.Errorf("refused transaction left an assignment: %+v", a)
			}
		})
	}
}

func TestRefusalWithoutUsableReasons(t *testing.T) {
	tests := []struct {
		name    string
		reasons []types.CancellationReason
		want    AssignRefusedError
	}{
		{"none", nil, AssignRefusedError{true, true}},
		{"only a conflict", []types.CancellationReason{{Code: aws.String("TransactionConflict")}, {Code: aws.String("None")}}, AssignRefusedError{true, true}},
		{"both failed", []types.CancellationReason{{Code: aws.String("ConditionalCheckFailed")}, {Code: aws.String("ConditionalCheckFailed")}}, AssignRefusedError{true, true}},
		{"taxi only", []types.CancellationReason{{Code: aws.String("None")}, {Code: aws.String("ConditionalCheckFailed")}}, AssignRefusedError{false, true}},
		{"short list", []types.CancellationReason{{Code: aws.String("ConditionalCheckFailed")}}, AssignRefusedError{true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := refusal(tt.reasons); *got != tt.want {
				t.Errorf("got %+v, want %+v", *got, tt.want)
			}
		})
	}
}

// TestAnswersAreWrittenOncePerAttempt walks one reservation's row through the conditional writes: each
// attempt gets one answer, a rejection never overwrites a held unit, and a tombstone replaces only a row
// that holds nothing.
func TestAnswersAreWrittenOncePerAttempt(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	env.seedTaxi(t, "t1", GradePrime, 1)
	reject := func(attempt int) error {
		r := newAssignment("r1", "", "", AssignmentRejected, attempt, time.Now())
		r.RejectedTaxiID, r.RejectReason = "t1", ReasonNoTaxiAvailable
		return env.store.Reject(ctx, r)
	}
	assign := func(attempt int) error {
		return env.store.Assign(ctx, newAssignment("r1", "t1", "Taxi t1", AssignmentAssigned, attempt, time.Now()), GradePrime)
	}
	cancel := func() error {
		return env.store.CancelUnassigned(ctx, newAssignment("r1", "", "", AssignmentCanceled, 0, time.Now()))
	}
	var refused *AssignRefusedError
	steps := []struct {
		name       string
		write      func() error
		wantErr    func(error) bool
		wantStatus string
		wantAtt    int
	}{
		{"reject attempt 1", func() error { return reject(1) }, nil, AssignmentRejected, 1},
		{"attempt 1 again is answered", func() error { return reject(1) }, func(err error) bool { return errors.Is(err, ErrVersionConflict) }, AssignmentRejected, 1},
		{"attempt 1 cannot assign any more", func() error { return assign(1) }, func(err error) bool { return errors.As(err, &refused) && refused.AssignmentExists }, AssignmentRejected, 1},
		{"attempt 2 assigns over the rejection", func() error { return assign(2) }, nil, AssignmentAssigned, 2},
		{"a rejection never replaces a held unit", func() error { return reject(3) }, func(err error) bool { return errors.Is(err, ErrVersionConflict) }, AssignmentAssigned, 2},
		{"a held unit is no tombstone", cancel, func(err error) bool { return errors.Is(err, ErrAssignmentExists) }, AssignmentAssigned, 2},
	}
	for _, s := range steps {
		err := s.write()
		if (s.wantErr == nil) != (err == nil) || (err != nil && !s.wantErr(err)) {
			t.Fatalf("%s: err = %v", s.name, err)
		}
		if a := env.assignment(t, "r1"); a == nil || a.Status != s.wantStatus || a.Attempt != s.wantAtt {
			t.Fatalf("%s: row = %+v, want %s attempt %d", s.name, a, s.wantStatus, s.wantAtt)
		}
	}
	if taxi := env.taxi(t, "t1"); taxi.StockCnt != 0 || !taxi.Balanced() {
		t.Errorf("taxi = %+v", taxi)
	}

	// A rejection becomes a tombstone that keeps the attempt it answered; a later rejection keeps CANCELED.
	if err := env.store.Reject(ctx, Assignment{ReservationID: "r2", Attempt: 1, RejectedTaxiID: "t1", RejectReason: ReasonNoTaxiAvailable, UpdatedAt: "t"}); err != nil {
		t.Fatal(err)
	}
	if err := env.store.CancelUnassigned(ctx, newAssignment("r2", "", "", AssignmentCanceled, 0, time.Now())); err != nil {
		t.Fatal(err)
	}
	if a := env.assignment(t, "r2"); a.Status != AssignmentCanceled || a.Attempt != 1 || a.CreatedAt != "t" {
		t.Errorf("tombstone = %+v", a)
	}
	if err := env.store.Reject(ctx, Assignment{ReservationID: "r2", Attempt: 2, RejectedTaxiID: "t1", RejectReason: ReasonReservationCanceled, UpdatedAt: "u"}); err != nil {
		t.Fatal(err)
	}
	if a := env.assignment(t, "r2"); a.Status != AssignmentCanceled || a.Attempt != 2 || a.RejectReason != ReasonReservationCanceled {
		t.Errorf("tombstone after a late confirm = %+v", a)
	}
}
