package scheduler

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/awsclock"
	"github.com/calltaxi/call-taxi/localcloud/internal/eventbus"
	"github.com/calltaxi/call-taxi/localcloud/internal/samtemplate"
	"github.com/calltaxi/call-taxi/localcloud/internal/scheduler/schedexpr"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

type firing struct {
	rule  eventbus.Rule
	event []byte
	wall  time.Time
}

// recordingDeliverer stands in for the event bus and records every hand-over.
type recordingDeliverer struct {
	mu      sync.Mutex
	firings []firing
}

func (d *recordingDeliverer) Deliver(r eventbus.Rule, event []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.firings = append(d.firings, firing{rule: r, event: append([]byte(nil), event...), wall: time.Now()})
	return nil
}

func (d *recordingDeliverer) snapshot() []firing {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]firing(nil), d.firings...)
}

// waitFor polls cond until it holds or fails the test after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func mustParse(t *testing.T, s string) *schedexpr.Expression {
	t.Helper()
	e, err := schedexpr.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

type envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

func decode(t *testing.T, b []byte) envelope {
	t.Helper()
	var e envelope
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("event %s: %v", b, err)
	}
	return e
}

func eventTime(t *testing.T, e envelope) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, e.Time)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// "A rate expression starts when you create the scheduled event rule, and then it runs on a defined schedule"
// (eb-rate-expressions): at time scale 60000 a rate(5 minutes) fires every 5 wall milliseconds, each event
// stamped five AWS minutes after the previous one.
func TestRateFiresEveryIntervalInAWSTime(t *testing.T) {
	clock := awsclock.New(60000)
	d := &recordingDeliverer{}
	s := New(Options{Clock: clock, Logger: quiet(), Deliverer: d})
	defer s.Close()
	awsStart, wallStart := clock.Now(), time.Now()
	if err := s.Add(Schedule{Rule: "tick", Expression: mustParse(t, "rate(5 minutes)"), Targets: []Target{{Function: "fn"}}}); err != nil {
		t.Fatal(err)
	}
	awsAdded := clock.Now()
	waitFor(t, "five firings", func() bool { return len(d.snapshot()) >= 5 })
	s.Close()
	got := d.snapshot()
	first := eventTime(t, decode(t, got[0].event))
	// The schedule starts inside Add, between awsStart and awsAdded: a few wall microseconds, but each is
	// an AWS minute at this scale, and a loaded machine can pause the test between the two readings.
	earliest := awsStart.Add(5 * time.Minute).UTC().Truncate(time.Second)
	latest := awsAdded.Add(5 * time.Minute).UTC()
	if first.Before(earliest) || first.After(latest) {
		t.Errorf("first firing at %v, want five AWS minutes after the rule was added, between %v and %v", first, earliest, latest)
	}
	for i := 1; i < len(got); i++ {
		prev, cur := eventTime(t, decode(t, got[i-1].event)), eventTime(t, decode(t, got[i].event))
		if cur.Sub(prev) != 5*time.Minute {
			t.Errorf("firing %d is %v after the previous one, want 5m", i, cur.Sub(prev))
		}
	}
	// Five firings span 25 AWS minutes = 25 wall milliseconds at this scale; timers never fire early.
	if elapsed := got[4].wall.Sub(wallStart); elapsed < clock.Wall(25*time.Minute)-time.Millisecond {
		t.Errorf("fifth firing after %v of wall time, want at least %v", elapsed, clock.Wall(25*time.Minute))
	}
}

// The brief's example: at -time-scale 600 a rate(5 minutes) fires every half wall second.
func TestRateAtTimeScale600FiresEveryHalfSecond(t *testing.T) {
	d := &recordingDeliverer{}
	s := New(Options{Clock: awsclock.New(600), Logger: quiet(), Deliverer: d})
	defer s.Close()
	start := time.Now()
	if err := s.Add(Schedule{Rule: "tick", Expression: mustParse(t, "rate(5 minutes)"), Targets: []Target{{Function: "fn"}}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first firing", func() bool { return len(d.snapshot()) >= 1 })
	if elapsed := d.snapshot()[0].wall.Sub(start); elapsed < 490*time.Millisecond || elapsed > 2*time.Second {
		t.Errorf("first firing after %v, want about 500ms", elapsed)
	}
}

// eb-cron-expressions "Run every 15 minutes": cron(0/15 * * * ? *) fires on minutes 0, 15, 30 and 45 (UTC),
// here every 15 wall milliseconds.
func TestCronFiresOnMatchingMinutesInAWSTime(t *testing.T) {
	clock := awsclock.New(60000)
	d := &recordingDeliverer{}
	s := New(Options{Clock: clock, Logger: quiet(), Deliverer: d})
	defer s.Close()
	start := clock.Now()
	if err := s.Add(Schedule{Rule: "quarter", Expression: mustParse(t, "cron(0/15 * * * ? *)"), Targets: []Target{{Queue: "q"}}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "four firings", func() bool { return len(d.snapshot()) >= 4 })
	s.Close()
	got := d.snapshot()
	var prev time.Time
	for i, f := range got {
		at := eventTime(t, decode(t, f.event))
		if at.Minute()%15 != 0 || at.Second() != 0 {
			t.Errorf("firing %d at %v, not on a quarter hour", i, at)
		}
		if i == 0 && (!at.After(start) || at.Sub(start) > 15*time.Minute) {
			t.Errorf("first firing at %v, want the first quarter hour after %v", at, start)
		}
		if i > 0 && at.Sub(prev) != 15*time.Minute {
			t.Errorf("firing %d is %v after the previous one, want 15m", i, at.Sub(prev))
		}
		prev = at
	}
}

// The scheduled event as EventBridge sends it (eb-create-rule-schedule; the aws.events "Scheduled Event"
// sample): version 0, source aws.events, the rule ARN as the only resource and an empty detail. Every
// target of one firing gets the same event; a target's Input replaces it (AWS::Events::Rule Target Input).
func TestFiringHandsTheScheduledEventToEachTarget(t *testing.T) {
	d := &recordingDeliverer{}
	s := New(Options{Region: "eu-west-1", AccountID: "000000000000", Clock: awsclock.New(60000), Logger: quiet(), Deliverer: d})
	defer s.Close()
	two := 2
	err := s.Add(Schedule{Rule: "nightly", Expression: mustParse(t, "rate(1 minute)"), Targets: []Target{
		{Function: "fn-a", MaximumRetryAttempts: &two, MaximumEventAge: time.Hour, DeadLetterQueue: "dlq"},
		{Function: "fn-b"},
		{Queue: "work", Input: json.RawMessage(`{"job":"sweep"}`)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "one firing to three targets", func() bool { return len(d.snapshot()) >= 3 })
	s.Close()
	got := d.snapshot()
	a, b := decode(t, got[0].event), decode(t, got[1].event)
	want := envelope{Version: "0", ID: a.ID, DetailType: "Scheduled Event", Source: "aws.events", Account: "000000000000",
		Time: a.Time, Region: "eu-west-1", Resources: []string{"arn:aws:events:eu-west-1:000000000000:rule/nightly"},
		Detail: json.RawMessage("{}")}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("event\n got %+v\nwant %+v", a, want)
	}
	if b.ID != a.ID || a.ID == "" {
		t.Errorf("targets of one firing got event ids %q and %q, want one id", a.ID, b.ID)
	}
	if string(got[2].event) != `{"job":"sweep"}` {
		t.Errorf("the queue target got %s, want its Input", got[2].event)
	}
	wantRule := eventbus.Rule{Name: "nightly", Function: "fn-a", MaximumRetryAttempts: &two, MaximumEventAge: time.Hour, DeadLetterQueue: "dlq"}
	if !reflect.DeepEqual(got[0].rule, wantRule) {
		t.Errorf("target rule = %+v, want %+v", got[0].rule, wantRule)
	}
}

// fakeInvoker is Lambda's asynchronous Invoke: it accepts events for "fn" and refuses the rest.
type fakeInvoker struct {
	mu      sync.Mutex
	payload map[string][][]byte
}

func (f *fakeInvoker) InvokeAsync(function string, payload []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if function != "fn" {
		return errors.New("function not found")
	}
	f.payload[function] = append(f.payload[function], append([]byte(nil), payload...))
	return nil
}

func (f *fakeInvoker) count(function string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.payload[function])
}

type fakeDLQ struct {
	mu    sync.Mutex
	attrs []map[string]string
}

func (q *fakeDLQ) Put(queue string, body []byte, attributes map[string]string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.attrs = append(q.attrs, attributes)
}

func (q *fakeDLQ) count() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.attrs)
}

// Through the real event bus: a Lambda target is invoked asynchronously with the scheduled event, and a
// target that cannot be invoked goes to its dead-letter queue once its retry policy is spent
// (eb-rule-retry-policy, eb-rule-dlq), with the rule ARN as RULE_ARN.
func TestDeliveryThroughTheEventBus(t *testing.T) {
	clock := awsclock.New(60000)
	inv := &fakeInvoker{payload: map[string][][]byte{}}
	dlq := &fakeDLQ{}
	bus := eventbus.New(eventbus.Options{Region: "us-east-1", AccountID: "000000000000", Logger: quiet(), Invoker: inv, DeadLetters: dlq, Clock: clock})
	defer bus.Close()
	s := New(Options{Region: "us-east-1", AccountID: "000000000000", Clock: clock, Logger: quiet(), Deliverer: bus})
	defer s.Close()
	zero := 0
	if err := s.Add(Schedule{Rule: "tick", Expression: mustParse(t, "rate(1 minute)"), Targets: []Target{
		{Function: "fn"},
		{Function: "missing", MaximumRetryAttempts: &zero, DeadLetterQueue: "dlq"},
	}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "an invocation and a dead letter", func() bool { return inv.count("fn") >= 1 && dlq.count() >= 1 })
	s.Close()
	inv.mu.Lock()
	ev := decode(t, inv.payload["fn"][0])
	inv.mu.Unlock()
	if ev.DetailType != "Scheduled Event" || ev.Source != "aws.events" || len(ev.Resources) != 1 || ev.Resources[0] != "arn:aws:events:us-east-1:000000000000:rule/tick" {
		t.Errorf("invoked with %+v", ev)
	}
	dlq.mu.Lock()
	attrs := dlq.attrs[0]
	dlq.mu.Unlock()
	if attrs["RULE_ARN"] != "arn:aws:events:us-east-1:000000000000:rule/tick" || attrs["EXHAUSTED_RETRY_CONDITION"] != "MaximumRetryAttempts" {
		t.Errorf("dead letter attributes = %v", attrs)
	}
	recent := bus.Recent(1)
	if len(recent) != 1 || recent[0].DetailType != "Scheduled Event" {
		t.Errorf("recent events = %+v", recent)
	}
}

func TestAddRefusesBadSchedules(t *testing.T) {
	s := New(Options{Logger: quiet(), Deliverer: &recordingDeliverer{}})
	defer s.Close()
	expr := mustParse(t, "rate(1 day)")
	tooMany := 186
	tests := []struct {
		name string
		sc   Schedule
		want string
	}{
		{"no rule", Schedule{Expression: expr}, "rule name is required"},
		{"no expression", Schedule{Rule: "r"}, "expression is required"},
		{"no target kind", Schedule{Rule: "r", Expression: expr, Targets: []Target{{}}}, "a target is required"},
		{"two target kinds", Schedule{Rule: "r", Expression: expr, Targets: []Target{{Function: "f", Queue: "q"}}}, "not both"},
		{"retry policy", Schedule{Rule: "r", Expression: expr, Targets: []Target{{Function: "f", MaximumRetryAttempts: &tooMany}}}, "outside 0..185"},
		{"event age", Schedule{Rule: "r", Expression: expr, Targets: []Target{{Function: "f", MaximumEventAge: time.Second}}}, "outside 60..86400"},
		{"input", Schedule{Rule: "r", Expression: expr, Targets: []Target{{Function: "f", Input: json.RawMessage("{")}}}, "Input is not valid JSON"},
	}
	for _, tt := range tests {
		if err := s.Add(tt.sc); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
	s.Close()
	if err := s.Add(Schedule{Rule: "r", Expression: expr}); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Add after Close: err = %v", err)
	}
}

// Close stops firing: nothing is delivered once it returns. It runs in a synctest bubble, so twenty AWS
// minutes after Close (20 ms at this scale) pass on the bubble's clock once everything is idle.
func TestCloseStopsFiring(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := &recordingDeliverer{}
		s := New(Options{Clock: awsclock.New(60000), Logger: quiet(), Deliverer: d})
		if err := s.Add(Schedule{Rule: "tick", Expression: mustParse(t, "rate(1 minute)"), Targets: []Target{{Function: "fn"}}}); err != nil {
			t.Fatal(err)
		}
		// On the bubble's clock a firing comes within an AWS minute (1 ms).
		for deadline := time.Now().Add(time.Second); len(d.snapshot()) == 0; <-time.After(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("no firing")
			}
		}
		s.Close()
		n := len(d.snapshot())
		<-time.After(20 * time.Millisecond)
		synctest.Wait()
		if got := len(d.snapshot()); got != n {
			t.Errorf("%d firings after Close", got-n)
		}
	})
}

func TestFromTemplate(t *testing.T) {
	tmpl, err := samtemplate.Parse([]byte(`
Resources:
  Dlq:
    Type: AWS::SQS::Queue
    Properties: {QueueName: dlq}
  Work:
    Type: AWS::SQS::Queue
    Properties: {QueueName: work}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      FunctionName: fn
      Events:
        Tick:
          Type: Schedule
          Properties:
            Schedule: rate(5 minutes)
            Input: '{"a":1}'
            RetryPolicy: {MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600}
            DeadLetterConfig: {Arn: !GetAtt Dlq.Arn}
        Off:
          Type: Schedule
          Properties: {Schedule: rate(1 hour), Enabled: false}
  Beat:
    Type: AWS::Events::Rule
    Properties:
      Name: beat
      ScheduleExpression: cron(0 12 * * ? *)
      Targets:
        - {Id: q, Arn: !GetAtt Work.Arn}
  Matching:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: {source: [app]}
      Targets:
        - {Id: q, Arn: !GetAtt Work.Arn}
`), samtemplate.Options{StackName: "stack"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := FromTemplate(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	three := 3
	want := []Schedule{
		{Rule: "stack-FnTick", Expression: mustParse(t, "rate(5 minutes)"), Targets: []Target{{Function: "fn",
			MaximumRetryAttempts: &three, MaximumEventAge: 10 * time.Minute, DeadLetterQueue: "dlq", Input: json.RawMessage(`{"a":1}`)}}},
		{Rule: "beat", Expression: mustParse(t, "cron(0 12 * * ? *)"), Targets: []Target{{Queue: "work"}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FromTemplate\n got %+v\nwant %+v", got, want)
	}
}
