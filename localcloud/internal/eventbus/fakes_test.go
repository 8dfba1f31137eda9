package eventbus

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/awsclock"
)

// fakeInvoker records asynchronous invocations and fails the first failFirst hand-overs of each function.
type fakeInvoker struct {
	mu        sync.Mutex
	failFirst map[string]int
	err       error
	calls     map[string][][]byte
	release   chan struct{} // if non-nil, Invoke blocks until it is closed
	active    int
	maxActive int
}

func newFakeInvoker() *fakeInvoker {
	return &fakeInvoker{failFirst: map[string]int{}, calls: map[string][][]byte{}, err: errors.New("connection reset")}
}

func (f *fakeInvoker) InvokeAsync(function string, payload []byte) error {
	f.mu.Lock()
	f.active++
	f.maxActive = max(f.maxActive, f.active)
	release := f.release
	f.mu.Unlock()
	if release != nil {
		<-release
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.active--
	f.calls[function] = append(f.calls[function], payload)
	if f.failFirst[function] > 0 {
		f.failFirst[function]--
		return f.err
	}
	return nil
}

func (f *fakeInvoker) callCount(function string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls[function])
}

func (f *fakeInvoker) payloads(function string) [][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]byte(nil), f.calls[function]...)
}

// fakeQueues records SQS messages and fails the first failFirst sends to each queue.
type fakeQueues struct {
	mu        sync.Mutex
	failFirst map[string]int
	err       error
	bodies    map[string][]string
}

func newFakeQueues() *fakeQueues {
	return &fakeQueues{failFirst: map[string]int{}, bodies: map[string][]string{}, err: errors.New("connection reset")}
}

func (q *fakeQueues) SendMessage(queue, body string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.bodies[queue] = append(q.bodies[queue], body)
	if q.failFirst[queue] > 0 {
		q.failFirst[queue]--
		return q.err
	}
	return nil
}

func (q *fakeQueues) sent(queue string) []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]string(nil), q.bodies[queue]...)
}

type deadLetter struct {
	queue      string
	body       []byte
	attributes map[string]string
}

type fakeDLQ struct {
	mu   sync.Mutex
	msgs []deadLetter
}

func (q *fakeDLQ) Put(queue string, body []byte, attributes map[string]string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.msgs = append(q.msgs, deadLetter{queue, body, attributes})
}

func (q *fakeDLQ) messages() []deadLetter {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]deadLetter(nil), q.msgs...)
}

// codedError mimics a smithy API error carrying an AWS error code.
type codedError struct{ code string }

func (e codedError) Error() string     { return "api error " + e.code }
func (e codedError) ErrorCode() string { return e.code }

func quietLogger() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

// testClockScale runs a day of AWS retry backoff in under a second of wall time.
const testClockScale = 1e5

// newTestBus returns a bus on a fast AWS clock that is closed at the end of the test.
func newTestBus(t *testing.T, inv Invoker, dlq DeadLetters, concurrency int) *Bus {
	t.Helper()
	return newTestBusWith(t, Options{Invoker: inv, DeadLetters: dlq, MaxConcurrentDeliveries: concurrency})
}

// newTestBusWith is newTestBus with full options; Logger and Clock default to quiet and fast.
func newTestBusWith(t *testing.T, opts Options) *Bus {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = quietLogger()
	}
	if opts.Clock == nil {
		opts.Clock = awsclock.New(testClockScale)
	}
	b := New(opts)
	t.Cleanup(b.Close)
	return b
}

func mustPattern(t *testing.T, src string) *Pattern {
	t.Helper()
	p, err := CompilePattern([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// waitFor polls cond until it holds or fails the test after 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func decodeObject(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	return m
}
