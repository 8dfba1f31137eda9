package streamrec

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// batch makes one record per key, sequence numbers 100, 101, … in order.
func batch(keys ...string) []events.DynamoDBEventRecord {
	recs := make([]events.DynamoDBEventRecord, len(keys))
	for i, k := range keys {
		recs[i] = events.DynamoDBEventRecord{
			Change: events.DynamoDBStreamRecord{
				SequenceNumber: strconv.Itoa(100 + i),
				NewImage:       map[string]events.DynamoDBAttributeValue{"orderId": events.NewStringAttribute(k)},
			},
		}
	}
	return recs
}

func keyOfTest(rec events.DynamoDBEventRecord) string {
	return StringAttr(rec.Change.NewImage, "orderId")
}

func seqs(resp events.DynamoDBEventResponse) []string {
	out := []string{}
	for _, f := range resp.BatchItemFailures {
		out = append(out, f.ItemIdentifier)
	}
	return out
}

func TestProcessByKeyReportsLowestFailureAndKeepsKeyOrder(t *testing.T) {
	tests := []struct {
		name        string
		keys        []string
		failAt      []string // sequence numbers whose handling fails
		wantFailed  []string
		wantSkipped []string // never handled: after a failure of the same key
	}{
		{name: "all succeed", keys: []string{"a", "b", "a", "c"}, wantFailed: []string{}},
		{name: "failure reports it and everything after", keys: []string{"a", "b", "a", "b", "c"},
			failAt: []string{"101"}, wantFailed: []string{"101", "102", "103", "104"}, wantSkipped: []string{"103"}},
		{name: "lowest of two failures wins", keys: []string{"a", "b", "c", "a"},
			failAt: []string{"102", "100"}, wantFailed: []string{"100", "101", "102", "103"}, wantSkipped: []string{"103"}},
		{name: "last record fails", keys: []string{"a", "b", "c"}, failAt: []string{"102"}, wantFailed: []string{"102"}},
		{name: "empty keys are groups of their own", keys: []string{"", "", "a"}, failAt: []string{"100"},
			wantFailed: []string{"100", "101", "102"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := batch(tt.keys...)
			var mu sync.Mutex
			handled := map[string][]string{} // key → sequence numbers in handling order
			var all []string
			resp := ProcessByKey(context.Background(), recs, 4, keyOfTest, func(_ context.Context, rec events.DynamoDBEventRecord) error {
				mu.Lock()
				k := keyOfTest(rec)
				handled[k] = append(handled[k], rec.Change.SequenceNumber)
				all = append(all, rec.Change.SequenceNumber)
				mu.Unlock()
				if slices.Contains(tt.failAt, rec.Change.SequenceNumber) {
					return errors.New("boom")
				}
				return nil
			})
			if got := seqs(resp); !slices.Equal(got, tt.wantFailed) {
				t.Errorf("failures = %v, want %v", got, tt.wantFailed)
			}
			for _, s := range tt.wantSkipped {
				if slices.Contains(all, s) {
					t.Errorf("record %s was handled after its key failed", s)
				}
			}
			for k, got := range handled {
				if k == "" {
					continue // records without a key are groups of their own: no order among them
				}
				if !slices.IsSorted(got) {
					t.Errorf("key %q handled out of order: %v", k, got)
				}
			}
		})
	}
}

func TestProcessByKeyRunsKeysConcurrentlyWithinTheBound(t *testing.T) {
	tests := []struct {
		name    string
		keys    []string
		workers int
		want    int32 // peak concurrent handlers
	}{
		{name: "four keys, four workers", keys: []string{"a", "b", "c", "d"}, workers: 4, want: 4},
		{name: "six keys, two workers", keys: []string{"a", "b", "c", "d", "e", "f"}, workers: 2, want: 2},
		{name: "one key is sequential", keys: []string{"a", "a", "a"}, workers: 8, want: 1},
		{name: "zero workers means one", keys: []string{"a", "b"}, workers: 0, want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var inFlight, peak atomic.Int32
				resp := ProcessByKey(context.Background(), batch(tt.keys...), tt.workers, keyOfTest, func(context.Context, events.DynamoDBEventRecord) error {
					n := inFlight.Add(1)
					defer inFlight.Add(-1)
					for {
						p := peak.Load()
						if n <= p || peak.CompareAndSwap(p, n) {
							break
						}
					}
					// Hold the slot until the expected peak is reached, then one more tick of the bubble's
					// clock: it moves only when every goroutine is blocked, so a handler that could run
					// beside this one (beyond the bound) has started by then.
					for deadline := time.Now().Add(time.Second); peak.Load() < tt.want && time.Now().Before(deadline); {
						<-time.After(time.Millisecond)
					}
					<-time.After(time.Millisecond)
					return nil
				})
				if len(resp.BatchItemFailures) != 0 {
					t.Fatalf("unexpected failures %v", seqs(resp))
				}
				if got := peak.Load(); got != tt.want {
					t.Errorf("peak concurrency = %d, want %d", got, tt.want)
				}
			})
		})
	}
}

func TestProcessByKeyEmptyBatch(t *testing.T) {
	resp := ProcessByKey(context.Background(), nil, 4, keyOfTest, func(context.Context, events.DynamoDBEventRecord) error {
		return fmt.Errorf("must not be called")
	})
	if resp.BatchItemFailures == nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("want an empty, non-nil failure list, got %#v", resp.BatchItemFailures)
	}
}
