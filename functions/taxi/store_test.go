package main

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
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

// TestAssignmentRuleConditions checks the assignment transaction's conditions against the rule's Go
// halves (RefusalReason, assignmentOpen) on every combination that matters.
func TestAssignmentRuleConditions(t *testing.T) {
	ctx := context.Background()
	t.Run("taxi", func(t *testing.T) {
		taxis := []struct {
			name  string
			grade string
			stock int64
		}{{"missing", "", 0}, {"basic, 1 free", GradeBasic, 1}, {"prime, none free", GradePrime, 0}, {"prime, 1 free", GradePrime, 1}, {"prime, overdrawn", GradePrime, -1}}
		for _, tx := range taxis {
			t.Run(tx.name, func(t *testing.T) {
				env := newTestEnv(t)
				var taxi *Taxi
				if tx.grade != "" {
					seeded := env.seedTaxi(t, "t1", tx.grade, tx.stock)
					taxi = &seeded
				}
				_, refusedInGo := RefusalReason(taxi, GradePrime)
				err := env.store.Assign(ctx, newAssignment("r1", "t1", "Blue", AssignmentAssigned, 1, time.Now()), GradePrime)
				var refused *AssignRefusedError
				if refusedInDB := errors.As(err, &refused) && refused.TaxiRefused; refusedInDB != refusedInGo || (err != nil && refused == nil) {
					t.Fatalf("Go refuses %v, DynamoDB: %v", refusedInGo, err)
				}
			})
		}
	})
	t.Run("assignment", func(t *testing.T) {
		statuses := []string{AssignmentAssigned, AssignmentRejected, AssignmentReleased, AssignmentCompleted, AssignmentCanceled}
		const attempt = 2
		type row struct {
			status string
			n      int
		}
		rows := []*row{nil}
		for _, s := range statuses {
			for n := attempt - 1; n <= attempt+1; n++ {
				rows = append(rows, &row{s, n})
			}
		}
		for _, r := range rows {
			name := "none"
			var existing *Assignment
			if r != nil {
				name = fmt.Sprintf("%s attempt %d", r.status, r.n)
				a := newAssignment("r1", "", "", r.status, r.n, time.Now())
				existing = &a
			}
			t.Run(name, func(t *testing.T) {
				env := newTestEnv(t)
				env.seedTaxi(t, "t1", GradePrime, 5)
				if existing != nil {
					item, err := attributevalue.MarshalMap(existing)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := env.store.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(testAssignmentsTable), Item: item}); err != nil {
						t.Fatal(err)
					}
				}
				openInGo := assignmentOpen(existing, attempt)
				err := env.store.Assign(ctx, newAssignment("r1", "t1", "Blue", AssignmentAssigned, attempt, time.Now()), GradePrime)
				var refused *AssignRefusedError
				if openInGo && err != nil || !openInGo && !(errors.As(err, &refused) && refused.AssignmentExists) {
					t.Fatalf("Go says open %v, DynamoDB: %v", openInGo, err)
				}
			})
		}
	})
}
