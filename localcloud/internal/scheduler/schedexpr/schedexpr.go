// Package schedexpr parses EventBridge schedule expressions, rate(value unit) and the six-field
// cron(minutes hours day-of-month month day-of-week year), as the EventBridge User Guide defines them
// ("Rate expressions reference", eb-rate-expressions; "Cron expressions reference", eb-cron-expressions),
// and computes when a schedule fires. All times are UTC, as for EventBridge scheduled rules.
package schedexpr

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Expression is a parsed schedule expression. Exactly one of a rate and a cron schedule is set.
type Expression struct {
	src  string
	rate time.Duration
	cron *cron
}

// Parse reads "rate(value unit)" or "cron(fields)". It refuses what EventBridge refuses: a value below 1,
// a unit whose number disagrees with the value ("rate(1 minutes)", "rate(5 hour)"), a cron without exactly
// six fields, out-of-range values, wildcards a field does not allow, and a cron that pins both
// day-of-month and day-of-week (one of them must be "?").
func Parse(s string) (*Expression, error) {
	switch {
	case strings.HasPrefix(s, "rate(") && strings.HasSuffix(s, ")"):
		d, err := parseRate(s[len("rate(") : len(s)-1])
		if err != nil {
			return nil, fmt.Errorf("schedule expression %q: %w", s, err)
		}
		return &Expression{src: s, rate: d}, nil
	case strings.HasPrefix(s, "cron(") && strings.HasSuffix(s, ")"):
		c, err := parseCron(s[len("cron(") : len(s)-1])
		if err != nil {
			return nil, fmt.Errorf("schedule expression %q: %w", s, err)
		}
		return &Expression{src: s, cron: c}, nil
	}
	return nil, fmt.Errorf("schedule expression %q: expected rate(value unit) or cron(fields)", s)
}

// String is the expression as written.
func (e *Expression) String() string { return e.src }

// Rate is the interval of a rate expression; 0 for a cron expression.
func (e *Expression) Rate() time.Duration { return e.rate }

// Next is the first firing after prev. A rate schedule starts when its rule is created (pass the creation
// time first, then each firing); a cron schedule fires on whole UTC minutes strictly after prev. The zero
// time means the schedule never fires again (its years are over).
func (e *Expression) Next(prev time.Time) time.Time {
	if e.rate > 0 {
		return prev.Add(e.rate)
	}
	return e.cron.next(prev)
}

var rateUnits = map[string]time.Duration{
	"minute": time.Minute, "minutes": time.Minute,
	"hour": time.Hour, "hours": time.Hour,
	"day": 24 * time.Hour, "days": 24 * time.Hour,
}

func parseRate(body string) (time.Duration, error) {
	parts := strings.Fields(body)
	if len(parts) != 2 {
		return 0, fmt.Errorf("a rate is \"value unit\", got %q", body)
	}
	n, err := strconv.Atoi(parts[0])
	if err != nil || n < 1 {
		return 0, fmt.Errorf("the rate value must be a positive integer, got %q", parts[0])
	}
	unit, ok := rateUnits[parts[1]]
	if !ok {
		return 0, fmt.Errorf("the rate unit must be minute(s), hour(s) or day(s), got %q", parts[1])
	}
	plural := strings.HasSuffix(parts[1], "s")
	if n == 1 && plural {
		return 0, fmt.Errorf("a value of 1 takes a singular unit (%s)", strings.TrimSuffix(parts[1], "s"))
	}
	if n > 1 && !plural {
		return 0, fmt.Errorf("a value above 1 takes a plural unit (%ss)", parts[1])
	}
	return time.Duration(n) * unit, nil
}
