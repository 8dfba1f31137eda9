package lambdaemu

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/awsclock"
)

type putCall struct {
	queue string
	body  []byte
}

// recordingDestinations is an on-failure destination that hands every record to the test.
type recordingDestinations chan putCall

func (d recordingDestinations) Put(queue string, body []byte, _ map[string]string) {
	d <- putCall{queue, append([]byte(nil), body...)}
}

func (d recordingDestinations) next(t *testing.T, wait time.Duration) InvocationRecord {
	t.Helper()
	select {
	case call := <-d:
		if call.queue != "fn-failures" {
			t.Errorf("record sent to queue %q, want fn-failures", call.queue)
		}
		var rec InvocationRecord
		if err := json.Unmarshal(call.body, &rec); err != nil {
			t.Fatalf("invocation record %s: %v", call.body, err)
		}
		return rec
	case <-time.After(wait):
		t.Fatalf("no invocation record within %v", wait)
		return InvocationRecord{}
	}
}

func (d recordingDestinations) none(t *testing.T, wait time.Duration) {
	t.Helper()
	select {
	case call := <-d:
		t.Fatalf("unexpected invocation record on %s: %s", call.queue, call.body)
	case <-time.After(wait):
	}
}

func intPtr(n int) *int                          { return &n }
func durationPtr(d time.Duration) *time.Duration { return &d }

// The give-up rules and timing follow the Lambda Developer Guide, "How Lambda handles errors and
// retries with asynchronous invocation" (function errors: two retries, one minute then two minutes
// apart; throttles and system errors: exponential backoff from 1 s up to 5 min, for up to 6 h) and
// the note in "Asynchronous invocation" that with reserved concurrency zero "Lambda begins sending
// new events to the [...] on-failure event destination, without any retries". The records follow
// "Capturing records of Lambda asynchronous invocations" (example invocation record).
func TestAsyncInvocationRecords(t *testing.T) {
	tests := []struct {
		name         string
		scale        float64 // AWS seconds per wall second
		configure    func(*FunctionConfig)
		setup        func(t *testing.T, s *Service)
		payload      string
		condition    string
		invokeCount  int
		errorType    string // errorType of responsePayload; "" = no responseContext
		minAge       time.Duration
		maxAge       time.Duration
		minThrottles int64
		maxThrottles int64
	}{
		{
			name: "function error retried twice after 1 and 2 minutes", scale: 600,
			payload:   `{"action":"error","message":"always"}`,
			condition: ConditionRetriesExhausted, invokeCount: 3, errorType: "errorString",
			minAge: 3 * time.Minute, maxAge: 8 * time.Minute,
		},
		{
			name: "MaximumRetryAttempts 1", scale: 600,
			configure: func(c *FunctionConfig) { c.MaximumRetryAttempts = intPtr(1) },
			payload:   `{"action":"error","message":"always"}`,
			condition: ConditionRetriesExhausted, invokeCount: 2, errorType: "errorString",
			minAge: time.Minute, maxAge: 5 * time.Minute,
		},
		{
			name: "MaximumRetryAttempts 0", scale: 600,
			configure: func(c *FunctionConfig) { c.MaximumRetryAttempts = intPtr(0) },
			payload:   `{"action":"error","message":"always"}`,
			condition: ConditionRetriesExhausted, invokeCount: 1, errorType: "errorString",
			maxAge: time.Minute,
		},
		{
			name: "function error whose retry would pass MaximumEventAge", scale: 600,
			configure: func(c *FunctionConfig) { c.MaximumEventAge = durationPtr(time.Minute) },
			payload:   `{"action":"error","message":"always"}`,
			condition: ConditionEventAgeExceeded, invokeCount: 1, errorType: "errorString",
			maxAge: time.Minute,
		},
		{
			name: "Fail: a broken deploy exhausts the retries without a process", scale: 600,
			setup:     func(t *testing.T, s *Service) { mustDrill(t, s.Fail) },
			payload:   `{"action":"echo"}`,
			condition: ConditionRetriesExhausted, invokeCount: 3, errorType: "Runtime.ExitError",
			minAge: 3 * time.Minute, maxAge: 6 * time.Minute,
		},
		{
			name: "throttled until MaximumEventAge 60 s", scale: 600,
			configure: func(c *FunctionConfig) {
				c.ReservedConcurrency = intPtr(1)
				c.MaximumEventAge = durationPtr(time.Minute)
			},
			setup:     holdTheOnlySlot,
			payload:   `{"action":"echo"}`,
			condition: ConditionEventAgeExceeded, invokeCount: 0,
			minAge: 0, maxAge: 3 * time.Minute, minThrottles: 5, maxThrottles: 10,
		},
		{
			// About 9 attempts in the first 511 s, then one every 5 minutes: ~80 in 6 h, where retrying
			// every second would make 21600 and uncapped doubling 15.
			name: "throttled until the default maximum event age of 6 hours", scale: 36000,
			configure: func(c *FunctionConfig) { c.ReservedConcurrency = intPtr(1) },
			setup:     holdTheOnlySlot,
			payload:   `{"action":"echo"}`,
			condition: ConditionEventAgeExceeded, invokeCount: 0,
			minAge: 6*time.Hour - 5*time.Minute, maxAge: 7 * time.Hour, minThrottles: 30, maxThrottles: 85,
		},
		{
			name: "reserved concurrency 0 sends the event at once", scale: 600,
			configure: func(c *FunctionConfig) { c.ReservedConcurrency = intPtr(0) },
			payload:   `{"action":"echo"}`,
			condition: ConditionZeroReservedConcurrency, invokeCount: 0,
			maxAge: time.Minute, minThrottles: 1, maxThrottles: 1,
		},
		{
			name: "Stop acts as reserved concurrency 0", scale: 600,
			setup:     func(t *testing.T, s *Service) { mustDrill(t, s.Stop) },
			payload:   `{"action":"echo"}`,
			condition: ConditionZeroReservedConcurrency, invokeCount: 0,
			maxAge: time.Minute, minThrottles: 1, maxThrottles: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dest := make(recordingDestinations, 1)
			clock := awsclock.New(tt.scale)
			s := newTestService(t, Options{Clock: clock, Destinations: dest})
			registerTestFunction(t, s, "fn", func(c *FunctionConfig) {
				c.OnFailure = "fn-failures"
				if tt.configure != nil {
					tt.configure(c)
				}
			})
			if tt.setup != nil {
				tt.setup(t, s)
			}
			before := statsOf(t, s, "fn")
			queued := clock.Now()
			if err := s.InvokeAsync("fn", []byte(tt.payload)); err != nil {
				t.Fatalf("InvokeAsync: %v", err)
			}
			rec := dest.next(t, 20*time.Second)

			if rec.Version != "1.0" || rec.RequestContext.Condition != tt.condition ||
				rec.RequestContext.ApproximateInvokeCount != tt.invokeCount ||
				rec.RequestContext.FunctionARN != "arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST" ||
				len(rec.RequestContext.RequestID) != 36 {
				t.Errorf("requestContext = %+v, want condition %s after %d invokes", rec.RequestContext, tt.condition, tt.invokeCount)
			}
			if string(rec.RequestPayload) != tt.payload {
				t.Errorf("requestPayload = %s, want %s", rec.RequestPayload, tt.payload)
			}
			if tt.errorType == "" {
				if rec.ResponseContext != nil || rec.ResponsePayload != nil {
					t.Errorf("response of an event that never ran: %+v %s", rec.ResponseContext, rec.ResponsePayload)
				}
			} else {
				want := RecordResponse{StatusCode: 200, ExecutedVersion: "$LATEST", FunctionError: "Unhandled"}
				if rec.ResponseContext == nil || *rec.ResponseContext != want {
					t.Errorf("responseContext = %+v, want %+v", rec.ResponseContext, want)
				}
				var body struct{ ErrorType, ErrorMessage string }
				if err := json.Unmarshal(rec.ResponsePayload, &body); err != nil || body.ErrorType != tt.errorType {
					t.Errorf("responsePayload = %s, want errorType %s", rec.ResponsePayload, tt.errorType)
				}
			}
			at, err := time.Parse("2006-01-02T15:04:05.000Z", rec.Timestamp)
			if err != nil {
				t.Fatalf("timestamp %q: %v", rec.Timestamp, err)
			}
			if age := at.Sub(queued); age < tt.minAge-time.Second || age > tt.maxAge {
				t.Errorf("record written after %v of AWS time, want %v to %v", age, tt.minAge, tt.maxAge)
			}
			st := statsOf(t, s, "fn")
			if throttles := st.Throttles - before.Throttles; throttles < tt.minThrottles || (tt.maxThrottles > 0 && throttles > tt.maxThrottles) {
				t.Errorf("throttled attempts = %d, want %d to %d", throttles, tt.minThrottles, tt.maxThrottles)
			}
			if st.Errors-before.Errors != int64(tt.invokeCount) {
				t.Errorf("function errors = %d, want %d", st.Errors-before.Errors, tt.invokeCount)
			}
			dest.none(t, 50*time.Millisecond)
		})
	}
}

// A function error is retried after a minute: a function fixed by then processes the event and
// nothing reaches the on-failure destination.
func TestAsyncRetrySucceedsAfterStart(t *testing.T) {
	dest := make(recordingDestinations, 1)
	s := newTestService(t, Options{Clock: awsclock.New(60), Destinations: dest}) // a minute per second
	registerTestFunction(t, s, "fn", func(c *FunctionConfig) { c.OnFailure = "fn-failures" })
	mustDrill(t, s.Fail)
	if err := s.InvokeAsync("fn", []byte(`{"action":"echo"}`)); err != nil {
		t.Fatalf("InvokeAsync: %v", err)
	}
	waitFor(t, "the first attempt to fail", func() bool { return statsOf(t, s, "fn").Errors == 1 })
	if err := s.Start("fn"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the retry to succeed", func() bool {
		st := statsOf(t, s, "fn")
		return st.Invocations == 2 && st.ColdStarts == 1 && st.ConcurrentInvokes == 0
	})
	if st := statsOf(t, s, "fn"); st.Errors != 1 {
		t.Errorf("stats = %+v, want one error then a success", st)
	}
	dest.none(t, 100*time.Millisecond)
}

// Throttled events stay queued and run once concurrency frees up.
func TestAsyncThrottledEventRunsWhenCapacityFrees(t *testing.T) {
	dest := make(recordingDestinations, 1)
	s := newTestService(t, Options{Clock: awsclock.New(20), Destinations: dest})
	registerTestFunction(t, s, "fn", func(c *FunctionConfig) {
		c.OnFailure = "fn-failures"
		c.ReservedConcurrency = intPtr(1)
	})
	slow := make(chan error, 1)
	go func() {
		_, err := invokeAction(t, s, "fn", map[string]any{"action": "sleep", "ms": 500})
		slow <- err
	}()
	waitFor(t, "the slow invoke", func() bool { return statsOf(t, s, "fn").ConcurrentInvokes == 1 })
	if err := s.InvokeAsync("fn", []byte(`{"action":"echo"}`)); err != nil {
		t.Fatalf("InvokeAsync: %v", err)
	}
	if err := <-slow; err != nil {
		t.Fatalf("slow invoke: %v", err)
	}
	waitFor(t, "the queued event to run", func() bool {
		st := statsOf(t, s, "fn")
		return st.Invocations == 2 && st.ConcurrentInvokes == 0
	})
	if st := statsOf(t, s, "fn"); st.Throttles == 0 || st.Errors != 0 {
		t.Errorf("stats = %+v, want throttled attempts and no error", st)
	}
	dest.none(t, 100*time.Millisecond)
}

func TestInvokeAsyncUnknownFunction(t *testing.T) {
	s := newTestService(t, Options{})
	if err := s.InvokeAsync("nope", nil); err == nil {
		t.Error("InvokeAsync(unknown) accepted")
	}
}

// holdTheOnlySlot keeps fn's single concurrency slot busy for the rest of the test.
func holdTheOnlySlot(t *testing.T, s *Service) {
	t.Helper()
	go func() { _, _ = invokeAction(t, s, "fn", map[string]any{"action": "sleep", "ms": 4000}) }()
	waitFor(t, "the slot to be taken", func() bool { return statsOf(t, s, "fn").ConcurrentInvokes == 1 })
}

func mustDrill(t *testing.T, drill func(string) error) {
	t.Helper()
	if err := drill("fn"); err != nil {
		t.Fatalf("drill: %v", err)
	}
}
