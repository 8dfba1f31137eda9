package eventbus

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/awsclock"
)

// putRaw sends one PutEvents entry straight to the handler (no SDK) and returns the event id.
func putRaw(t *testing.T, b *Bus, source, detailType, detail string) string {
	t.Helper()
	body := fmt.Sprintf(`{"Entries":[{"Source":%q,"DetailType":%q,"Detail":%q}]}`, source, detailType, detail)
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "AWSEvents.PutEvents")
	rec := httptest.NewRecorder()
	b.ServeHTTP(rec, req)
	resp := decodeObject(t, rec.Body.Bytes())
	entries, _ := resp["Entries"].([]any)
	if rec.Code != http.StatusOK || len(entries) != 1 {
		t.Fatalf("PutEvents: %d %s", rec.Code, rec.Body.String())
	}
	first, _ := entries[0].(map[string]any)
	id, _ := first["EventId"].(string)
	return id
}

func intPtr(n int) *int { return &n }

// TestRetryPolicy follows the EventBridge user guide, "Event retry policy and using dead-letter queues"
// (eb-rule-retry-policy, eb-rule-dlq): a failed delivery is retried with exponential backoff and jitter
// until MaximumRetryAttempts or MaximumEventAgeInSeconds is reached, then sent to the target's DLQ with
// the RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION and RETRY_ATTEMPTS
// attributes, or dropped without a DLQ; a target that does not exist is not retried at all. For a Lambda
// target the failure is the asynchronous Invoke call itself ("Amazon EventBridge targets").
func TestRetryPolicy(t *testing.T) {
	tests := []struct {
		name          string
		queue         bool // SQS target instead of Lambda
		failFirst     int
		maxRetries    *int
		maxAge        time.Duration
		clockScale    float64 // 0 = testClockScale
		dlq           string
		deliverErr    error
		wantState     DeliveryState
		wantAttempts  int // exact, unless wantMinAttempts is set
		wantMin       int
		wantCondition string // DLQ EXHAUSTED_RETRY_CONDITION; "" with wantDLQ = not retried at all
		wantDLQ       bool
		wantErrorCode string
	}{
		{name: "lambda accepts the first async invoke", wantState: StateDelivered, wantAttempts: 1},
		{name: "lambda invoke fails twice then is accepted", failFirst: 2, maxRetries: intPtr(5), wantState: StateDelivered, wantAttempts: 3},
		{name: "lambda retries exhausted to dlq", failFirst: 100, maxRetries: intPtr(2), dlq: "taxi-dlq", wantState: StateDeadLettered,
			wantAttempts: 3, wantCondition: "MaximumRetryAttempts", wantDLQ: true, wantErrorCode: "SDK_CLIENT_ERROR"},
		{name: "error code taken from a throttle", failFirst: 100, maxRetries: intPtr(1), dlq: "taxi-dlq", deliverErr: codedError{"TooManyRequestsException"},
			wantState: StateDeadLettered, wantAttempts: 2, wantCondition: "MaximumRetryAttempts", wantDLQ: true, wantErrorCode: "TooManyRequestsException"},
		{name: "zero max retries means no retry", failFirst: 100, maxRetries: intPtr(0), dlq: "taxi-dlq", wantState: StateDeadLettered,
			wantAttempts: 1, wantCondition: "MaximumRetryAttempts", wantDLQ: true, wantErrorCode: "SDK_CLIENT_ERROR"},
		{name: "missing function goes to the dlq without retries", failFirst: 100, dlq: "taxi-dlq", deliverErr: codedError{"ResourceNotFoundException"},
			wantState: StateDeadLettered, wantAttempts: 1, wantDLQ: true, wantErrorCode: "ResourceNotFoundException"},
		// 60 s is the smallest MaximumEventAgeInSeconds; 1+2+4+...+32 s of backoff exceeds it after 6 or 7 attempts.
		{name: "event too old to retry", failFirst: 1000, maxAge: time.Minute, clockScale: 100, dlq: "taxi-dlq", wantState: StateDeadLettered,
			wantMin: 2, wantCondition: "MaximumEventAgeInSeconds", wantDLQ: true, wantErrorCode: "SDK_CLIENT_ERROR"},
		{name: "exhausted without dlq is dropped", failFirst: 100, maxRetries: intPtr(1), wantState: StateDropped, wantAttempts: 2},
		{name: "sqs send fails twice then succeeds", queue: true, failFirst: 2, maxRetries: intPtr(5), wantState: StateDelivered, wantAttempts: 3},
		{name: "sqs retries exhausted to dlq", queue: true, failFirst: 100, maxRetries: intPtr(2), dlq: "taxi-dlq", wantState: StateDeadLettered,
			wantAttempts: 3, wantCondition: "MaximumRetryAttempts", wantDLQ: true, wantErrorCode: "SDK_CLIENT_ERROR"},
		{name: "missing queue goes to the dlq without retries", queue: true, failFirst: 100, dlq: "taxi-dlq",
			deliverErr: codedError{"AWS.SimpleQueueService.NonExistentQueue"}, wantState: StateDeadLettered, wantAttempts: 1,
			wantDLQ: true, wantErrorCode: "AWS.SimpleQueueService.NonExistentQueue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, queues := newFakeInvoker(), newFakeQueues()
			inv.failFirst["TaxiFunction"] = tt.failFirst
			queues.failFirst["taxi-queue"] = tt.failFirst
			if tt.deliverErr != nil {
				inv.err, queues.err = tt.deliverErr, tt.deliverErr
			}
			scale := tt.clockScale
			if scale == 0 {
				scale = testClockScale
			}
			dlq := &fakeDLQ{}
			b := newTestBusWith(t, Options{Invoker: inv, Queues: queues, DeadLetters: dlq, MaxConcurrentDeliveries: 2, Clock: awsclock.New(scale)})
			rule := Rule{Name: "ToTaxi", Function: "TaxiFunction", Pattern: mustPattern(t, `{"source":["calltaxi.reservation"]}`),
				MaximumRetryAttempts: tt.maxRetries, MaximumEventAge: tt.maxAge, DeadLetterQueue: tt.dlq}
			wantTarget, calls := "arn:aws:lambda:us-east-1:123456789012:function:TaxiFunction", func() int { return inv.callCount("TaxiFunction") }
			if tt.queue {
				rule.Function, rule.Queue = "", "taxi-queue"
				wantTarget, calls = "arn:aws:sqs:us-east-1:123456789012:taxi-queue", func() int { return len(queues.sent("taxi-queue")) }
			}
			if err := b.AddRule(rule); err != nil {
				t.Fatal(err)
			}
			id := putRaw(t, b, "calltaxi.reservation", "ReservationConfirmed", `{"reservationId":"rsv-1"}`)
			waitFor(t, "final state", func() bool {
				d := b.Recent(1)[0].Deliveries[0]
				return d.State != StateQueued && d.State != StateDelivering && d.State != StateRetrying
			})
			d := b.Recent(1)[0].Deliveries[0]
			attemptsOK := d.Attempts == tt.wantAttempts
			if tt.wantMin > 0 {
				attemptsOK = d.Attempts >= tt.wantMin && d.Attempts < defaultRetryAttempts
			}
			if d.State != tt.wantState || !attemptsOK {
				t.Errorf("delivery = %+v, want state %s after %d (at least %d) attempts", d, tt.wantState, tt.wantAttempts, tt.wantMin)
			}
			if got := calls(); got != d.Attempts {
				t.Errorf("target called %d times, record says %d attempts", got, d.Attempts)
			}
			stats := b.Stats()
			if stats.Retries != d.Attempts-1 {
				t.Errorf("Retries = %d, want %d", stats.Retries, d.Attempts-1)
			}
			msgs := dlq.messages()
			if !tt.wantDLQ {
				if len(msgs) != 0 {
					t.Errorf("unexpected DLQ messages: %+v", msgs)
				}
				return
			}
			if len(msgs) != 1 {
				t.Fatalf("DLQ has %d messages, want 1", len(msgs))
			}
			m := msgs[0]
			if m.queue != tt.dlq || decodeObject(t, m.body)["id"] != id {
				t.Errorf("DLQ message queue=%q body=%s, want queue %q and event %s", m.queue, m.body, tt.dlq, id)
			}
			wantAttrs := map[string]string{
				"RULE_ARN":       "arn:aws:events:us-east-1:123456789012:rule/ToTaxi",
				"TARGET_ARN":     wantTarget,
				"ERROR_CODE":     tt.wantErrorCode,
				"RETRY_ATTEMPTS": fmt.Sprint(d.Attempts - 1),
			}
			for k, v := range wantAttrs {
				if m.attributes[k] != v {
					t.Errorf("attribute %s = %q, want %q", k, m.attributes[k], v)
				}
			}
			if cond, ok := m.attributes["EXHAUSTED_RETRY_CONDITION"]; cond != tt.wantCondition || ok != (tt.wantCondition != "") {
				t.Errorf("EXHAUSTED_RETRY_CONDITION = %q (present %v), want %q", cond, ok, tt.wantCondition)
			}
			if msg := m.attributes["ERROR_MESSAGE"]; !strings.Contains(msg, inv.err.Error()) {
				t.Errorf("ERROR_MESSAGE = %q, want it to contain %q", msg, inv.err.Error())
			}
			if stats.DeadLettered != 1 {
				t.Errorf("DeadLettered = %d", stats.DeadLettered)
			}
		})
	}
}

// TestTargets follows "Amazon EventBridge targets": a Lambda target is invoked asynchronously with the
// event as payload, so a function that fails after accepting the event is not the rule's concern; an SQS
// target receives the event JSON as the message body.
func TestTargets(t *testing.T) {
	tests := []struct {
		name string
		rule Rule
		got  func(inv *fakeInvoker, q *fakeQueues) []string
	}{
		{"lambda function", Rule{Name: "r", Function: "ReservationFunction"}, func(inv *fakeInvoker, _ *fakeQueues) []string {
			var out []string
			for _, p := range inv.payloads("ReservationFunction") {
				out = append(out, string(p))
			}
			return out
		}},
		{"sqs queue", Rule{Name: "r", Queue: "reservation-queue"}, func(_ *fakeInvoker, q *fakeQueues) []string {
			return q.sent("reservation-queue")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, queues := newFakeInvoker(), newFakeQueues()
			b := newTestBusWith(t, Options{Invoker: inv, Queues: queues})
			rule := tt.rule
			rule.Pattern = mustPattern(t, `{"source":["calltaxi.payment"]}`)
			if err := b.AddRule(rule); err != nil {
				t.Fatal(err)
			}
			putRaw(t, b, "calltaxi.payment", "PaymentApproved", `{"orderId":"o1"}`)
			waitFor(t, "delivery", func() bool { return b.Stats().Delivered == 1 })
			got := tt.got(inv, queues)
			if len(got) != 1 || string(b.Recent(1)[0].Event) != got[0] {
				t.Fatalf("target got %q, want the event %s once", got, b.Recent(1)[0].Event)
			}
			d := b.Recent(1)[0].Deliveries[0]
			if d.Function != rule.Function || d.Queue != rule.Queue {
				t.Errorf("delivery record = %+v, want function %q queue %q", d, rule.Function, rule.Queue)
			}
			if inv.callCount("ReservationFunction")+len(queues.sent("reservation-queue")) != 1 {
				t.Errorf("the event reached more than its one target")
			}
		})
	}
}

// TestRetryBackoff: "exponential back off and jitter", and by default "24 hours and up to 185 times"
// (EventBridge user guide, "Event retry policy and using dead-letter queues").
func TestRetryBackoff(t *testing.T) {
	tests := []struct {
		retry   int
		ceiling time.Duration
	}{
		{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {9, 256 * time.Second},
		{10, 512 * time.Second}, {11, backoffCap}, {185, backoffCap}, {1000, backoffCap},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("retry %d", tt.retry), func(t *testing.T) {
			if got := retryBackoffCeiling(tt.retry); got != tt.ceiling {
				t.Errorf("ceiling = %v, want %v", got, tt.ceiling)
			}
			for range 200 {
				if got := jitteredBackoff(tt.retry); got < tt.ceiling/2 || got > tt.ceiling {
					t.Fatalf("jitteredBackoff = %v, want within [%v, %v]", got, tt.ceiling/2, tt.ceiling)
				}
			}
		})
	}
	t.Run("default retries span about the default event age", func(t *testing.T) {
		var mean time.Duration
		for retry := 1; retry <= defaultRetryAttempts; retry++ {
			mean += retryBackoffCeiling(retry) * 3 / 4 // mean of uniform [c/2, c]
		}
		if mean < 22*time.Hour || mean > 26*time.Hour {
			t.Errorf("185 retries take %v on average, want about 24h", mean)
		}
	})
}

// TestRetryBackoffRunsInAWSTime: backoff waits are AWS durations converted by the Options.Clock, so a
// time-scaled clock runs minutes of AWS backoff in milliseconds.
func TestRetryBackoffRunsInAWSTime(t *testing.T) {
	clock := awsclock.New(10_000)
	inv := newFakeInvoker()
	inv.failFirst["F"] = 8
	b := newTestBusWith(t, Options{Invoker: inv, Clock: clock})
	if err := b.AddRule(Rule{Name: "r", Function: "F", Pattern: mustPattern(t, `{"source":["s"]}`)}); err != nil {
		t.Fatal(err)
	}
	start, wallStart := clock.Now(), time.Now()
	putRaw(t, b, "s", "T", `{}`)
	waitFor(t, "delivery after 8 retries", func() bool { return b.Stats().Delivered == 1 })
	// Retries 1..8 wait at least half of 1+2+...+128 s.
	if aws := clock.Since(start); aws < 127*time.Second {
		t.Errorf("delivered after %v of AWS time, want at least 127s of backoff", aws)
	}
	if wall := time.Since(wallStart); wall > 3*time.Second {
		t.Errorf("took %v of wall time at scale 10000", wall)
	}
}

func TestConcurrencyIsBoundedWithoutLosingEvents(t *testing.T) {
	const events, limit = 20, 3
	inv := newFakeInvoker()
	inv.release = make(chan struct{})
	b := newTestBus(t, inv, nil, limit)
	if err := b.AddRule(Rule{Name: "all", Function: "F", Pattern: mustPattern(t, `{"source":["s"]}`)}); err != nil {
		t.Fatal(err)
	}
	for i := range events {
		putRaw(t, b, "s", "T", fmt.Sprintf(`{"n":%d}`, i))
	}
	waitFor(t, "workers busy", func() bool { return b.Stats().InFlight == limit })
	if s := b.Stats(); s.Queued != events-limit {
		t.Errorf("Queued = %d, want %d", s.Queued, events-limit)
	}
	close(inv.release)
	waitFor(t, "all delivered", func() bool { return b.Stats().Delivered == events })
	inv.mu.Lock()
	maxActive := inv.maxActive
	inv.mu.Unlock()
	if maxActive > limit {
		t.Errorf("max concurrent invocations = %d, want <= %d", maxActive, limit)
	}
	if got := inv.callCount("F"); got != events {
		t.Errorf("invocations = %d, want %d", got, events)
	}
}

func TestFaults(t *testing.T) {
	t.Run("put failure rate 1 fails every entry", func(t *testing.T) {
		inv := newFakeInvoker()
		b := newTestBus(t, inv, nil, 1)
		if err := b.AddRule(Rule{Name: "all", Function: "F", Pattern: mustPattern(t, `{"source":["s"]}`)}); err != nil {
			t.Fatal(err)
		}
		b.SetFaults(Faults{PutEventsFailureRate: 1})
		client := newSDKClient(t, b)
		out, err := client.PutEvents(context.Background(), putInput(3))
		if err != nil {
			t.Fatal(err)
		}
		if out.FailedEntryCount != 3 {
			t.Errorf("FailedEntryCount = %d, want 3", out.FailedEntryCount)
		}
		for _, e := range out.Entries {
			if e.ErrorCode == nil || *e.ErrorCode != "InternalFailure" {
				t.Errorf("entry = %+v, want InternalFailure", e)
			}
		}
		b.SetFaults(Faults{})
		out, err = client.PutEvents(context.Background(), putInput(2))
		if err != nil || out.FailedEntryCount != 0 {
			t.Errorf("after clearing faults: %+v %v", out, err)
		}
		waitFor(t, "delivery of the accepted entries only", func() bool { return b.Stats().Delivered == 2 })
		if got := inv.callCount("F"); got != 2 {
			t.Errorf("invocations = %d, want 2", got)
		}
	})
	t.Run("duplicate delivery invokes twice", func(t *testing.T) {
		inv := newFakeInvoker()
		b := newTestBus(t, inv, nil, 2)
		if err := b.AddRule(Rule{Name: "all", Function: "F", Pattern: mustPattern(t, `{"source":["s"]}`)}); err != nil {
			t.Fatal(err)
		}
		b.SetFaults(Faults{DuplicateDelivery: true})
		putRaw(t, b, "s", "T", `{}`)
		waitFor(t, "two deliveries", func() bool { return b.Stats().Delivered == 2 })
		p := inv.payloads("F")
		if len(p) != 2 || string(p[0]) != string(p[1]) {
			t.Errorf("payloads = %q, want the same event twice", p)
		}
		if d := b.Recent(1)[0].Deliveries; len(d) != 2 || d[0].Duplicate || !d[1].Duplicate {
			t.Errorf("deliveries = %+v", d)
		}
	})
}

func TestRecentNewestFirst(t *testing.T) {
	b := newTestBus(t, newFakeInvoker(), nil, 1)
	var ids []string
	for i := range 3 {
		ids = append(ids, putRaw(t, b, "s", fmt.Sprintf("T%d", i), `{}`))
	}
	got := b.Recent(2)
	if len(got) != 2 || got[0].ID != ids[2] || got[1].ID != ids[1] || got[0].DetailType != "T2" {
		t.Errorf("Recent(2) = %+v, want ids %v", got, []string{ids[2], ids[1]})
	}
	if all := b.Recent(100); len(all) != 3 {
		t.Errorf("Recent(100) returned %d", len(all))
	}
}

func TestRecentRingWraps(t *testing.T) {
	b := newTestBus(t, newFakeInvoker(), nil, 1)
	b.mu.Lock()
	for i := range recentCapacity + 5 {
		b.remember(&RecordedEvent{ID: fmt.Sprint(i)})
	}
	b.mu.Unlock()
	got := b.Recent(recentCapacity + 10)
	if len(got) != recentCapacity {
		t.Fatalf("len = %d, want %d", len(got), recentCapacity)
	}
	if got[0].ID != fmt.Sprint(recentCapacity+4) || got[len(got)-1].ID != "5" {
		t.Errorf("newest %s oldest %s", got[0].ID, got[len(got)-1].ID)
	}
}

// TestAddRuleErrors: a rule target is a Lambda function or an SQS queue ("Amazon EventBridge targets"),
// and RetryPolicy allows MaximumRetryAttempts 0..185 and MaximumEventAgeInSeconds 60..86400 (API
// reference, RetryPolicy).
func TestAddRuleErrors(t *testing.T) {
	p, err := CompilePattern([]byte(`{"source":["s"]}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		rule    Rule
		wantErr string
	}{
		{"no name", Rule{Function: "F", Pattern: p}, "name is required"},
		{"no target", Rule{Name: "r", Pattern: p}, "a target is required"},
		{"two targets", Rule{Name: "r", Function: "F", Queue: "q", Pattern: p}, "not both"},
		{"no pattern", Rule{Name: "r", Function: "F"}, "event pattern is required"},
		{"unknown bus", Rule{Name: "r", BusName: "nope", Function: "F", Pattern: p}, "event bus nope does not exist"},
		{"duplicate", Rule{Name: "dup", Function: "F", Pattern: p}, "already has this rule"},
		{"duplicate queue", Rule{Name: "dupq", Queue: "q", Pattern: p}, "already has this rule"},
		{"negative retries", Rule{Name: "r", Function: "F", Pattern: p, MaximumRetryAttempts: intPtr(-1)}, "MaximumRetryAttempts -1 is outside 0..185"},
		{"too many retries", Rule{Name: "r", Function: "F", Pattern: p, MaximumRetryAttempts: intPtr(186)}, "outside 0..185"},
		{"event age under a minute", Rule{Name: "r", Function: "F", Pattern: p, MaximumEventAge: 59 * time.Second}, "MaximumEventAgeInSeconds 59 is outside 60..86400"},
		{"event age over a day", Rule{Name: "r", Function: "F", Pattern: p, MaximumEventAge: 25 * time.Hour}, "outside 60..86400"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newTestBus(t, newFakeInvoker(), nil, 1)
			for _, r := range []Rule{{Name: "dup", Function: "F", Pattern: p}, {Name: "dupq", Queue: "q", Pattern: p}} {
				if err := b.AddRule(r); err != nil {
					t.Fatal(err)
				}
			}
			err := b.AddRule(tt.rule)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
	t.Run("same name, other target", func(t *testing.T) {
		b := newTestBus(t, newFakeInvoker(), nil, 1)
		for _, r := range []Rule{{Name: "r", Function: "F", Pattern: p}, {Name: "r", Queue: "F", Pattern: p}, {Name: "r", Function: "G", Pattern: p}} {
			if err := b.AddRule(r); err != nil {
				t.Errorf("AddRule(%+v): %v", r, err)
			}
		}
	})
}

func TestCloseWaitsForInFlightAndAbandonsQueued(t *testing.T) {
	inv := newFakeInvoker()
	inv.release = make(chan struct{})
	b := New(Options{Logger: quietLogger(), Invoker: inv, MaxConcurrentDeliveries: 1})
	if err := b.AddRule(Rule{Name: "all", Function: "F", Pattern: mustPattern(t, `{"source":["s"]}`)}); err != nil {
		t.Fatal(err)
	}
	putRaw(t, b, "s", "first", `{}`)
	putRaw(t, b, "s", "second", `{}`)
	waitFor(t, "first in flight", func() bool { return b.Stats().InFlight == 1 })

	closed := make(chan struct{})
	go func() { b.Close(); close(closed) }()
	select {
	case <-closed:
		t.Fatal("Close returned while an invocation was in flight")
	case <-time.After(50 * time.Millisecond):
	}
	close(inv.release)
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	states := map[string]DeliveryState{}
	for _, e := range b.Recent(2) {
		states[e.DetailType] = e.Deliveries[0].State
	}
	if states["first"] != StateDelivered || states["second"] != StateAbandoned {
		t.Errorf("states = %v", states)
	}
	if id := putRaw(t, b, "s", "late", `{}`); id != "" {
		t.Errorf("PutEvents after Close accepted event %s", id)
	}
}

func TestMissingDeliveryClientFailsDelivery(t *testing.T) {
	tests := []struct {
		name, wantErr string
		rule          Rule
	}{
		{"no invoker", "no invoker", Rule{Name: "r", Function: "F"}},
		{"no queue sender", "no SQS queue sender", Rule{Name: "r", Queue: "q"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newTestBusWith(t, Options{})
			rule := tt.rule
			rule.Pattern, rule.MaximumRetryAttempts = mustPattern(t, `{"source":["s"]}`), intPtr(0)
			if err := b.AddRule(rule); err != nil {
				t.Fatal(err)
			}
			putRaw(t, b, "s", "T", `{}`)
			waitFor(t, "dropped", func() bool { return b.Stats().Dropped == 1 })
			if d := b.Recent(1)[0].Deliveries[0]; !strings.Contains(d.LastError, tt.wantErr) {
				t.Errorf("LastError = %q, want %q", d.LastError, tt.wantErr)
			}
		})
	}
}

func TestErrorCode(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{errors.New("plain"), "SDK_CLIENT_ERROR"},
		{codedError{"ResourceNotFoundException"}, "ResourceNotFoundException"},
		{fmt.Errorf("wrapped: %w", codedError{"TooManyRequestsException"}), "TooManyRequestsException"},
		{codedError{""}, "SDK_CLIENT_ERROR"},
	}
	for _, tt := range tests {
		if got := errorCode(tt.err); got != tt.want {
			t.Errorf("errorCode(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestRuleWithoutRetryPolicyGetsTheAWSDefault(t *testing.T) {
	b := newTestBus(t, newFakeInvoker(), &fakeDLQ{}, 1)
	if err := b.AddRule(Rule{Name: "r", Function: "F", Pattern: mustPattern(t, `{"source":["s"]}`)}); err != nil {
		t.Fatal(err)
	}
	if got := b.rules[0].retries; got != defaultRetryAttempts {
		t.Errorf("retries = %d, want the AWS default %d", got, defaultRetryAttempts)
	}
}

// Deliver sends an event to one rule target without a pattern, under the rule's retry policy and DLQ, as the
// scheduler does for scheduled rules (eb-rule-retry-policy, eb-rule-dlq).
func TestDeliverToOneTarget(t *testing.T) {
	inv := newFakeInvoker()
	b := newTestBus(t, inv, &fakeDLQ{}, 4)
	event := []byte(`{"version":"0","id":"e-1","detail-type":"Scheduled Event","source":"aws.events","detail":{}}`)
	if err := b.Deliver(Rule{Name: "tick", Function: "fn"}, event); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the invocation", func() bool { return inv.callCount("fn") == 1 })
	if got := inv.payloads("fn"); string(got[0]) != string(event) {
		t.Errorf("payload = %s", got[0])
	}
	recent := b.Recent(1)
	if len(recent) != 1 || recent[0].ID != "e-1" || recent[0].DetailType != "Scheduled Event" || recent[0].Source != "aws.events" {
		t.Errorf("recent = %+v", recent)
	}
	if err := b.Deliver(Rule{Name: "tick"}, event); err == nil || !strings.Contains(err.Error(), "deliver tick: a target is required") {
		t.Errorf("Deliver without a target: err = %v", err)
	}
}
