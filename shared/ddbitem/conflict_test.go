package ddbitem

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/calltaxi/call-taxi/shared/apperr"
	"github.com/calltaxi/call-taxi/shared/ddbtest"
	"github.com/calltaxi/call-taxi/shared/httpapi"
)

func TestPutRetriesTransactionConflicts(t *testing.T) {
	tests := []struct {
		name      string
		conflicts int
		write     func(ctx context.Context, c Putter) error
		wantCalls int
		wantErr   func(error) bool
		wantNote  string // stored afterwards; "" = nothing stored
	}{
		{name: "no conflict", write: putNew("n1"), wantCalls: 1, wantNote: "n1"},
		{name: "conflicts shorter than the retries", conflicts: conflictAttempts - 1, write: putNew("n1"), wantCalls: conflictAttempts, wantNote: "n1"},
		{name: "a lost condition after a conflict", conflicts: 1, write: func(ctx context.Context, c Putter) error {
			return PutIfNumber(ctx, c, "rows", row{ID: "r1", Note: "x", Version: 8}, "version", 7)
		}, wantCalls: 2, wantErr: func(err error) bool { return errors.Is(err, ErrConditionFailed) }},
		{name: "conflicts outlasting the retries: try again later", conflicts: conflictAttempts, write: putNew("n1"), wantCalls: conflictAttempts,
			wantErr: func(err error) bool {
				e, ok := apperr.As(err)
				_, fromAWS := errors.AsType[*types.TransactionConflictException](err)
				return ok && e.Kind == apperr.KindUnavailable && e.RetryAfter == ConflictRetryAfter && fromAWS
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := &ddbtest.Conflicting{Client: ddbtest.New(t, ddbtest.Table{Name: "rows", Hash: "id"}), Conflicts: tt.conflicts}
			err := tt.write(ctx, db)
			if (tt.wantErr == nil && err != nil) || (tt.wantErr != nil && !tt.wantErr(err)) {
				t.Fatalf("err = %v", err)
			}
			if db.Writes != tt.wantCalls {
				t.Errorf("%d PutItem calls, want %d", db.Writes, tt.wantCalls)
			}
			var got row
			found, err := Get(ctx, db, "rows", Key("id", "r1"), &got)
			if err != nil || found != (tt.wantNote != "") || got.Note != tt.wantNote {
				t.Errorf("stored %+v (found %v, %v), want note %q", got, found, err, tt.wantNote)
			}
		})
	}
}

func putNew(note string) func(context.Context, Putter) error {
	return func(ctx context.Context, c Putter) error {
		return PutNew(ctx, c, "rows", "id", row{ID: "r1", Note: note, Version: 1})
	}
}

// A conflict that outlasts the retries reaches the client as 503 with Retry-After, never 500.
func TestConflictOutlastingRetriesIsA503WithRetryAfter(t *testing.T) {
	db := &ddbtest.Conflicting{Client: ddbtest.New(t, ddbtest.Table{Name: "rows", Hash: "id"}), Conflicts: conflictAttempts}
	err := fmt.Errorf("save row r1: %w", PutNew(context.Background(), db, "rows", "id", row{ID: "r1"}))
	resp := httpapi.Error(context.Background(), err)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Headers["Retry-After"] != "1" {
		t.Fatalf("status %d, Retry-After %q, want 503 and 1", resp.StatusCode, resp.Headers["Retry-After"])
	}
}

func TestIsTransactionConflict(t *testing.T) {
	canceled := func(codes ...string) error {
		var reasons []types.CancellationReason
		for _, c := range codes {
			reasons = append(reasons, types.CancellationReason{Code: aws.String(c)})
		}
		return &types.TransactionCanceledException{CancellationReasons: reasons}
	}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"single-item write refused", &types.TransactionConflictException{}, true},
		{"wrapped", fmt.Errorf("put: %w", &types.TransactionConflictException{}), true},
		{"transaction cancelled by a conflict", canceled("None", "TransactionConflict"), true},
		{"transaction cancelled by a condition too", canceled("ConditionalCheckFailed", "TransactionConflict"), false},
		{"transaction cancelled by a condition", canceled("ConditionalCheckFailed", "None"), false},
		{"condition failed", &types.ConditionalCheckFailedException{}, false},
		{"other error", errors.New("boom"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsTransactionConflict(tt.err); got != tt.want {
				t.Errorf("IsTransactionConflict(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}
