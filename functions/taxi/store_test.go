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
