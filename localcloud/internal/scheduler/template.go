package scheduler

import (
	"fmt"
	"maps"
	"slices"

	"github.com/calltaxi/call-taxi/localcloud/internal/samtemplate"
	"github.com/calltaxi/call-taxi/localcloud/internal/scheduler/schedexpr"
)

// FromTemplate returns the template's enabled schedules: every function's Schedule events, then every
// AWS::Events::Rule with a ScheduleExpression, each in logical id order.
func FromTemplate(tmpl *samtemplate.Template) ([]Schedule, error) {
	var out []Schedule
	for _, id := range slices.Sorted(maps.Keys(tmpl.Functions)) {
		fn := tmpl.Functions[id]
		for _, e := range fn.Schedules {
			if !e.Enabled {
				continue
			}
			expr, err := schedexpr.Parse(e.Schedule)
			if err != nil {
				return nil, fmt.Errorf("%s event %s: %w", id, e.EventName, err)
			}
			t := Target{Function: fn.Name, MaximumRetryAttempts: e.RetryAttempts, DeadLetterQueue: e.DeadLetterQueue, Input: e.Input}
			if e.MaxEventAge != nil {
				t.MaximumEventAge = *e.MaxEventAge
			}
			out = append(out, Schedule{Rule: e.RuleName, Expression: expr, Targets: []Target{t}})
		}
	}
	for _, id := range slices.Sorted(maps.Keys(tmpl.Rules)) {
		r := tmpl.Rules[id]
		if !r.Enabled || r.Schedule == "" {
			continue
		}
		expr, err := schedexpr.Parse(r.Schedule)
		if err != nil {
			return nil, fmt.Errorf("rule %s: %w", id, err)
		}
		sc := Schedule{Rule: r.Name, Expression: expr}
		for _, rt := range r.Targets {
			t := Target{Function: rt.Function, Queue: rt.Queue, MaximumRetryAttempts: rt.RetryAttempts,
				DeadLetterQueue: rt.DeadLetterQueue, Input: rt.Input}
			if rt.MaxEventAge != nil {
				t.MaximumEventAge = *rt.MaxEventAge
			}
			sc.Targets = append(sc.Targets, t)
		}
		out = append(out, sc)
	}
	return out, nil
}
