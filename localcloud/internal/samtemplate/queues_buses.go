package samtemplate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

const typeRule = "AWS::Events::Rule"

func (b *builder) buildBuses() error {
	for _, res := range b.resourcesOf(typeBus) {
		name, err := b.r.physicalName(res)
		if err != nil {
			return err
		}
		b.t.Buses[res.id] = &Bus{LogicalID: res.id, Name: name, Arn: b.r.busArn(name)}
	}
	return nil
}

func (b *builder) buildQueues() error {
	for _, res := range b.resourcesOf(typeQueue) {
		name, err := b.r.physicalName(res)
		if err != nil {
			return err
		}
		q := &Queue{LogicalID: res.id, Name: name, Arn: b.r.queueArn(name), URL: b.r.queueURL(name)}
		if err := readQueue(b.propsOf(res), q); err != nil {
			return err
		}
		b.t.Queues[res.id] = q
	}
	return nil
}

// readQueue reads the AWS::SQS::Queue attributes the local SQS applies.
func readQueue(p props, q *Queue) error {
	var err error
	if q.VisibilityTimeout, err = p.seconds("VisibilityTimeout", 0); err != nil {
		return err
	}
	if q.MessageRetentionPeriod, err = p.seconds("MessageRetentionPeriod", 0); err != nil {
		return err
	}
	if q.DelaySeconds, err = p.seconds("DelaySeconds", 0); err != nil {
		return err
	}
	if q.ReceiveMessageWaitTime, err = p.seconds("ReceiveMessageWaitTimeSeconds", 0); err != nil {
		return err
	}
	redrive, ok, err := p.jsonValue("RedrivePolicy")
	if err != nil || !ok {
		return err
	}
	// AWS::SQS::Queue RedrivePolicy: {"deadLetterTargetArn": ..., "maxReceiveCount": n}.
	var policy struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
		MaxReceiveCount     any    `json:"maxReceiveCount"`
	}
	dec := json.NewDecoder(bytes.NewReader(redrive))
	dec.UseNumber()
	if err := dec.Decode(&policy); err != nil {
		return &pathError{path: p.at("RedrivePolicy"), err: err}
	}
	if policy.DeadLetterTargetArn == "" {
		return &pathError{path: p.at("RedrivePolicy"), err: fmt.Errorf("deadLetterTargetArn is required")}
	}
	if n, ok := policy.MaxReceiveCount.(json.Number); ok {
		policy.MaxReceiveCount = n.String()
	}
	if q.MaxReceiveCount, err = scalarInt(policy.MaxReceiveCount); err != nil || q.MaxReceiveCount < 1 {
		return &pathError{path: p.at("RedrivePolicy.maxReceiveCount"), err: fmt.Errorf("expected an integer of at least 1, got %v", policy.MaxReceiveCount)}
	}
	q.DeadLetterQueue = queueNameFromArn(policy.DeadLetterTargetArn)
	return nil
}

// buildRules reads AWS::Events::Rule resources; it runs after buildQueues and before buildFunctions.
func (b *builder) buildRules() error {
	for _, res := range b.resourcesOf(typeRule) {
		p := b.propsOf(res)
		name, err := p.str("Name", truncate(b.r.opts.StackName+"-"+res.id, 64))
		if err != nil {
			return err
		}
		rule := &Rule{LogicalID: res.id, Name: name}
		bus, err := p.str("EventBusName", "default")
		if err != nil {
			return err
		}
		rule.BusName = busNameFromArn(bus)
		// PutRule: "A rule must contain at least an EventPattern or ScheduleExpression."
		if !p.has("EventPattern") && !p.has("ScheduleExpression") {
			return &pathError{path: p.path, err: fmt.Errorf("give EventPattern, ScheduleExpression or both")}
		}
		if rule.Pattern, _, err = p.jsonValue("EventPattern"); err != nil {
			return err
		}
		if p.has("ScheduleExpression") {
			if rule.Schedule, err = scheduleExpression(p, "ScheduleExpression"); err != nil {
				return err
			}
			// EventBridge refuses a ScheduleExpression on a custom bus (noted in the provider docs of
			// aws_cloudwatch_event_rule: "Can only be used on the default event bus").
			if rule.BusName != "default" {
				return &pathError{path: p.at("ScheduleExpression"), err: fmt.Errorf("scheduled rules run only on the default event bus, not %q", rule.BusName)}
			}
		}
		state, err := p.str("State", "ENABLED")
		if err != nil {
			return err
		}
		rule.Enabled = state != "DISABLED"
		targets, err := p.blocks("Targets")
		if err != nil {
			return err
		}
		for _, tp := range targets {
			target, ok, err := b.ruleTarget(res.id, tp, rule.Pattern != nil)
			if err != nil {
				return err
			}
			if ok {
				rule.Targets = append(rule.Targets, target)
			}
		}
		b.t.Rules[res.id] = rule
	}
	return nil
}

// ruleTarget reads one target; hasPattern says whether the rule also routes matched events, whose input
// rewriting is not emulated.
func (b *builder) ruleTarget(ruleID string, p props, hasPattern bool) (RuleTarget, bool, error) {
	var t RuleTarget
	var err error
	if err := p.required("Id"); err != nil {
		return t, false, err
	}
	if t.ID, err = p.str("Id", ""); err != nil {
		return t, false, err
	}
	if err := p.required("Arn"); err != nil {
		return t, false, err
	}
	arn, err := p.str("Arn", "")
	if err != nil {
		return t, false, err
	}
	switch {
	case hasArnService(arn, "sqs"):
		t.Queue = queueNameFromArn(arn)
	case hasArnService(arn, "lambda"):
		t.Function = functionNameFromArn(arn)
	default:
		b.u.property("Targets", ruleID+"."+t.ID, "only SQS queue and Lambda function targets are emulated")
		return t, false, nil
	}
	for _, key := range sortedKeys(unsupportedRuleProperties) {
		if p.has(key) && (key != "Input" || hasPattern) {
			b.u.property(key, ruleID+"."+t.ID, unsupportedRuleProperties[key])
		}
	}
	if t.Input, _, err = p.jsonValue("Input"); err != nil {
		return t, false, err
	}
	retry, _, err := p.block("RetryPolicy")
	if err != nil {
		return t, false, err
	}
	if t.RetryAttempts, err = retry.optionalInt("MaximumRetryAttempts"); err != nil {
		return t, false, err
	}
	maxAge, err := retry.optionalInt("MaximumEventAgeInSeconds")
	if err != nil {
		return t, false, err
	}
	if maxAge != nil {
		d := time.Duration(*maxAge) * time.Second
		t.MaxEventAge = &d
	}
	dlc, _, err := p.block("DeadLetterConfig")
	if err != nil {
		return t, false, err
	}
	dlq, err := dlc.str("Arn", "")
	if err != nil {
		return t, false, err
	}
	if dlq != "" {
		t.DeadLetterQueue = queueNameFromArn(dlq)
	}
	return t, true, nil
}

// queueEvent reads an SQS event of a function; its Queue must be the Arn of a queue in the template.
func (b *builder) queueEvent(fn *Function, eventName string, p props) (QueueEvent, error) {
	e := QueueEvent{EventName: eventName}
	if err := p.required("Queue"); err != nil {
		return e, err
	}
	arn, err := p.str("Queue", "")
	if err != nil {
		return e, err
	}
	for _, id := range sortedKeys(b.t.Queues) {
		if b.t.Queues[id].Arn == arn {
			e.QueueLogicalID, e.QueueName = id, b.t.Queues[id].Name
		}
	}
	if e.QueueName == "" {
		return e, &pathError{path: p.at("Queue"), err: fmt.Errorf("%q is not the Arn of a queue in this template", arn)}
	}
	if e.BatchSize, err = p.integer("BatchSize", 10); err != nil {
		return e, err
	}
	if e.MaximumBatchingWindow, err = p.seconds("MaximumBatchingWindowInSeconds", 0); err != nil {
		return e, err
	}
	if e.Filters, err = streamFilters(p); err != nil {
		return e, err
	}
	responseTypes, err := p.strings("FunctionResponseTypes")
	if err != nil {
		return e, err
	}
	e.ReportBatchItemFailures = slices.Contains(responseTypes, "ReportBatchItemFailures")
	scaling, _, err := p.block("ScalingConfig")
	if err != nil {
		return e, err
	}
	if e.MaximumConcurrency, err = scaling.integer("MaximumConcurrency", 0); err != nil {
		return e, err
	}
	if e.Enabled, err = p.boolean("Enabled", true); err != nil {
		return e, err
	}
	return e, nil
}

// hasArnService reports whether arn is "arn:<partition>:<service>:...".
func hasArnService(arn, service string) bool {
	parts := strings.SplitN(arn, ":", 4)
	return len(parts) == 4 && parts[0] == "arn" && parts[2] == service
}

// functionNameFromArn takes the name from arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>].
func functionNameFromArn(arn string) string {
	parts := strings.SplitN(arn, ":", 8)
	if len(parts) >= 7 {
		return parts[6]
	}
	return arn
}
