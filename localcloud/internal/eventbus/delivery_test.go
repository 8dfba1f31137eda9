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

func TestRetryPolicy(t *testing.T) {
	tests := []struct {
		name          string
		failFirst     int
		maxRetries    int
		maxAge        time.Duration
		dlq           string
		invokeErr     error
		wantState     DeliveryState
		wantAttempts  int
		wantCondition string // DLQ EXHAUSTED_RETRY_CONDITION; "" = no DLQ message
		wantErrorCode string
	}{
		{name: "first try succeeds", failFirst: 0, wantState: StateDelivered, wantAttempts: 1},
		{name: "succeeds after two retries", failFirst: 2, maxRetries: 5, wantState: StateDelivered, wantAttempts: 3},
		{name: "retries exhausted to dlq", failFirst: 100, maxRetries: 2, dlq: "taxi-dlq", wantState: StateDeadLettered,
			wantAttempts: 3, wantCondition: "MaximumRetryAttempts", wantErrorCode: "SDK_CLIENT_ERROR"},
		{name: "error code taken from the error", failFirst: 100, maxRetries: 1, dlq: "taxi-dlq", invokeErr: codedError{"TooManyRequestsException"},
			wantState: StateDeadLettered, wantAttempts: 2, wantCondition: "MaximumRetryAttempts", wantErrorCode: "TooManyRequestsException"},
		{name: "zero max retries means no retry", failFirst: 100, maxRetries: 0, dlq: "taxi-dlq", wantState: StateDeadLettered,
			wantAttempts: 1, wantCondition: "MaximumRetryAttempts", wantErrorCode: "SDK_CLIENT_ERROR"},
		{name: "negative max retries means no retry", failFirst: 100, maxRetries: -1, dlq: "taxi-dlq", wantState: StateDeadLettered,
			wantAttempts: 1, wantCondition: "MaximumRetryAttempts", wantErrorCode: "SDK_CLIENT_ERROR"},
		{name: "event too old to retry", failFirst: 100, maxRetries: 10, maxAge: time.Nanosecond, dlq: "taxi-dlq", wantState: StateDeadLettered,
			wantAttempts: 1, wantCondition: "MaximumEventAgeInSeconds", wantErrorCode: "SDK_CLIENT_ERROR"},
		{name: "exhausted without dlq is dropped", failFirst: 100, maxRetries: 1, wantState: StateDropped, wantAttempts: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := newFakeInvoker()
			inv.failFirst["TaxiFunction"] = tt.failFirst
			if tt.invokeErr != nil {
				inv.err = tt.invokeErr
			}
			dlq := &fakeDLQ{}
			b := newTestBus(t, inv, dlq, 2)
			if err := b.AddRule(Rule{Name: "ToTaxi", Function: "TaxiFunction", Pattern: mustPattern(t, `{"source":["calltaxi.reservation"]}`),
				MaximumRetryAttempts: &tt.maxRetries, MaximumEventAge: tt.maxAge, DeadLetterQueue: tt.dlq}); err != nil {
				t.Fatal(err)
			}
			id := putRaw(t, b, "calltaxi.reservation", "ReservationConfirmed", `{"reservationId":"rsv-1"}`)
			waitFor(t, "final state", func() bool {
				d := b.Recent(1)[0].Deliveries[0]
				return d.State != StateQueued && d.State != StateDelivering && d.State != StateRetrying
			})
			d := b.Recent(1)[0].Deliveries[0]
			if d.State != tt.wantState || d.Attempts != tt.wantAttempts {
				t.Errorf("delivery = %+v, want state %s after %d attempts", d, tt.wantState, tt.wantAttempts)
			}
			if got := inv.callCount("TaxiFunction"); got != tt.wantAttempts {
				t.Errorf("invoked %d times, want %d", got, tt.wantAttempts)
			}
			stats := b.Stats()
			if stats.Retries != tt.wantAttempts-1 {
				t.Errorf("Retries = %d, want %d", stats.Retries, tt.wantAttempts-1)
			}
			msgs := dlq.messages()
			if tt.wantCondition == "" {
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
				"RULE_ARN":                  "arn:aws:events:us-east-1:123456789012:rule/ToTaxi",
				"TARGET_ARN":                "arn:aws:lambda:us-east-1:123456789012:function:TaxiFunction",
				"ERROR_CODE":                tt.wantErrorCode,
				"ERROR_MESSAGE":             inv.err.Error(),
				"EXHAUSTED_RETRY_CONDITION": tt.wantCondition,
				"RETRY_ATTEMPTS":            fmt.Sprint(tt.wantAttempts - 1),
			}
			for k, v := range wantAttrs {
				if m.attributes[k] != v {
					t.Errorf("attribute %s = %q, want %q", k, m.attributes[k], v)
				}
			}
			if stats.DeadLettered != 1 {
				t.Errorf("DeadLettered = %d", stats.DeadLettered)
			}
		})
	}
}

func TestRetryBackoff(t *testing.T) {
	tests := []struct {
		retry int
		want  time.Duration
	}{
		{1, 100 * time.Millisecond}, {2, 200 * time.Millisecond}, {3, 400 * time.Millisecond},
		{4, 800 * time.Millisecond}, {5, 1600 * time.Millisecond}, {6, 2 * time.Second}, {185, 2 * time.Second},
	}
	for _, tt := range tests {
		if got := retryBackoff(tt.retry); got != tt.want {
			t.Errorf("retryBackoff(%d) = %v, want %v", tt.retry, got, tt.want)
		}
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
		{"no function", Rule{Name: "r", Pattern: p}, "target function is required"},
		{"no pattern", Rule{Name: "r", Function: "F"}, "event pattern is required"},
		{"unknown bus", Rule{Name: "r", BusName: "nope", Function: "F", Pattern: p}, "event bus nope does not exist"},
		{"duplicate", Rule{Name: "dup", Function: "F", Pattern: p}, "already has this rule"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newTestBus(t, newFakeInvoker(), nil, 1)
			if err := b.AddRule(Rule{Name: "dup", Function: "F", Pattern: p}); err != nil {
				t.Fatal(err)
			}
			err := b.AddRule(tt.rule)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
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

func TestNoInvokerFailsDelivery(t *testing.T) {
	b := newTestBus(t, nil, nil, 1)
	if err := b.AddRule(Rule{Name: "r", Function: "F", Pattern: mustPattern(t, `{"source":["s"]}`), MaximumRetryAttempts: new(int)}); err != nil {
		t.Fatal(err)
	}
	putRaw(t, b, "s", "T", `{}`)
	waitFor(t, "dropped", func() bool { return b.Stats().Dropped == 1 })
	if d := b.Recent(1)[0].Deliveries[0]; !strings.Contains(d.LastError, "no invoker") {
		t.Errorf("LastError = %q", d.LastError)
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
