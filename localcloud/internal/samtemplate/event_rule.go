package samtemplate

import (
	"fmt"
	"strings"
	"time"
)

var unsupportedRuleProperties = map[string]string{
	"Input":            "rule input rewriting is not emulated; targets get the whole event",
	"InputPath":        "rule input rewriting is not emulated; targets get the whole event",
	"InputTransformer": "rule input rewriting is not emulated; targets get the whole event",
}

// eventRule reads an EventBridgeRule event.
func (b *builder) eventRule(fn *Function, eventName string, p props) (EventRule, error) {
	rule := EventRule{EventName: eventName}
	if err := p.required("Pattern"); err != nil {
		return rule, err
	}
	var err error
	if rule.Pattern, _, err = p.jsonValue("Pattern"); err != nil {
		return rule, err
	}
	bus, err := p.str("EventBusName", "default")
	if err != nil {
		return rule, err
	}
	rule.BusName = busNameFromArn(bus)
	if rule.RuleName, err = p.str("RuleName", truncate(b.r.opts.StackName+"-"+fn.LogicalID+eventName, 64)); err != nil {
		return rule, err
	}
	state, err := p.str("State", "ENABLED")
	if err != nil {
		return rule, err
	}
	rule.Enabled = state != "DISABLED"
	retry, _, err := p.block("RetryPolicy")
	if err != nil {
		return rule, err
	}
	if rule.RetryAttempts, err = retry.optionalInt("MaximumRetryAttempts"); err != nil {
		return rule, err
	}
	maxAge, err := retry.optionalInt("MaximumEventAgeInSeconds")
	if err != nil {
		return rule, err
	}
	if maxAge != nil {
		d := time.Duration(*maxAge) * time.Second
		rule.MaxEventAge = &d
	}
	if rule.DeadLetterQueue, err = b.ruleDeadLetterQueue(fn.LogicalID, eventName, p); err != nil {
		return rule, err
	}
	for _, key := range sortedKeys(unsupportedRuleProperties) {
		if p.has(key) {
			b.u.property(key, fn.LogicalID+"."+eventName, unsupportedRuleProperties[key])
		}
	}
	return rule, nil
}

func (b *builder) ruleDeadLetterQueue(fnID, eventName string, p props) (string, error) {
	dlc, ok, err := p.block("DeadLetterConfig")
	if err != nil || !ok {
		return "", err
	}
	if queueID := dlqLogicalID(fnID, eventName, p.m); queueID != "" {
		q, ok := b.t.Queues[queueID]
		if !ok {
			return "", &pathError{path: dlc.path, err: fmt.Errorf("generated queue %q is missing", queueID)}
		}
		return q.Name, nil
	}
	arn, err := dlc.str("Arn", "")
	if err != nil {
		return "", err
	}
	if arn == "" {
		return "", &pathError{path: dlc.path, err: fmt.Errorf("give Arn or Type: SQS")}
	}
	return queueNameFromArn(arn), nil
}

// busNameFromArn accepts a bus name or an event-bus ARN.
func busNameFromArn(s string) string {
	if _, name, ok := strings.Cut(s, ":event-bus/"); ok {
		return name
	}
	return s
}

// queueNameFromArn takes the resource part of arn:aws:sqs:<region>:<account>:<name>.
func queueNameFromArn(arn string) string {
	return arn[strings.LastIndex(arn, ":")+1:]
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
