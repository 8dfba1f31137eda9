package sqsesm

import (
	"context"
	"crypto/md5"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/localcloud/internal/awsclock"
	"github.com/calltaxi/call-taxi/localcloud/internal/sqsemu"
)

type fakeFunc func(ctx context.Context, ev events.SQSEvent) ([]byte, error)

// invoker records every event and answers with fn.
type invoker struct {
	fn     fakeFunc
	mu     sync.Mutex
	events []events.SQSEvent
}

func (i *invoker) Invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	var ev events.SQSEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, fmt.Errorf("decode event: %w", err)
	}
	i.mu.Lock()
	i.events = append(i.events, ev)
	i.mu.Unlock()
	return i.fn(ctx, ev)
}

func (i *invoker) recorded() []events.SQSEvent {
	i.mu.Lock()
	defer i.mu.Unlock()
	return append([]events.SQSEvent(nil), i.events...)
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

type env struct {
	q     *sqsemu.Service
	clock *awsclock.Clock
}

func newEnv(t *testing.T, scale float64, specs ...sqsemu.QueueSpec) env {
	t.Helper()
	clock := awsclock.New(scale)
	q, err := sqsemu.New(sqsemu.Options{Logger: quiet(), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = q.Close() })
	for _, s := range specs {
		if err := q.CreateQueue(s); err != nil {
			t.Fatal(err)
		}
	}
	return env{q: q, clock: clock}
}

func (e env) start(t *testing.T, m Mapping, inv Invoker) *Poller {
	t.Helper()
	p := Start(context.Background(), m, inv, e.q, e.clock, quiet())
	t.Cleanup(p.Stop)
	return p
}

func (e env) send(t *testing.T, queue string, bodies ...string) []string {
	t.Helper()
	var ids []string
	for _, b := range bodies {
		id, err := e.q.Send(queue, b, nil, -1)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func (e env) total(queue string) int {
	v, nv, d := e.q.Counts(queue)
	return v + nv + d
}

func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func ok(context.Context, events.SQSEvent) ([]byte, error) { return nil, nil }

// "Using Lambda with Amazon SQS": Lambda invokes the function synchronously with an event of
// records (messageId, receiptHandle, body, attributes, md5OfBody, eventSource aws:sqs, eventSourceARN,
// awsRegion) and deletes the batch when the function succeeds.
func TestSuccessDeletesBatch_UsingLambdaWithSQS(t *testing.T) {
	e := newEnv(t, 1, sqsemu.QueueSpec{Name: "orders"})
	ids := e.send(t, "orders", `{"n":1}`, `{"n":2}`, `{"n":3}`)
	inv := &invoker{fn: ok}
	p := e.start(t, Mapping{Name: "m", Function: "fn", Queue: "orders"}, inv)
	eventually(t, 5*time.Second, "the queue to drain", func() bool { return e.total("orders") == 0 })

	seen := map[string]events.SQSMessage{}
	for _, ev := range inv.recorded() {
		for _, r := range ev.Records {
			seen[r.MessageId] = r
		}
	}
	if len(seen) != 3 {
		t.Fatalf("delivered %d distinct messages, want 3", len(seen))
	}
	r := seen[ids[0]]
	for _, c := range []struct{ name, got, want string }{
		{"eventSource", r.EventSource, "aws:sqs"},
		{"eventSourceARN", r.EventSourceARN, "arn:aws:sqs:us-east-1:000000000000:orders"},
		{"awsRegion", r.AWSRegion, "us-east-1"},
		{"body", r.Body, `{"n":1}`},
		{"md5OfBody", r.Md5OfBody, fmt.Sprintf("%x", md5.Sum([]byte(`{"n":1}`)))},
		{"ApproximateReceiveCount", r.Attributes["ApproximateReceiveCount"], "1"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if r.ReceiptHandle == "" || len(r.Md5OfBody) != 32 || r.Attributes["SentTimestamp"] == "" || r.Attributes["ApproximateFirstReceiveTimestamp"] == "" {
		t.Errorf("record = %+v", r)
	}
	// The poller counts a batch after deleting it: the queue can be empty a moment before the count.
	eventually(t, 5*time.Second, "the poller to count the 3 messages", func() bool { return p.Stats().DeliveredMessages == 3 })
	if s := p.Stats(); s.DeliveredMessages != 3 || s.FailedBatches != 0 {
		t.Errorf("stats = %+v", s)
	}
}

// "Handling errors for an SQS event source in Lambda": when the function fails, the batch's messages
// become visible again after the visibility timeout; with the queue's redrive policy a message that
// keeps failing goes to the dead-letter queue once its receive count exceeds maxReceiveCount.
func TestFunctionError_PoisonMessageReachesDLQ_HandlingErrorsForSQS(t *testing.T) {
	e := newEnv(t, 6000, // the 30 s visibility timeout lasts 5 ms
		sqsemu.QueueSpec{Name: "dlq"},
		sqsemu.QueueSpec{Name: "work", DeadLetterTarget: "dlq", MaxReceiveCount: 3})
	ids := e.send(t, "work", "poison")
	inv := &invoker{fn: func(context.Context, events.SQSEvent) ([]byte, error) { return nil, errors.New("boom") }}
	p := e.start(t, Mapping{Name: "m", Function: "fn", Queue: "work"}, inv)
	eventually(t, 10*time.Second, "the poison message in the DLQ", func() bool { return e.total("dlq") == 1 })
	if msgs := e.q.Messages("dlq"); msgs[0].MessageID != ids[0] {
		t.Errorf("DLQ holds %+v", msgs)
	}
	evs := inv.recorded()
	if len(evs) != 3 {
		t.Errorf("invoked %d times, want maxReceiveCount = 3", len(evs))
	}
	for i, ev := range evs {
		if got := ev.Records[0].Attributes["ApproximateReceiveCount"]; got != fmt.Sprint(i+1) {
			t.Errorf("invocation %d: ApproximateReceiveCount = %s", i+1, got)
		}
	}
	if s := p.Stats(); s.FailedBatches != 3 || s.DeliveredMessages != 0 {
		t.Errorf("stats = %+v", s)
	}
}

// "Configuring partial batch response with SQS and Lambda": with ReportBatchItemFailures, Lambda
// deletes the messages not listed in batchItemFailures. Complete success: empty or null
// batchItemFailures, empty or null response. Complete failure: invalid JSON, an empty or null
// itemIdentifier, or an itemIdentifier that is not a message ID of the batch.
func TestPartialBatchResponse_ConfiguringPartialBatchResponse(t *testing.T) {
	tests := []struct {
		name      string
		report    bool
		response  func(ev events.SQSEvent) string
		remaining []string // bodies left in the queue
	}{
		{"no response", true, func(events.SQSEvent) string { return "" }, nil},
		{"null response", true, func(events.SQSEvent) string { return "null" }, nil},
		{"empty object", true, func(events.SQSEvent) string { return "{}" }, nil},
		{"empty list", true, func(events.SQSEvent) string { return `{"batchItemFailures":[]}` }, nil},
		{"null list", true, func(events.SQSEvent) string { return `{"batchItemFailures":null}` }, nil},
		{"one failure", true, func(ev events.SQSEvent) string { return failuresFor(ev, "b") }, []string{"b"}},
		{"two failures", true, func(ev events.SQSEvent) string { return failuresFor(ev, "a", "c") }, []string{"a", "c"}},
		{"invalid JSON", true, func(events.SQSEvent) string { return `{"batchItemFailures":` }, []string{"a", "b", "c"}},
		{"empty itemIdentifier", true, func(events.SQSEvent) string { return `{"batchItemFailures":[{"itemIdentifier":""}]}` }, []string{"a", "b", "c"}},
		{"null itemIdentifier", true, func(events.SQSEvent) string { return `{"batchItemFailures":[{"itemIdentifier":null}]}` }, []string{"a", "b", "c"}},
		{"bad key name", true, func(events.SQSEvent) string { return `{"batchItemFailures":[{"id":"x"}]}` }, []string{"a", "b", "c"}},
		{"unknown itemIdentifier", true, func(events.SQSEvent) string { return `{"batchItemFailures":[{"itemIdentifier":"nope"}]}` }, []string{"a", "b", "c"}},
		{"failures ignored without ReportBatchItemFailures", false, func(ev events.SQSEvent) string { return failuresFor(ev, "b") }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, 1, sqsemu.QueueSpec{Name: "q", VisibilityTimeout: time.Hour})
			e.send(t, "q", "a", "b", "c")
			var once sync.Once
			done := make(chan struct{})
			inv := &invoker{fn: func(_ context.Context, ev events.SQSEvent) ([]byte, error) {
				defer once.Do(func() { close(done) })
				return []byte(tt.response(ev)), nil
			}}
			p := e.start(t, Mapping{Name: "m", Function: "fn", Queue: "q", ReportBatchItemFailures: tt.report, MaximumConcurrency: 2}, inv)
			<-done
			eventually(t, 5*time.Second, "the batch to be settled", func() bool {
				s := p.Stats()
				return s.DeliveredBatches+s.PartialBatches+s.FailedBatches == 1
			})
			if evs := inv.recorded(); len(evs) != 1 || len(evs[0].Records) != 3 {
				t.Fatalf("events = %+v; want one batch of 3", evs)
			}
			var left []string
			for _, m := range e.q.Messages("q") {
				left = append(left, m.Body)
			}
			if fmt.Sprint(left) != fmt.Sprint(tt.remaining) {
				t.Errorf("left in queue %v, want %v", left, tt.remaining)
			}
		})
	}
}

func failuresFor(ev events.SQSEvent, bodies ...string) string {
	var out events.SQSEventResponse
	for _, r := range ev.Records {
		for _, b := range bodies {
			if r.Body == b {
				out.BatchItemFailures = append(out.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
			}
		}
	}
	raw, _ := json.Marshal(out)
	return string(raw)
}

// "Control which events Lambda sends to your function" (filtering SQS messages): the body is matched
// as JSON; messages that match no filter are deleted without invoking the function.
func TestFilters_MessagesMatchingNoFilterAreDeleted(t *testing.T) {
	e := newEnv(t, 1, sqsemu.QueueSpec{Name: "q"})
	e.send(t, "q", `{"kind":"keep"}`, `{"kind":"drop"}`, `not json`)
	inv := &invoker{fn: ok}
	// A minimal matcher for {"body":{"kind":[...]}} patterns.
	matcher := func(pattern, doc []byte) (bool, error) {
		var pat struct {
			Body map[string][]string `json:"body"`
		}
		var d struct {
			Body any `json:"body"`
		}
		if err := json.Unmarshal(pattern, &pat); err != nil {
			return false, err
		}
		if err := json.Unmarshal(doc, &d); err != nil {
			return false, err
		}
		obj, isObj := d.Body.(map[string]any)
		if !isObj {
			return false, nil
		}
		for _, want := range pat.Body["kind"] {
			if obj["kind"] == want {
				return true, nil
			}
		}
		return false, nil
	}
	p := e.start(t, Mapping{Name: "m", Function: "fn", Queue: "q", Filters: [][]byte{[]byte(`{"body":{"kind":["keep"]}}`)}, Matcher: matcher}, inv)
	eventually(t, 5*time.Second, "the queue to drain", func() bool { return e.total("q") == 0 })
	var bodies []string
	for _, ev := range inv.recorded() {
		for _, r := range ev.Records {
			bodies = append(bodies, r.Body)
		}
	}
	if fmt.Sprint(bodies) != `[{"kind":"keep"}]` {
		t.Errorf("delivered %v", bodies)
	}
	if s := p.Stats(); s.FilteredMessages != 2 {
		t.Errorf("FilteredMessages = %d, want 2", s.FilteredMessages)
	}
}

// "Configuring scaling behavior for SQS event source mappings": Lambda scales up the number of
// concurrent batches while messages wait, never beyond MaximumConcurrency.
func TestMaximumConcurrency_ScalingBehavior(t *testing.T) {
	e := newEnv(t, 1, sqsemu.QueueSpec{Name: "q", VisibilityTimeout: time.Hour})
	for range 20 {
		e.send(t, "q", "m")
	}
	release := make(chan struct{})
	inv := &invoker{fn: func(ctx context.Context, _ events.SQSEvent) ([]byte, error) {
		select {
		case <-release:
		case <-ctx.Done():
		}
		return nil, nil
	}}
	p := e.start(t, Mapping{Name: "m", Function: "fn", Queue: "q", BatchSize: 1, MaximumConcurrency: 3}, inv)
	eventually(t, 5*time.Second, "3 concurrent batches", func() bool { return p.Stats().InFlightBatches == 3 })
	close(release)
	eventually(t, 5*time.Second, "the queue to drain", func() bool { return e.total("q") == 0 })
	if s := p.Stats(); s.PeakInFlight != 3 || s.PeakPollers > 3 {
		t.Errorf("peak in flight %d, peak pollers %d; want 3 and at most 3", s.PeakInFlight, s.PeakPollers)
	}
}

// MaximumBatchingWindow ("Using Lambda with Amazon SQS", batching behavior): Lambda gathers up to
// BatchSize messages, more than the 10 one receive returns, before invoking.
func TestBatchingWindow_GathersLargeBatch(t *testing.T) {
	e := newEnv(t, 100, sqsemu.QueueSpec{Name: "q"}) // the 5 s window lasts 50 ms
	for range 25 {
		e.send(t, "q", "m")
	}
	inv := &invoker{fn: ok}
	e.start(t, Mapping{Name: "m", Function: "fn", Queue: "q", BatchSize: 25, MaximumBatchingWindow: 5 * time.Second, MaximumConcurrency: 2}, inv)
	eventually(t, 5*time.Second, "the queue to drain", func() bool { return e.total("q") == 0 })
	largest := 0
	for _, ev := range inv.recorded() {
		largest = max(largest, len(ev.Records))
	}
	if largest <= 10 {
		t.Errorf("largest batch %d; want more than one receive's 10", largest)
	}
}

// Stop cancels an in-flight invocation; its messages are not deleted.
func TestStop_LeavesInFlightMessages(t *testing.T) {
	e := newEnv(t, 1, sqsemu.QueueSpec{Name: "q", VisibilityTimeout: time.Hour})
	e.send(t, "q", "m")
	started := make(chan struct{})
	inv := &invoker{fn: func(ctx context.Context, _ events.SQSEvent) ([]byte, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	p := Start(context.Background(), Mapping{Name: "m", Function: "fn", Queue: "q"}, inv, e.q, e.clock, quiet())
	<-started
	p.Stop()
	if _, nv, _ := e.q.Counts("q"); nv != 1 {
		t.Errorf("in-flight messages after Stop = %d, want 1", nv)
	}
}

// Defaults: BatchSize 10 (max 10000), MaximumConcurrency 2–1000 with a local default of 5.
func TestMappingDefaults(t *testing.T) {
	for _, tt := range []struct {
		in         Mapping
		batch, con int
	}{
		{Mapping{}, 10, DefaultLocalConcurrency},
		{Mapping{BatchSize: 20000, MaximumConcurrency: 5000}, 10000, 1000},
		{Mapping{BatchSize: 1, MaximumConcurrency: 1}, 1, 2},
	} {
		got := tt.in.withDefaults()
		if got.BatchSize != tt.batch || got.MaximumConcurrency != tt.con {
			t.Errorf("withDefaults(%+v) = batch %d, concurrency %d; want %d, %d", tt.in, got.BatchSize, got.MaximumConcurrency, tt.batch, tt.con)
		}
	}
}
