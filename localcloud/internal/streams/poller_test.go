package streams

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

func totalRecords(batches [][]string) int {
	n := 0
	for _, b := range batches {
		n += len(b)
	}
	return n
}

func TestBatchSizeAndOrdering(t *testing.T) {
	tb := newTable(t)
	tb.put("a", "b", "c", "d", "e", "f", "g")
	inv := &fakeInvoker{}
	p := Start(context.Background(), Mapping{Name: "m", Function: "fn", Stream: tb.stream(), BatchSize: 3,
		StartingPosition: "TRIM_HORIZON", MaximumRetryAttempts: -1}, inv, nil, quietLogger())
	defer p.Stop()
	waitFor(t, "7 records", func() bool { return totalRecords(inv.batches()) == 7 })

	want := [][]string{{"a", "b", "c"}, {"d", "e", "f"}, {"g"}}
	if got := inv.batches(); !reflect.DeepEqual(got, want) {
		t.Fatalf("batches %v, want %v", got, want)
	}
	stats := p.Stats()
	if stats.DeliveredBatches != 3 || stats.DeliveredRecords != 7 || stats.Position != tb.stream().Latest() {
		t.Fatalf("stats %+v", stats)
	}
	if stats.LastLagMs < 0 || stats.LastLagMs > 2000 {
		t.Fatalf("lag %d ms", stats.LastLagMs)
	}
}

// The poller runs in a synctest bubble: synctest.Wait returns once it is parked, so the record arrives at
// an idle poller, and the bubble's clock shows whether any timer stood between the write and the delivery.
func TestDeliveryIsPromptAndPayloadComplete(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tb := newTable(t)
		inv := &fakeInvoker{}
		p := Start(context.Background(), Mapping{Name: "m", Function: "fn", Stream: tb.stream(), StartingPosition: "LATEST",
			MaximumRetryAttempts: -1}, inv, nil, quietLogger())
		defer p.Stop()
		synctest.Wait() // the idle poller is parked in Stream.Wait
		start := time.Now()
		tb.put("a")
		synctest.Wait()
		if got := len(inv.batches()); got != 1 {
			t.Fatalf("%d deliveries, want 1", got)
		}
		if elapsed := time.Since(start); elapsed != 0 {
			t.Fatalf("delivery waited %v", elapsed)
		}
		inv.mu.Lock()
		r := inv.calls[0][0]
		inv.mu.Unlock()
		if r.EventName != "INSERT" || r.EventSource != "aws:dynamodb" || r.EventSourceArn != tb.stream().ARN() ||
			r.Change.SequenceNumber == "" || r.Change.NewImage["v"].String() != "x" {
			t.Fatalf("record %+v", r)
		}
	})
}

func TestBatchingWindowGathersRecords(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const window = 300 * time.Millisecond
		tb := newTable(t)
		inv := &fakeInvoker{}
		p := Start(context.Background(), Mapping{Name: "m", Function: "fn", Stream: tb.stream(), BatchSize: 10,
			MaximumBatchingWindow: window, MaximumRetryAttempts: -1}, inv, nil, quietLogger())
		defer p.Stop()
		start := time.Now()
		tb.put("a")
		synctest.Wait() // the poller read "a" and waits in its batching window
		if got := inv.batches(); len(got) != 0 {
			t.Fatalf("delivered %v before the window ended", got)
		}
		tb.put("b", "c")
		synctest.Wait()
		<-time.After(window) // the bubble's clock: the window ends
		synctest.Wait()
		if got := inv.batches(); !reflect.DeepEqual(got, [][]string{{"a", "b", "c"}}) {
			t.Fatalf("batches %v", got)
		}
		if elapsed := time.Since(start); elapsed != window {
			t.Fatalf("delivered after %v, want the window %v", elapsed, window)
		}
	})
}

func TestBatchingWindowEndsEarlyWhenBatchIsFull(t *testing.T) {
	tb := newTable(t)
	inv := &fakeInvoker{}
	p := Start(context.Background(), Mapping{Name: "m", Function: "fn", Stream: tb.stream(), BatchSize: 2,
		MaximumBatchingWindow: time.Hour, MaximumRetryAttempts: -1}, inv, nil, quietLogger())
	defer p.Stop()
	tb.put("a", "b")
	waitFor(t, "a full batch", func() bool { return len(inv.batches()) == 1 })
}

func TestFiltersDropNonMatchingRecords(t *testing.T) {
	tb := newTable(t)
	tb.put("drop-1", "keep-1", "drop-2", "keep-2", "drop-3")
	inv := &fakeInvoker{}
	contains := func(pattern, event []byte) (bool, error) {
		if len(pattern) == 0 {
			return false, errors.New("empty pattern")
		}
		return bytes.Contains(event, pattern), nil
	}
	p := Start(context.Background(), Mapping{Name: "m", Function: "fn", Stream: tb.stream(), Matcher: contains,
		Filters:              [][]byte{{}, []byte(`"S":"keep-1"`), []byte(`"S":"keep-2"`)},
		MaximumRetryAttempts: -1}, inv, nil, quietLogger())
	defer p.Stop()
	waitFor(t, "checkpoint at the end", func() bool { return p.Stats().Position == tb.stream().Latest() })
	if got := inv.batches(); totalRecords(got) != 2 || strings.Join(got[0], ",") != "keep-1,keep-2" {
		t.Fatalf("batches %v", got)
	}
	if p.Stats().FilteredRecords != 3 {
		t.Fatalf("stats %+v", p.Stats())
	}
}

func TestAllFilteredBatchStillAdvances(t *testing.T) {
	tb := newTable(t)
	inv := &fakeInvoker{}
	never := func(_, _ []byte) (bool, error) { return false, nil }
	p := Start(context.Background(), Mapping{Name: "m", Function: "fn", Stream: tb.stream(), Matcher: never,
		Filters: [][]byte{[]byte(`{}`)}, MaximumRetryAttempts: -1}, inv, nil, quietLogger())
	defer p.Stop()
	tb.put("a", "b")
	waitFor(t, "checkpoint", func() bool { return p.Stats().Position == tb.stream().Latest() })
	if len(inv.batches()) != 0 {
		t.Fatalf("invoked for filtered records: %v", inv.batches())
	}
}

func failureResponse(seqs ...string) []byte {
	var resp events.DynamoDBEventResponse
	for _, s := range seqs {
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: s})
	}
	b, _ := json.Marshal(resp)
	return b
}

func TestPartialBatchResponses(t *testing.T) {
	cases := []struct {
		name      string
		firstResp func(recs []events.DynamoDBEventRecord) []byte
		want      [][]string
	}{
		{"retry from lowest failed record",
			func(recs []events.DynamoDBEventRecord) []byte {
				return failureResponse(recs[3].Change.SequenceNumber, recs[2].Change.SequenceNumber)
			},
			[][]string{{"a", "b", "c", "d", "e"}, {"c", "d", "e"}}},
		{"empty list is success", func([]events.DynamoDBEventRecord) []byte { return []byte(`{"batchItemFailures":[]}`) },
			[][]string{{"a", "b", "c", "d", "e"}}},
		{"null list is success", func([]events.DynamoDBEventRecord) []byte { return []byte(`{"batchItemFailures":null}`) },
			[][]string{{"a", "b", "c", "d", "e"}}},
		{"null response is success", func([]events.DynamoDBEventRecord) []byte { return []byte(`null`) },
			[][]string{{"a", "b", "c", "d", "e"}}},
		{"unknown identifier fails whole batch", func([]events.DynamoDBEventRecord) []byte { return failureResponse("42") },
			[][]string{{"a", "b", "c", "d", "e"}, {"a", "b", "c", "d", "e"}}},
		{"empty identifier fails whole batch", func([]events.DynamoDBEventRecord) []byte { return failureResponse("") },
			[][]string{{"a", "b", "c", "d", "e"}, {"a", "b", "c", "d", "e"}}},
		{"missing identifier fails whole batch", func([]events.DynamoDBEventRecord) []byte { return []byte(`{"batchItemFailures":[{}]}`) },
			[][]string{{"a", "b", "c", "d", "e"}, {"a", "b", "c", "d", "e"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tb := newTable(t)
			tb.put("a", "b", "c", "d", "e")
			inv := &fakeInvoker{respond: func(call int, recs []events.DynamoDBEventRecord) ([]byte, error) {
				if call == 1 {
					return c.firstResp(recs), nil
				}
				return nil, nil
			}}
			p := Start(context.Background(), fastRetries(Mapping{Name: "m", Function: "fn", Stream: tb.stream(),
				ReportBatchItemFailures: true, MaximumRetryAttempts: -1}), inv, nil, quietLogger())
			defer p.Stop()
			waitFor(t, "checkpoint", func() bool { return p.Stats().Position == tb.stream().Latest() })
			if got := inv.batches(); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("batches %v, want %v", got, c.want)
			}
		})
	}
}

func TestPartialFailureIgnoredWithoutReportBatchItemFailures(t *testing.T) {
	tb := newTable(t)
	tb.put("a", "b")
	inv := &fakeInvoker{respond: func(_ int, recs []events.DynamoDBEventRecord) ([]byte, error) {
		return failureResponse(recs[0].Change.SequenceNumber), nil
	}}
	p := Start(context.Background(), Mapping{Name: "m", Function: "fn", Stream: tb.stream(), MaximumRetryAttempts: -1}, inv, nil, quietLogger())
	defer p.Stop()
	waitFor(t, "checkpoint", func() bool { return p.Stats().Position == tb.stream().Latest() })
	if len(inv.batches()) != 1 {
		t.Fatalf("batches %v", inv.batches())
	}
}

func TestRetriesExhaustedGoToOnFailure(t *testing.T) {
	tb := newTable(t)
	tb.put("a", "b")
	inv := &fakeInvoker{respond: func(_ int, recs []events.DynamoDBEventRecord) ([]byte, error) {
		if recs[0].Change.Keys["id"].String() == "later" {
			return nil, nil
		}
		return nil, errors.New("boom")
	}}
	dlq := &fakeDLQ{}
	p := Start(context.Background(), fastRetries(Mapping{Name: "m", Function: "mypage", Stream: tb.stream(),
		MaximumRetryAttempts: 2, OnFailure: "mypage-dlq"}), inv, dlq, quietLogger())
	defer p.Stop()
	waitFor(t, "dead letter", func() bool { return len(dlq.messages()) == 1 })
	all := tb.stream().Read("", 0)
	tb.put("later")
	waitFor(t, "the poller to move on", func() bool { return p.Stats().DeliveredBatches == 1 })

	if got := inv.batches(); len(got) != 4 || strings.Join(got[3], ",") != "later" {
		t.Fatalf("batches %v (want 3 attempts then 'later')", got)
	}
	msg := dlq.messages()[0]
	var doc failureRecord
	if err := json.Unmarshal(msg.body, &doc); err != nil {
		t.Fatal(err)
	}
	info := doc.DDBStreamBatchInfo
	if msg.queue != "mypage-dlq" || doc.RequestContext.Condition != "RetryAttemptsExhausted" ||
		doc.RequestContext.ApproximateInvokeCount != 3 || doc.ResponseContext.FunctionError != "Unhandled" ||
		!strings.HasPrefix(doc.RequestContext.FunctionARN, "arn:aws:lambda:us-east-1:") ||
		!strings.HasSuffix(doc.RequestContext.FunctionARN, ":function:mypage") ||
		info.StartSequenceNumber != all[0].Change.SequenceNumber || info.EndSequenceNumber != all[1].Change.SequenceNumber ||
		info.BatchSize != 2 || info.StreamARN != tb.stream().ARN() || info.ShardID != tb.stream().ShardID() || doc.Version != "1.0" {
		t.Fatalf("dead letter %s", msg.body)
	}
	if s := p.Stats(); s.Retries != 2 || s.FailedBatches != 1 || s.FailedRecords != 2 {
		t.Fatalf("stats %+v", s)
	}
}

func TestPartialFailureExhaustionSendsOnlyRemainingRecords(t *testing.T) {
	tb := newTable(t)
	tb.put("a", "b", "c")
	inv := &fakeInvoker{respond: func(_ int, recs []events.DynamoDBEventRecord) ([]byte, error) {
		for _, r := range recs {
			if r.Change.Keys["id"].String() == "b" {
				return failureResponse(r.Change.SequenceNumber), nil
			}
		}
		return nil, nil
	}}
	dlq := &fakeDLQ{}
	p := Start(context.Background(), fastRetries(Mapping{Name: "m", Function: "fn", Stream: tb.stream(),
		ReportBatchItemFailures: true, MaximumRetryAttempts: 1, OnFailure: "q"}), inv, dlq, quietLogger())
	defer p.Stop()
	waitFor(t, "dead letter", func() bool { return len(dlq.messages()) == 1 })
	var doc failureRecord
	_ = json.Unmarshal(dlq.messages()[0].body, &doc)
	all := tb.stream().Read("", 0)
	if doc.DDBStreamBatchInfo.StartSequenceNumber != all[1].Change.SequenceNumber || doc.DDBStreamBatchInfo.BatchSize != 2 ||
		doc.ResponseContext.FunctionError != "" {
		t.Fatalf("dead letter %+v", doc)
	}
	if got := inv.batches(); !reflect.DeepEqual(got, [][]string{{"a", "b", "c"}, {"b", "c"}}) {
		t.Fatalf("batches %v", got)
	}
}

func TestBisectIsolatesPoisonRecord(t *testing.T) {
	tb := newTable(t)
	tb.put("a", "b", "poison", "d")
	inv := &fakeInvoker{respond: func(_ int, recs []events.DynamoDBEventRecord) ([]byte, error) {
		for _, id := range ids(recs) {
			if id == "poison" {
				return nil, errors.New("cannot handle poison")
			}
		}
		return nil, nil
	}}
	dlq := &fakeDLQ{}
	p := Start(context.Background(), fastRetries(Mapping{Name: "m", Function: "fn", Stream: tb.stream(),
		BisectBatchOnFunctionError: true, MaximumRetryAttempts: 0, OnFailure: "q"}), inv, dlq, quietLogger())
	defer p.Stop()
	waitFor(t, "checkpoint", func() bool { return p.Stats().Position == tb.stream().Latest() })
	want := [][]string{{"a", "b", "poison", "d"}, {"a", "b"}, {"poison", "d"}, {"poison"}, {"d"}}
	if got := inv.batches(); !reflect.DeepEqual(got, want) {
		t.Fatalf("batches %v, want %v", got, want)
	}
	if msgs := dlq.messages(); len(msgs) != 1 || !strings.Contains(string(msgs[0].body), `"batchSize":1`) {
		t.Fatalf("dead letters %v", msgs)
	}
}

func TestInfiniteRetriesUntilSuccessWithBackoff(t *testing.T) {
	tb := newTable(t)
	tb.put("a")
	inv := &fakeInvoker{respond: func(call int, _ []events.DynamoDBEventRecord) ([]byte, error) {
		if call < 4 {
			return nil, errors.New("not yet")
		}
		return nil, nil
	}}
	p := Start(context.Background(), fastRetries(Mapping{Name: "m", Function: "fn", Stream: tb.stream(), MaximumRetryAttempts: -1}),
		inv, &fakeDLQ{}, quietLogger())
	defer p.Stop()
	waitFor(t, "success", func() bool { return p.Stats().DeliveredBatches == 1 })
	if s := p.Stats(); s.Retries != 3 || s.FailedBatches != 0 || s.Invocations != 4 {
		t.Fatalf("stats %+v", s)
	}
}

func TestBackoffDoublesToCap(t *testing.T) {
	m := Mapping{}.withDefaults()
	want := []time.Duration{100, 200, 400, 800, 1600, 2000, 2000}
	for i, w := range want {
		if got := m.backoff(i + 1); got != w*time.Millisecond {
			t.Errorf("backoff(%d) = %v, want %v", i+1, got, w*time.Millisecond)
		}
	}
}

func TestDuplicateDelivery(t *testing.T) {
	tb := newTable(t)
	inv := &fakeInvoker{}
	p := Start(context.Background(), Mapping{Name: "m", Function: "fn", Stream: tb.stream(), MaximumRetryAttempts: -1}, inv, nil, quietLogger())
	defer p.Stop()
	p.SetDuplicateDelivery(true)
	tb.put("a")
	waitFor(t, "two deliveries", func() bool { return len(inv.batches()) == 2 })
	p.SetDuplicateDelivery(false)
	tb.put("b")
	waitFor(t, "third delivery", func() bool { return len(inv.batches()) >= 3 })
	// The poller invokes one batch at a time (ParallelizationFactor 1): a duplicate of "b" would come
	// before "c" is delivered.
	tb.put("c")
	waitFor(t, "the delivery of c", func() bool {
		got := inv.batches()
		return len(got) > 0 && reflect.DeepEqual(got[len(got)-1], []string{"c"})
	})
	if got := inv.batches(); !reflect.DeepEqual(got, [][]string{{"a"}, {"a"}, {"b"}, {"c"}}) {
		t.Fatalf("batches %v", got)
	}
	if p.Stats().DuplicateDeliveries != 1 {
		t.Fatalf("stats %+v", p.Stats())
	}
}

func TestStartingPositions(t *testing.T) {
	cases := []struct {
		position string
		want     []string
	}{
		{"TRIM_HORIZON", []string{"old-1", "old-2", "new"}},
		{"LATEST", []string{"new"}},
	}
	for _, c := range cases {
		t.Run(c.position, func(t *testing.T) {
			tb := newTable(t)
			tb.put("old-1", "old-2")
			inv := &fakeInvoker{}
			p := Start(context.Background(), Mapping{Name: "m", Function: "fn", Stream: tb.stream(), StartingPosition: c.position,
				MaximumRetryAttempts: -1}, inv, nil, quietLogger())
			defer p.Stop()
			tb.put("new")
			waitFor(t, "checkpoint", func() bool { return p.Stats().Position == tb.stream().Latest() })
			var got []string
			for _, b := range inv.batches() {
				got = append(got, b...)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("delivered %v, want %v", got, c.want)
			}
		})
	}
}

func TestStopInterruptsRetries(t *testing.T) {
	tb := newTable(t)
	tb.put("a")
	inv := &fakeInvoker{respond: func(int, []events.DynamoDBEventRecord) ([]byte, error) { return nil, errors.New("down") }}
	p := Start(context.Background(), Mapping{Name: "m", Function: "fn", Stream: tb.stream(), MaximumRetryAttempts: -1,
		RetryBaseDelay: time.Hour}, inv, nil, quietLogger())
	waitFor(t, "first attempt", func() bool { return len(inv.batches()) == 1 })
	stopped := make(chan struct{})
	go func() { p.Stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(time.Second):
		t.Fatal("Stop hung")
	}
	if p.Stats().Position != "" {
		t.Fatal("failed batch was checkpointed")
	}
	p.Stop() // idempotent
}
