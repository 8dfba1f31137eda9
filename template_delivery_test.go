package calltaxi_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// minimumOutage is how long a consumer may fail with nothing moved to its DLQ: the product takes bookings
// 24/7 and processes them when the consumer is back.
const minimumOutage = 6 * time.Hour

// checkEventDelivery holds every domain-event subscription to the durable AWS shape:
//   - the function reports partial batch failures (Lambda guide "Handling errors for an SQS event source");
//   - the queue's VisibilityTimeout is at least six times the function's Timeout (Lambda guide "Using
//     Lambda with Amazon SQS": "at least six times the timeout that you configure on your function");
//   - its RedrivePolicy keeps a failing message for maxReceiveCount x VisibilityTimeout >= minimumOutage;
//   - the DLQ keeps messages longer than the queue, because a moved message keeps its original enqueue
//     time (SQS developer guide "Using dead-letter queues");
//   - the rule target has a DeadLetterConfig, and a queue policy lets that rule (aws:SourceArn) send to
//     the queue and the DLQ (EventBridge user guide "Amazon SQS permissions").
func checkEventDelivery(r *repoUnderTest) []string {
	var problems []string
	for _, sub := range r.eventRules() {
		at := sub.function + ".Events." + sub.event
		event := r.tpl.functionEvents(sub.function, "SQS")[sub.event]
		if !slices.Contains(stringList(event["FunctionResponseTypes"]), "ReportBatchItemFailures") {
			problems = append(problems, at+": FunctionResponseTypes must contain ReportBatchItemFailures")
		}
		queue := asMap(r.tpl.resources[sub.queue]["Properties"])
		visibility := seconds(queue["VisibilityTimeout"], 30)
		timeout := seconds(r.tpl.functionProperties(sub.function)["Timeout"], 3)
		if visibility < 6*timeout {
			problems = append(problems, fmt.Sprintf("%s: VisibilityTimeout %v is less than six times %s's Timeout %v", sub.queue, visibility, sub.function, timeout))
		}
		redrive := asMap(queue["RedrivePolicy"])
		dlq := getAttTarget(redrive["deadLetterTargetArn"])
		receives := number(redrive["maxReceiveCount"])
		if dlq == "" {
			problems = append(problems, sub.queue+": RedrivePolicy.deadLetterTargetArn must be !GetAtt of a queue")
		} else if kept := time.Duration(receives) * visibility; kept < minimumOutage {
			problems = append(problems, fmt.Sprintf("%s: maxReceiveCount %d x VisibilityTimeout %v keeps a failing message only %v (want >= %v)", sub.queue, receives, visibility, kept, minimumOutage))
		}
		if dlq != "" {
			dlqProps := asMap(r.tpl.resources[dlq]["Properties"])
			if seconds(dlqProps["MessageRetentionPeriod"], 4*24*3600) <= seconds(queue["MessageRetentionPeriod"], 4*24*3600) {
				problems = append(problems, fmt.Sprintf("%s: MessageRetentionPeriod must exceed that of %s", dlq, sub.queue))
			}
		}
		rule := asMap(r.tpl.resources[sub.rule]["Properties"])
		for _, target := range valueList(rule["Targets"]) {
			target := asMap(target)
			if getAttTarget(target["Arn"]) != sub.queue {
				continue
			}
			ruleDLQ := getAttTarget(asMap(target["DeadLetterConfig"])["Arn"])
			if ruleDLQ == "" {
				problems = append(problems, sub.rule+": the target "+sub.queue+" has no DeadLetterConfig")
			}
			for _, q := range []string{sub.queue, ruleDLQ} {
				if q != "" && !r.tpl.queuePolicyAllowsRule(q, sub.rule) {
					problems = append(problems, fmt.Sprintf("no AWS::SQS::QueuePolicy lets %s (aws:SourceArn) send to %s", sub.rule, q))
				}
			}
		}
	}
	return problems
}

// queuePolicyAllowsRule: some queue policy on queue allows events.amazonaws.com sqs:SendMessage to it on
// the condition aws:SourceArn = the rule's Arn.
func (tpl *samTemplate) queuePolicyAllowsRule(queue, rule string) bool {
	for _, id := range tpl.resourcesOfType("AWS::SQS::QueuePolicy") {
		props := asMap(tpl.resources[id]["Properties"])
		if !slices.ContainsFunc(valueList(props["Queues"]), func(q any) bool { return slices.Contains(referencedNames(q), queue) }) {
			continue
		}
		for _, st := range valueList(asMap(props["PolicyDocument"])["Statement"]) {
			st := asMap(st)
			if st["Effect"] != "Allow" || asMap(st["Principal"])["Service"] != "events.amazonaws.com" ||
				!slices.Contains(stringList(st["Action"]), "sqs:SendMessage") {
				continue
			}
			resources := slices.Collect(func(yield func(string) bool) {
				for _, res := range valueList(st["Resource"]) {
					if !yield(getAttTarget(res)) {
						return
					}
				}
			})
			source := asMap(asMap(st["Condition"])["ArnEquals"])["aws:SourceArn"]
			if slices.Contains(resources, queue) && getAttTarget(source) == rule {
				return true
			}
		}
	}
	return false
}

func seconds(v any, def int) time.Duration {
	if v == nil {
		return time.Duration(def) * time.Second
	}
	return time.Duration(number(v)) * time.Second
}

func number(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case float64:
		return int(n)
	}
	return 0
}

func TestEventDeliveryIsDurable(t *testing.T) {
	repo := loadRepo(t, ".")
	if subs := repo.eventRules(); len(subs) == 0 {
		t.Fatal("the template has no domain-event subscriptions to check")
	}
	for _, p := range checkEventDelivery(repo) {
		t.Error(p)
	}
}

// TestEventDeliveryCatchesWeakenedQueues breaks a loaded template in each way the check guards against.
func TestEventDeliveryCatchesWeakenedQueues(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(tpl *samTemplate)
		want   string
	}{
		{"no partial batch response", func(tpl *samTemplate) {
			delete(tpl.functionEvents("ReservationFunction", "SQS")["DomainEvents"], "FunctionResponseTypes")
		}, "ReservationFunction.Events.DomainEvents: FunctionResponseTypes must contain ReportBatchItemFailures"},
		{"short redrive", func(tpl *samTemplate) {
			asMap(asMap(tpl.resources["TaxiEventsQueue"]["Properties"])["RedrivePolicy"])["maxReceiveCount"] = 5
		}, "TaxiEventsQueue: maxReceiveCount 5 x VisibilityTimeout"},
		{"visibility below six timeouts", func(tpl *samTemplate) {
			asMap(tpl.resources["OrderEventsQueue"]["Properties"])["VisibilityTimeout"] = 30
		}, "OrderEventsQueue: VisibilityTimeout 30s is less than six times"},
		{"no queue policy", func(tpl *samTemplate) {
			delete(tpl.resources, "EventQueuesPolicy")
		}, "no AWS::SQS::QueuePolicy lets ReservationEventsRule (aws:SourceArn) send to ReservationEventsQueue"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			repo := loadRepo(t, ".")
			c.mutate(repo.tpl)
			problems := checkEventDelivery(repo)
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, c.want) }) {
				t.Errorf("problems %q do not report %q", problems, c.want)
			}
		})
	}
}

// Every dead-letter queue (a redrive target, a rule target's DeadLetterConfig, an on-failure destination)
// has a CloudWatch alarm on its visible message count: a dead letter nobody sees is a lost booking.
func TestEveryDeadLetterQueueHasAnAlarm(t *testing.T) {
	tpl := loadRepo(t, ".").tpl
	dlqs := map[string]bool{}
	var collect func(v any, key string)
	collect = func(v any, key string) {
		switch x := v.(type) {
		case map[string]any:
			for k, child := range x {
				collect(child, k)
			}
		case []any:
			for _, child := range x {
				collect(child, key)
			}
		}
		if q := getAttTarget(v); q != "" && (key == "deadLetterTargetArn" || key == "Destination" || key == "Arn") {
			if tpl.resources[q]["Type"] == "AWS::SQS::Queue" && strings.HasSuffix(q, "DLQ") {
				dlqs[q] = true
			}
		}
	}
	for _, res := range tpl.resources {
		collect(res, "")
	}
	if len(dlqs) < 7 {
		t.Fatalf("found only %d dead-letter queues: %v", len(dlqs), dlqs)
	}
	for q := range dlqs {
		found := false
		for _, id := range tpl.resourcesOfType("AWS::CloudWatch::Alarm") {
			props := asMap(tpl.resources[id]["Properties"])
			for _, dim := range valueList(props["Dimensions"]) {
				ref, _ := asMap(asMap(dim)["Value"])["Fn::GetAtt"].([]any)
				if props["MetricName"] == "ApproximateNumberOfMessagesVisible" && len(ref) == 2 && ref[0] == q {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("dead-letter queue %s has no ApproximateNumberOfMessagesVisible alarm", q)
		}
	}
}

// Stream consumers keep retrying a failing record until it leaves the stream (24 h for DynamoDB Streams):
// Lambda guide "Lambda parameters for Amazon DynamoDB event source mappings" — MaximumRetryAttempts and
// MaximumRecordAgeInSeconds default to -1, "failed records are retried until the record expires". A retry
// count would give up after a window AWS does not document, sending only pointers to the DLQ.
func TestStreamConsumersRetryUntilRecordsExpire(t *testing.T) {
	tpl := loadRepo(t, ".").tpl
	mappings := map[string]bool{}
	for _, fn := range tpl.functions() {
		for name, event := range tpl.functionEvents(fn, "DynamoDB") {
			mappings[fn] = true
			for _, key := range []string{"MaximumRetryAttempts", "MaximumRecordAgeInSeconds"} {
				if v, set := event[key]; set && number(v) != -1 {
					t.Errorf("%s.Events.%s: %s %v discards records before they expire", fn, name, key, v)
				}
			}
			if event["BisectBatchOnFunctionError"] != true || !slices.Contains(stringList(event["FunctionResponseTypes"]), "ReportBatchItemFailures") {
				t.Errorf("%s.Events.%s: a failing record must be isolated (BisectBatchOnFunctionError, ReportBatchItemFailures)", fn, name)
			}
			if asMap(asMap(event["DestinationConfig"])["OnFailure"])["Destination"] == nil {
				t.Errorf("%s.Events.%s: no OnFailure destination for records that expire", fn, name)
			}
		}
	}
	// mypage and notify read streams; order, payment (records), reservation and taxi publish their own
	// table's stream (the outbox).
	for _, fn := range []string{"MyPageFunction", "NotifyFunction", "OrderFunction", "PaymentRecordsFunction", "ReservationFunction", "TaxiFunction"} {
		if !mappings[fn] {
			t.Errorf("%s has no stream mapping (found %v)", fn, sortedKeys(mappings))
		}
	}
}
