package cloud

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/calltaxi/call-taxi/localcloud/internal/eventbus"
	"github.com/calltaxi/call-taxi/localcloud/internal/latency"
	"github.com/calltaxi/call-taxi/localcloud/internal/samtemplate"
	"github.com/calltaxi/call-taxi/localcloud/internal/sqsemu"
	"github.com/calltaxi/call-taxi/localcloud/internal/sqsesm"
)

// createQueues creates every AWS::SQS::Queue of the template, dead-letter targets before the queues
// that redrive to them.
func (c *Cloud) createQueues(tmpl *samtemplate.Template) error {
	ids := sortedKeys(tmpl.Queues)
	created := map[string]bool{}
	var create func(id string) error
	create = func(id string) error {
		if created[id] {
			return nil
		}
		created[id] = true
		q := tmpl.Queues[id]
		for _, other := range ids {
			if tmpl.Queues[other].Name == q.DeadLetterQueue && other != id {
				if err := create(other); err != nil {
					return err
				}
			}
		}
		err := c.SQS.CreateQueue(sqsemu.QueueSpec{
			Name:                   q.Name,
			VisibilityTimeout:      q.VisibilityTimeout,
			MessageRetentionPeriod: q.MessageRetentionPeriod,
			DelaySeconds:           q.DelaySeconds,
			ReceiveMessageWaitTime: q.ReceiveMessageWaitTime,
			DeadLetterTarget:       q.DeadLetterQueue,
			MaxReceiveCount:        q.MaxReceiveCount,
		})
		if err != nil {
			return fmt.Errorf("create queue %s: %w", id, err)
		}
		return nil
	}
	for _, id := range ids {
		if err := create(id); err != nil {
			return err
		}
	}
	return nil
}

// deadLetterQueues are the template's queues that receive what could not be processed: redrive
// targets, rule-target DLQs and on-failure destinations. /_local/dlq lists them.
func deadLetterQueues(tmpl *samtemplate.Template) []string {
	names := map[string]bool{}
	for _, q := range tmpl.Queues {
		if q.DeadLetterQueue != "" {
			names[q.DeadLetterQueue] = true
		}
	}
	for _, r := range tmpl.Rules {
		for _, t := range r.Targets {
			if t.DeadLetterQueue != "" {
				names[t.DeadLetterQueue] = true
			}
		}
	}
	for _, fn := range tmpl.Functions {
		for _, r := range fn.Rules {
			if r.DeadLetterQueue != "" {
				names[r.DeadLetterQueue] = true
			}
		}
		for _, s := range fn.Schedules {
			if s.DeadLetterQueue != "" {
				names[s.DeadLetterQueue] = true
			}
		}
		for _, s := range fn.Streams {
			if s.OnFailureQueue != "" {
				names[s.OnFailureQueue] = true
			}
		}
		if fn.EventInvoke != nil && fn.EventInvoke.OnFailureQueue != "" {
			names[fn.EventInvoke.OnFailureQueue] = true
		}
	}
	return sortedKeys(names)
}

// addEventRules adds every target of an AWS::Events::Rule with an event pattern to the bus.
func (c *Cloud) addEventRules(tmpl *samtemplate.Template) error {
	for _, id := range sortedKeys(tmpl.Rules) {
		r := tmpl.Rules[id]
		if !r.Enabled || r.Pattern == nil { // a schedule-only rule fires from the scheduler
			continue
		}
		pattern, err := eventbus.CompilePattern(r.Pattern)
		if err != nil {
			return fmt.Errorf("rule %s: %w", id, err)
		}
		for _, t := range r.Targets {
			rule := eventbus.Rule{Name: r.Name, BusName: r.BusName, Function: t.Function, Queue: t.Queue, Pattern: pattern,
				DeadLetterQueue: t.DeadLetterQueue, MaximumRetryAttempts: t.RetryAttempts}
			if t.MaxEventAge != nil {
				rule.MaximumEventAge = *t.MaxEventAge
			}
			if err := c.Bus.AddRule(rule); err != nil {
				return fmt.Errorf("rule %s target %s: %w", id, t.ID, err)
			}
		}
	}
	return nil
}

// startQueueMappings starts every function's SQS event source mapping.
func (c *Cloud) startQueueMappings(ctx context.Context, tmpl *samtemplate.Template) error {
	for _, id := range sortedKeys(tmpl.Functions) {
		fn := tmpl.Functions[id]
		for _, e := range fn.Queues {
			if !e.Enabled {
				continue
			}
			m := sqsesm.Mapping{
				Name:                    id + "." + e.EventName,
				Function:                fn.Name,
				Queue:                   e.QueueName,
				BatchSize:               e.BatchSize,
				MaximumBatchingWindow:   e.MaximumBatchingWindow,
				ReportBatchItemFailures: e.ReportBatchItemFailures,
				MaximumConcurrency:      e.MaximumConcurrency,
				Matcher:                 eventbus.CachingMatcher(),
			}
			for _, f := range e.Filters {
				if _, err := eventbus.CompilePattern(f); err != nil {
					return fmt.Errorf("%s event %s filter: %w", id, e.EventName, err)
				}
				m.Filters = append(m.Filters, []byte(f))
			}
			m.DeliveryDelay = latency.DeliveryDelay(c.latency, c.Clock, latency.SQSToLambda)
			c.queuePollers[m.Name] = sqsesm.Start(ctx, m, c.Lambda, c.SQS, c.Clock, c.log)
		}
	}
	return nil
}

// queueSender lets EventBridge deliver to SQS targets.
type queueSender struct{ sqs *sqsemu.Service }

func (q queueSender) SendMessage(queue, body string) error {
	_, err := q.sqs.Send(queue, body, nil, 0)
	return err
}

var _ eventbus.QueueSender = queueSender{}

// dlqMessage is one message of a dead-letter queue as /_local/dlq lists it.
type dlqMessage struct {
	ID          string            `json:"id"`
	Queue       string            `json:"queue"`
	Body        any               `json:"body"`
	Attributes  map[string]string `json:"attributes,omitempty"`
	At          string            `json:"at"`
	SourceQueue string            `json:"sourceQueue,omitempty"` // set when a redrive policy moved it here
}

func (c *Cloud) dlqMessages(queue string) []dlqMessage {
	msgs := c.SQS.Messages(queue)
	out := make([]dlqMessage, 0, len(msgs))
	for _, m := range msgs {
		d := dlqMessage{ID: m.MessageID, Queue: queue, Body: rawOrString(m.Body), At: m.SentTimestamp.UTC().Format("2006-01-02T15:04:05.000Z")}
		if m.DeadLetterQueueSourceArn != "" {
			d.SourceQueue = sqsemu.QueueName(m.DeadLetterQueueSourceArn)
		}
		for k, v := range m.MessageAttributes {
			if d.Attributes == nil {
				d.Attributes = map[string]string{}
			}
			d.Attributes[k] = v.StringValue
		}
		out = append(out, d)
	}
	return out
}

// rawOrString keeps a JSON body as JSON (an EventBridge event, an invocation record) and any other
// body as a string.
func rawOrString(body string) any {
	if json.Valid([]byte(body)) {
		return json.RawMessage(body)
	}
	return body
}
