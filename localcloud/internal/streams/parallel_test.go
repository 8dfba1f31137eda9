package streams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// concurrencyProbe answers invocations, tracking how many are in flight and which items they hold.
type concurrencyProbe struct {
	mu       sync.Mutex
	inFlight map[string]bool
	overlap  []string // an item in two batches at once
	now, max int
}

func (c *concurrencyProbe) enter(recs []events.DynamoDBEventRecord) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inFlight == nil {
		c.inFlight = map[string]bool{}
	}
	c.now++
	c.max = max(c.max, c.now)
	for _, id := range distinctIDs(recs) {
		if c.inFlight[id] {
			c.overlap = append(c.overlap, id)
		}
		c.inFlight[id] = true
	}
}

func (c *concurrencyProbe) leave(recs []events.DynamoDBEventRecord) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now--
	for _, id := range distinctIDs(recs) {
		delete(c.inFlight, id)
	}
}

func (c *concurrencyProbe) peak() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.max
}

func distinctIDs(recs []events.DynamoDBEventRecord) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids(recs) {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// Records of 16 items, each written 3 times, with ParallelizationFactor 1 and 4: batches run one at a
// time or up to four at once, never two holding the same item, and each item's records arrive in
// stream order, each exactly once.
func TestParallelizationFactorKeepsItemOrder_UsingLambdaWithDynamoDB(t *testing.T) {
	for _, tc := range []struct {
		factor              int
		minPeak, wantAtMost int
	}{
		{factor: 1, minPeak: 1, wantAtMost: 1},
		{factor: 4, minPeak: 2, wantAtMost: 4},
	} {
		t.Run(fmt.Sprintf("factor %d", tc.factor), func(t *testing.T) {
			tb := newTable(t)
			for round := 0; round < 3; round++ {
				for k := 0; k < 16; k++ {
					tb.putValue(fmt.Sprintf("k%02d", k), fmt.Sprint(round)) // a changed item: a new record
				}
			}
			probe := &concurrencyProbe{}
			inv := &fakeInvoker{respond: func(_ int, recs []events.DynamoDBEventRecord) ([]byte, error) {
				probe.enter(recs)
				defer probe.leave(recs)
				// Wait (at most a second) for a second batch to be in flight, so a factor above 1 shows.
				deadline := time.Now().Add(time.Second)
				for probe.peak() < tc.minPeak && time.Now().Before(deadline) {
					time.Sleep(time.Millisecond)
				}
				time.Sleep(2 * time.Millisecond)
				return nil, nil
			}}
			p := Start(context.Background(), Mapping{Name: "m", Function: "fn", Stream: tb.stream(), BatchSize: 2,
				ParallelizationFactor: tc.factor, StartingPosition: "TRIM_HORIZON", MaximumRetryAttempts: -1},
				inv, nil, quietLogger())
			defer p.Stop()
			waitFor(t, "checkpoint at the end", func() bool { return p.Stats().Position == tb.stream().Latest() })

			if peak := probe.peak(); peak < tc.minPeak || peak > tc.wantAtMost {
				t.Errorf("peak concurrent batches %d, want %d..%d", peak, tc.minPeak, tc.wantAtMost)
			}
			if len(probe.overlap) > 0 {
				t.Errorf("items in two batches at once: %v", probe.overlap)
			}
			inv.mu.Lock()
			defer inv.mu.Unlock()
			last := map[string]string{}
			count := map[string]int{}
			for _, batch := range inv.calls {
				if len(batch) > 2 {
					t.Errorf("batch of %d records, BatchSize 2", len(batch))
				}
				for _, r := range batch {
					id, seq := r.Change.Keys["id"].String(), r.Change.SequenceNumber
					if prev, ok := last[id]; ok && !seqBefore(prev, seq) {
						t.Errorf("item %s: record %s delivered after %s", id, seq, prev)
					}
					last[id] = seq
					count[id]++
				}
			}
			for k := 0; k < 16; k++ {
				if id := fmt.Sprintf("k%02d", k); count[id] != 3 {
					t.Errorf("item %s delivered %d times, want 3", id, count[id])
				}
			}
		})
	}
}

// seqBefore compares stream sequence numbers (decimal strings, as DynamoDB Streams gives them).
func seqBefore(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// One item's batch fails while the other concurrent batches succeed: those are delivered, but the
// poller does not checkpoint past the failing item's records until its batch succeeds.
func TestParallelBatchFailureHoldsCheckpoint(t *testing.T) {
	tb := newTable(t)
	items := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	tb.put(items...)
	laneOfItem := func(id string) int {
		return laneOf(events.DynamoDBEventRecord{Change: events.DynamoDBStreamRecord{
			Keys: map[string]events.DynamoDBAttributeValue{"id": events.NewStringAttribute(id)}}}, 4)
	}
	var others []string // items whose batches run beside a's
	for _, id := range items {
		if laneOfItem(id) != laneOfItem("a") {
			others = append(others, id)
		}
	}
	if len(others) == 0 {
		t.Fatal("every item hashed to a's lane: pick other ids")
	}
	var healed atomic.Bool
	delivered := map[string]int{}
	var mu sync.Mutex
	inv := &fakeInvoker{respond: func(_ int, recs []events.DynamoDBEventRecord) ([]byte, error) {
		for _, id := range ids(recs) {
			if id == "a" && !healed.Load() {
				return nil, errors.New("a fails")
			}
		}
		mu.Lock()
		defer mu.Unlock()
		for _, id := range ids(recs) {
			delivered[id]++
		}
		return nil, nil
	}}
	p := Start(context.Background(), fastRetries(Mapping{Name: "m", Function: "fn", Stream: tb.stream(), BatchSize: 8,
		ParallelizationFactor: 4, StartingPosition: "TRIM_HORIZON", MaximumRetryAttempts: -1}), inv, nil, quietLogger())
	defer p.Stop()
	waitFor(t, "the items beside a", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, id := range others {
			if delivered[id] == 0 {
				return false
			}
		}
		return true
	})
	waitFor(t, "a retried", func() bool { return p.Stats().Retries >= 2 })
	if pos := p.Stats().Position; pos != "" {
		t.Fatalf("checkpointed %s while item a's batch still fails", pos)
	}
	healed.Store(true)
	waitFor(t, "checkpoint at the end", func() bool { return p.Stats().Position == tb.stream().Latest() })
	mu.Lock()
	defer mu.Unlock()
	for _, id := range items {
		if delivered[id] != 1 {
			t.Errorf("item %s delivered %d times, want 1", id, delivered[id])
		}
	}
}

func TestLaneOfIsStablePerItemAndSpreads(t *testing.T) {
	rec := func(id string) events.DynamoDBEventRecord {
		return events.DynamoDBEventRecord{Change: events.DynamoDBStreamRecord{
			Keys: map[string]events.DynamoDBAttributeValue{"pk": events.NewStringAttribute(id), "sk": events.NewNumberAttribute("1")}}}
	}
	used := map[int]bool{}
	for k := 0; k < 64; k++ {
		id := fmt.Sprintf("order-%d", k)
		lane := laneOf(rec(id), 10)
		if again := laneOf(rec(id), 10); again != lane {
			t.Fatalf("%s: lane %d then %d", id, lane, again)
		}
		used[lane] = true
	}
	if len(used) < 5 {
		t.Fatalf("64 items used %d of 10 lanes", len(used))
	}
}

// With ParallelizationFactor 4 a failure stays in its lane: a partial batch failure is retried from the
// failed record there, a function error is bisected there, and exhausted retries send only that lane's
// records to the on-failure queue; the other lanes' records are delivered once, and the poller then
// checkpoints past everything.
func TestParallelLaneFailuresStayInTheirLane(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mapping func(Mapping) Mapping
		respond func(recs []events.DynamoDBEventRecord) ([]byte, error) // for a batch holding item a
		// after the run: how often a was in an invocation, and how many of a's lane's records the
		// on-failure queue got (0 = no dead letter)
		aInvocations, deadLettered int
	}{
		{
			name:    "partial failure retried from the failed record",
			mapping: func(m Mapping) Mapping { m.ReportBatchItemFailures = true; return m },
			respond: onceFailing(func(recs []events.DynamoDBEventRecord) ([]byte, error) {
				for _, r := range recs {
					if r.Change.Keys["id"].String() == "a" {
						return failureResponse(r.Change.SequenceNumber), nil
					}
				}
				return nil, nil
			}),
			aInvocations: 2,
		},
		{
			name:    "function error bisected down to the poison record, which is dead-lettered alone",
			mapping: func(m Mapping) Mapping { m.BisectBatchOnFunctionError = true; m.MaximumRetryAttempts = 0; return m },
			respond: func([]events.DynamoDBEventRecord) ([]byte, error) { return nil, errors.New("a is poison") },
			// the lane's batch, then halves holding a, down to a alone
			deadLettered: 1,
		},
		{
			name:         "retries exhausted: the lane's batch is dead-lettered",
			mapping:      func(m Mapping) Mapping { m.MaximumRetryAttempts = 1; return m },
			respond:      func([]events.DynamoDBEventRecord) ([]byte, error) { return nil, errors.New("a fails") },
			aInvocations: 2, deadLettered: -1, // the whole lane batch
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb := newTable(t)
			items := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"}
			tb.put(items...)
			laneOfItem := func(id string) int {
				return laneOf(events.DynamoDBEventRecord{Change: events.DynamoDBStreamRecord{
					Keys: map[string]events.DynamoDBAttributeValue{"id": events.NewStringAttribute(id)}}}, 4)
			}
			var aLane []string
			for _, id := range items {
				if laneOfItem(id) == laneOfItem("a") {
					aLane = append(aLane, id)
				}
			}
			if len(aLane) < 2 || len(aLane) == len(items) {
				t.Fatalf("a's lane %v: pick ids that give it a lane-mate and other lanes", aLane)
			}
			inv := &fakeInvoker{respond: func(_ int, recs []events.DynamoDBEventRecord) ([]byte, error) {
				if slices.Contains(ids(recs), "a") {
					return tc.respond(recs)
				}
				return nil, nil
			}}
			dlq := &fakeDLQ{}
			m := fastRetries(Mapping{Name: "m", Function: "fn", Stream: tb.stream(), BatchSize: 12, ParallelizationFactor: 4,
				StartingPosition: "TRIM_HORIZON", MaximumRetryAttempts: -1, OnFailure: "dlq"})
			p := Start(context.Background(), tc.mapping(m), inv, dlq, quietLogger())
			defer p.Stop()
			waitFor(t, "checkpoint at the end", func() bool { return p.Stats().Position == tb.stream().Latest() })

			seen := map[string]int{}
			for _, batch := range inv.batches() {
				for _, id := range batch {
					seen[id]++
				}
			}
			for _, id := range items {
				if !slices.Contains(aLane, id) && seen[id] != 1 {
					t.Errorf("item %s of another lane invoked %d times, want 1", id, seen[id])
				}
			}
			if tc.aInvocations > 0 && seen["a"] != tc.aInvocations {
				t.Errorf("a invoked %d times, want %d (batches %v)", seen["a"], tc.aInvocations, inv.batches())
			}
			msgs := dlq.messages()
			switch want := tc.deadLettered; {
			case want == 0 && len(msgs) != 0:
				t.Errorf("%d dead letters, want none", len(msgs))
			case want != 0:
				if len(msgs) != 1 {
					t.Fatalf("%d dead letters, want 1", len(msgs))
				}
				var doc failureRecord
				if err := json.Unmarshal(msgs[0].body, &doc); err != nil {
					t.Fatal(err)
				}
				if want < 0 {
					want = len(aLane)
				}
				if doc.DDBStreamBatchInfo.BatchSize != want {
					t.Errorf("dead letter of %d records, want %d (a's lane %v)", doc.DDBStreamBatchInfo.BatchSize, want, aLane)
				}
			}
		})
	}
}

// onceFailing answers with respond the first time and with success afterwards.
func onceFailing(respond func([]events.DynamoDBEventRecord) ([]byte, error)) func([]events.DynamoDBEventRecord) ([]byte, error) {
	var done atomic.Bool
	return func(recs []events.DynamoDBEventRecord) ([]byte, error) {
		if done.Swap(true) {
			return nil, nil
		}
		return respond(recs)
	}
}
