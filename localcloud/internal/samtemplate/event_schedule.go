package samtemplate

import (
	"fmt"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/scheduler/schedexpr"
)

// scheduleEvent reads a Schedule event (SAM reference "Schedule": Schedule, Name, Enabled or State, Input,
// RetryPolicy, DeadLetterConfig).
func (b *builder) scheduleEvent(fn *Function, eventName string, p props) (ScheduleEvent, error) {
	e := ScheduleEvent{EventName: eventName}
	var err error
	if e.Schedule, err = scheduleExpression(p, "Schedule"); err != nil {
		return e, err
	}
	if e.RuleName, err = p.str("Name", truncate(b.r.opts.StackName+"-"+fn.LogicalID+eventName, 64)); err != nil {
		return e, err
	}
	// "Specify either the Enabled or State property, but not both."
	if p.has("Enabled") && p.has("State") {
		return e, &pathError{path: p.path, err: fmt.Errorf("specify either Enabled or State, not both")}
	}
	if e.Enabled, err = p.boolean("Enabled", true); err != nil {
		return e, err
	}
	if p.has("State") {
		state, err := p.str("State", "ENABLED")
		if err != nil {
			return e, err
		}
		e.Enabled = state != "DISABLED"
	}
	if e.Input, _, err = p.jsonValue("Input"); err != nil {
		return e, err
	}
	if e.RetryAttempts, e.MaxEventAge, err = retryPolicy(p); err != nil {
		return e, err
	}
	if e.DeadLetterQueue, err = b.ruleDeadLetterQueue(fn.LogicalID, eventName, p); err != nil {
		return e, err
	}
	return e, nil
}

// scheduleExpression reads a required rate(...) or cron(...) property and refuses what EventBridge refuses.
func scheduleExpression(p props, key string) (string, error) {
	if err := p.required(key); err != nil {
		return "", err
	}
	s, err := p.str(key, "")
	if err != nil {
		return "", err
	}
	if _, err := schedexpr.Parse(s); err != nil {
		return "", &pathError{path: p.at(key), err: err}
	}
	return s, nil
}

// retryPolicy reads RetryPolicy {MaximumRetryAttempts, MaximumEventAgeInSeconds}; nil means the default.
func retryPolicy(p props) (*int, *time.Duration, error) {
	retry, _, err := p.block("RetryPolicy")
	if err != nil {
		return nil, nil, err
	}
	attempts, err := retry.optionalInt("MaximumRetryAttempts")
	if err != nil {
		return nil, nil, err
	}
	maxAge, err := retry.optionalInt("MaximumEventAgeInSeconds")
	if err != nil || maxAge == nil {
		return attempts, nil, err
	}
	d := time.Duration(*maxAge) * time.Second
	return attempts, &d, nil
}
