package ddbitem

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/calltaxi/call-taxi/shared/apperr"
)

// A write to an item that an in-flight TransactWriteItems includes is refused: a single-item write with
// TransactionConflictException, a transaction with a TransactionConflict cancellation reason (DynamoDB
// developer guide, "Transaction conflict handling in DynamoDB"). The SDK's standard retryer retries
// neither, and the transaction is over in milliseconds, so the write is retried here.
const (
	conflictAttempts   = 8
	conflictBackoff    = 20 * time.Millisecond // before the second attempt; doubled each time, full jitter
	conflictBackoffCap = 400 * time.Millisecond
	// ConflictRetryAfter is what a client is told to wait when the item stays busy.
	ConflictRetryAfter = time.Second
)

// IsTransactionConflict reports whether err is a refusal because a transaction held the item: a
// TransactionConflictException, or a TransactionCanceledException whose reasons are only TransactionConflict
// (and None). A cancellation with a failed condition is an answer, not a conflict.
func IsTransactionConflict(err error) bool {
	if _, ok := errors.AsType[*types.TransactionConflictException](err); ok {
		return true
	}
	canceled, ok := errors.AsType[*types.TransactionCanceledException](err)
	if !ok {
		return false
	}
	conflict := false
	for _, r := range canceled.CancellationReasons {
		switch aws.ToString(r.Code) {
		case "TransactionConflict":
			conflict = true
		case "None", "":
		default:
			return false
		}
	}
	return conflict
}

// RetryConflicts runs write until it ends in anything but a transaction conflict, at most conflictAttempts
// times with jittered exponential backoff. A write still in conflict after that is an apperr.TryAgain
// (503 with Retry-After) that wraps the last error. Callers add the context.
func RetryConflicts(ctx context.Context, write func() error) error {
	backoff := conflictBackoff
	for attempt := 1; ; attempt++ {
		err := write()
		if !IsTransactionConflict(err) {
			return err
		}
		if attempt == conflictAttempts {
			return apperr.TryAgain("the record is being changed by another request, retry shortly", ConflictRetryAfter,
				fmt.Errorf("still in a transaction conflict after %d attempts: %w", attempt, err))
		}
		t := time.NewTimer(rand.N(backoff) + time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("waiting out a transaction conflict: %w", errors.Join(ctx.Err(), err))
		case <-t.C:
		}
		backoff = min(2*backoff, conflictBackoffCap)
	}
}
