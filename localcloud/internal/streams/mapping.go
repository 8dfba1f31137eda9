// Package streams runs DynamoDB event source mappings: it reads a table's
// stream (ddbemu.Stream) and invokes a Lambda function with batches of records,
// following AWS's documented retry, partial-batch-response, bisect and
// on-failure behaviour. Up to ParallelizationFactor batches are in flight per mapping (the emulated
// stream has one shard), each item's records always in the same one, so per-item order holds.
package streams

import (
	"context"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/ddbemu"
)

// Invoker calls a function synchronously and returns its response payload.
// Any error (function error, timeout, crash) counts as a failed batch.
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) ([]byte, error)
}

// DeadLetters receives the on-failure records of discarded batches.
type DeadLetters interface {
	Put(queue string, body []byte, attributes map[string]string)
}

// Mapping is one DynamoDB stream → Lambda event source mapping.
type Mapping struct {
	Name, Function string
	Stream         *ddbemu.Stream
	BatchSize      int // default 100
	// ParallelizationFactor is the number of batches of the shard processed at once (1–10, default 1);
	// an item's records always go to the same one, in order (parallel.go).
	ParallelizationFactor int
	MaximumBatchingWindow time.Duration
	StartingPosition      string   // TRIM_HORIZON | LATEST
	Filters               [][]byte // FilterCriteria patterns; a record matching none is dropped
	// ReportBatchItemFailures: FunctionResponseTypes contains ReportBatchItemFailures.
	ReportBatchItemFailures bool
	// MaximumRetryAttempts as on AWS: -1 = retry until success (AWS's default
	// when the template omits it), 0 = no retry, n = n retries.
	MaximumRetryAttempts       int
	BisectBatchOnFunctionError bool
	OnFailure                  string                                    // dead-letter queue name ("" = none)
	Matcher                    func(pattern, event []byte) (bool, error) // EventBridge pattern semantics

	// Retry backoff: starts at RetryBaseDelay (default 100 ms) and doubles up to
	// RetryMaxDelay (default 2 s). AWS backs off more slowly; locally we favour fast feedback.
	RetryBaseDelay, RetryMaxDelay time.Duration

	// DeliveryDelay, when set, runs before each batch is invoked with the AWS time its first record was
	// written: a modeled AWS write-to-invoke latency (localcloud -latency). It returns ctx's error when the poller stops meanwhile.
	DeliveryDelay func(ctx context.Context, since time.Time) error
}

func (m Mapping) withDefaults() Mapping {
	if m.BatchSize <= 0 {
		m.BatchSize = 100
	}
	m.ParallelizationFactor = min(max(m.ParallelizationFactor, 1), maxParallelizationFactor)
	if m.RetryBaseDelay <= 0 {
		m.RetryBaseDelay = 100 * time.Millisecond
	}
	if m.RetryMaxDelay <= 0 {
		m.RetryMaxDelay = 2 * time.Second
	}
	if m.MaximumRetryAttempts < -1 {
		m.MaximumRetryAttempts = -1
	}
	return m
}

// backoff is the wait before retry number n (1-based).
func (m Mapping) backoff(n int) time.Duration {
	d := m.RetryBaseDelay
	for i := 1; i < n && d < m.RetryMaxDelay; i++ {
		d *= 2
	}
	return min(d, m.RetryMaxDelay)
}

// PollerStats is a snapshot of a poller's counters.
type PollerStats struct {
	Invocations         int64  // function invocations, retries and duplicates included
	DeliveredBatches    int64  // invocations that fully succeeded
	DeliveredRecords    int64  // records acknowledged by the function
	Retries             int64  // re-invocations after a failure
	Bisections          int64  // batches split after a function error
	FailedBatches       int64  // batches given up on (sent to OnFailure or dropped)
	FailedRecords       int64  // records in those batches
	FilteredRecords     int64  // records dropped by FilterCriteria
	DuplicateDeliveries int64  // extra invocations made by SetDuplicateDelivery
	LastLagMs           int64  // record creation → invocation of the last batch
	Position            string // sequence number checkpointed last ("" = none yet)
}
