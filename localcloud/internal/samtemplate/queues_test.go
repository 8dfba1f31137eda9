package samtemplate

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// AWS::SQS::Queue properties (CloudFormation reference "AWS::SQS::Queue"): VisibilityTimeout,
// MessageRetentionPeriod and RedrivePolicy {deadLetterTargetArn, maxReceiveCount}.
func TestQueuesReadAttributesAndRedrivePolicy(t *testing.T) {
	tpl := loadFixture(t, "queues.yaml", Options{})
	tests := []struct {
		id   string
		want Queue
	}{
		{"WorkQueue", Queue{LogicalID: "WorkQueue", Name: "call-taxi-work",
			Arn: "arn:aws:sqs:us-east-1:000000000000:call-taxi-work", URL: tpl.Queues["WorkQueue"].URL,
			VisibilityTimeout: 180 * time.Second, MessageRetentionPeriod: 14 * 24 * time.Hour,
			DeadLetterQueue: "call-taxi-work-dlq", MaxReceiveCount: 120}},
		{"PlainQueue", Queue{LogicalID: "PlainQueue", Name: "call-taxi-PlainQueue",
			Arn: "arn:aws:sqs:us-east-1:000000000000:call-taxi-PlainQueue", URL: tpl.Queues["PlainQueue"].URL}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			if got := tpl.Queues[tt.id]; got == nil || !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("queue %s\n got %+v\nwant %+v", tt.id, got, tt.want)
			}
		})
	}
}

// AWS::Events::Rule targets (CloudFormation reference "AWS::Events::Rule Target"): an SQS queue and a
// Lambda function are emulated, with their RetryPolicy and DeadLetterConfig; other targets are reported.
func TestEventsRuleResources(t *testing.T) {
	tpl := loadFixture(t, "queues.yaml", Options{})
	intPtr := func(n int) *int { return &n }
	hour := time.Hour
	want := map[string]*Rule{
		"ToQueue": {LogicalID: "ToQueue", Name: "to-work", BusName: "domain", Enabled: true,
			Pattern: json.RawMessage(`{"source":["app.orders"]}`),
			Targets: []RuleTarget{
				{ID: "work", Queue: "call-taxi-work", RetryAttempts: intPtr(20), MaxEventAge: &hour, DeadLetterQueue: "call-taxi-work-dlq"},
				{ID: "fn", Function: "call-taxi-Fn"},
			}},
		"Disabled": {LogicalID: "Disabled", Name: "call-taxi-Disabled", BusName: "default", Enabled: false,
			Pattern: json.RawMessage(`{"source":["app.other"]}`),
			Targets: []RuleTarget{{ID: "plain", Queue: "call-taxi-PlainQueue"}}},
	}
	if !reflect.DeepEqual(tpl.Rules, want) {
		for id := range want {
			t.Errorf("rule %s\n got %+v\nwant %+v", id, tpl.Rules[id], want[id])
		}
	}
	if !strings.Contains(strings.Join(tpl.Unsupported, "\n"), "Targets: only SQS queue and Lambda function targets are emulated (ToQueue.topic)") {
		t.Errorf("the SNS target is not reported as unsupported: %q", tpl.Unsupported)
	}
}

// SAM "SQS" event source (SAM reference "SQS"): BatchSize default 10, FunctionResponseTypes,
// ScalingConfig.MaximumConcurrency, FilterCriteria and Enabled.
func TestSQSEvents(t *testing.T) {
	tpl := loadFixture(t, "queues.yaml", Options{})
	want := []QueueEvent{
		{EventName: "Plain", QueueLogicalID: "PlainQueue", QueueName: "call-taxi-PlainQueue", BatchSize: 10, Enabled: false},
		{EventName: "Work", QueueLogicalID: "WorkQueue", QueueName: "call-taxi-work", BatchSize: 5,
			MaximumBatchingWindow: time.Second, ReportBatchItemFailures: true, MaximumConcurrency: 4, Enabled: true,
			Filters: []json.RawMessage{json.RawMessage(`{"body":{"detail-type":["Paid"]}}`)}},
	}
	if got := tpl.Functions["Fn"].Queues; !reflect.DeepEqual(got, want) {
		t.Errorf("Queues\n got %+v\nwant %+v", got, want)
	}
}

func TestSQSEventNeedsATemplateQueue(t *testing.T) {
	_, err := Parse([]byte(`
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Events:
        Work:
          Type: SQS
          Properties:
            Queue: arn:aws:sqs:us-east-1:123456789012:elsewhere
`), Options{})
	if err == nil || !strings.Contains(err.Error(), "is not the Arn of a queue in this template") {
		t.Fatalf("err = %v, want a complaint about the queue", err)
	}
}
