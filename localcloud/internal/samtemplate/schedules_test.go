package samtemplate

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// SAM reference "Schedule" (sam-property-function-schedule): Schedule, Name, Enabled or State, Input,
// RetryPolicy and DeadLetterConfig, which with Type SQS makes SAM create <Function><Event>Queue.
func TestScheduleEvents(t *testing.T) {
	tpl := loadFixture(t, "schedules.yaml", Options{})
	two := 2
	fiveMin := 5 * time.Minute
	want := []ScheduleEvent{
		{EventName: "Every5", Schedule: "rate(5 minutes)", RuleName: "call-taxi-FnEvery5", Enabled: true},
		{EventName: "Nightly", Schedule: "cron(0 3 * * ? *)", RuleName: "nightly-sweep", Enabled: true,
			Input: json.RawMessage(`{"job":"sweep"}`), RetryAttempts: &two, MaxEventAge: &fiveMin, DeadLetterQueue: "sched-dlq"},
		{EventName: "Paused", Schedule: "rate(1 hour)", RuleName: "call-taxi-FnPaused", Enabled: false,
			DeadLetterQueue: "call-taxi-FnPausedQueue"},
		{EventName: "Stopped", Schedule: "cron(0/15 8-17 ? * MON-FRI *)", RuleName: "call-taxi-FnStopped", Enabled: false,
			Input: json.RawMessage(`{"depth":2,"job":"report"}`)},
	}
	got := tpl.Functions["Fn"].Schedules
	if !reflect.DeepEqual(got, want) {
		gotJSON, _ := json.MarshalIndent(got, "", " ")
		t.Errorf("Schedules\n got %s\nwant %+v", gotJSON, want)
	}
	if _, ok := tpl.Queues["FnPausedQueue"]; !ok {
		t.Error("SAM-generated dead-letter queue FnPausedQueue missing from Queues")
	}
}

// AWS::Events::Rule with ScheduleExpression (CloudFormation reference "AWS::Events::Rule"; PutRule: "A rule
// can have both an EventPattern and a ScheduleExpression"). A target's Input applies to scheduled firings.
func TestScheduledRuleResources(t *testing.T) {
	tpl := loadFixture(t, "schedules.yaml", Options{})
	zero := 0
	want := map[string]*Rule{
		"Heartbeat": {LogicalID: "Heartbeat", Name: "heartbeat", BusName: "default", Schedule: "rate(1 minute)", Enabled: true,
			Targets: []RuleTarget{
				{ID: "queue", Queue: "work", RetryAttempts: &zero, DeadLetterQueue: "sched-dlq", Input: json.RawMessage(`{"beat":true}`)},
				{ID: "fn", Function: "call-taxi-Fn"},
			}},
		"Both": {LogicalID: "Both", Name: "call-taxi-Both", BusName: "default", Schedule: "cron(0 12 L * ? *)", Enabled: false,
			Pattern: json.RawMessage(`{"source":["app.orders"]}`),
			Targets: []RuleTarget{{ID: "fn", Function: "call-taxi-Fn", Input: json.RawMessage(`{"from":"both"}`)}}},
	}
	for id, w := range want {
		if got := tpl.Rules[id]; !reflect.DeepEqual(got, w) {
			t.Errorf("rule %s\n got %+v\nwant %+v", id, got, w)
		}
	}
	unsupported := strings.Join(tpl.Unsupported, "\n")
	if !strings.Contains(unsupported, "Input: rule input rewriting is not emulated; targets get the whole event (Both.fn)") {
		t.Errorf("Input on a rule with an event pattern is not reported: %q", tpl.Unsupported)
	}
	if strings.Contains(unsupported, "Heartbeat") || strings.Contains(unsupported, "Schedule") {
		t.Errorf("scheduled rules reported as unsupported: %q", tpl.Unsupported)
	}
}

// Expressions are validated as EventBridge validates them (eb-rate-expressions, eb-cron-expressions), and the
// template errors name the property.
func TestScheduleErrors(t *testing.T) {
	fn := func(props string) string {
		return `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Events:
        Tick:
          Type: Schedule
          Properties: ` + props + "\n"
	}
	rule := func(props string) string {
		return `
Resources:
  Bus:
    Type: AWS::Events::EventBus
    Properties: {Name: domain}
  Tick:
    Type: AWS::Events::Rule
    Properties: ` + props + "\n"
	}
	tests := []struct{ name, template, want string }{
		{"singular unit for 1", fn(`{Schedule: rate(1 minutes)}`), "Fn.Properties.Events.Tick.Properties.Schedule: schedule expression \"rate(1 minutes)\": a value of 1 takes a singular unit"},
		{"plural unit above 1", fn(`{Schedule: rate(5 hour)}`), "a value above 1 takes a plural unit"},
		{"zero rate", fn(`{Schedule: rate(0 minutes)}`), "positive integer"},
		{"five-field cron", fn(`{Schedule: "cron(0 12 * * ?)"}`), "six fields"},
		{"both days", fn(`{Schedule: "cron(0 12 * * MON *)"}`), "cannot both be given"},
		{"missing schedule", fn(`{Input: "{}"}`), "Tick.Properties.Schedule: required property is missing"},
		{"Enabled and State", fn(`{Schedule: rate(1 day), Enabled: true, State: ENABLED}`), "specify either Enabled or State, not both"},
		{"Input not JSON", fn(`{Schedule: rate(1 day), Input: "{nope"}`), "not valid JSON"},
		{"rule without pattern or schedule", rule(`{Targets: []}`), "give EventPattern, ScheduleExpression or both"},
		{"rule with a bad schedule", rule(`{ScheduleExpression: rate(2 weeks)}`), "Tick.Properties.ScheduleExpression: schedule expression \"rate(2 weeks)\""},
		{"scheduled rule on a custom bus", rule(`{ScheduleExpression: rate(1 day), EventBusName: !Ref Bus}`), "only on the default event bus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.template), Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
