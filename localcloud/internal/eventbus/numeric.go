package eventbus

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// EventBridge numeric matching works on values between -5.0e9 and +5.0e9 inclusive, compared to six
// digits to the right of the decimal point ("Content filtering in Amazon EventBridge event patterns",
// Numeric matching). Like EventBridge's matcher (aws/event-ruler ComparableNumber), a number becomes
// the integer count of millionths above -5.0e9; patterns outside the range are refused, and event values
// outside it never match a numeric range.
const numericLimit = 5e9

// errNumericRange is event-ruler's message for a number outside the range.
var errNumericRange = errors.New("Value must be between -5.0E9 and 5.0E9, inclusive")

// comparableNumber returns f in millionths above -numericLimit, or false when f is outside the range.
func comparableNumber(f float64) (int64, bool) {
	if math.IsNaN(f) || f < -numericLimit || f > numericLimit {
		return 0, false
	}
	return int64(1e6 * (numericLimit + f)), true
}

// patternNumber converts a pattern's JSON number, refusing what EventBridge cannot represent.
func patternNumber(n json.Number) (int64, error) {
	f, err := n.Float64()
	if err != nil { // overflows float64 (1e400): out of range too
		return 0, errNumericRange
	}
	c, ok := comparableNumber(f)
	if !ok {
		return 0, errNumericRange
	}
	return c, nil
}

// eventNumber is a JSON number event value in comparable form; false for non-numbers and numbers out of range.
func eventNumber(v any) (int64, bool) {
	f, ok := numberValue(v)
	if !ok {
		return 0, false
	}
	return comparableNumber(f)
}

// numericRange is a (possibly half-open) interval built from {"numeric": [op, n, op, n]}.
type numericRange struct {
	lower, upper         int64
	lowerOpen, upperOpen bool
	hasLower, hasUpper   bool
}

func (r numericRange) contains(c int64) bool {
	if r.hasLower && (c < r.lower || (r.lowerOpen && c == r.lower)) {
		return false
	}
	if r.hasUpper && (c > r.upper || (r.upperOpen && c == r.upper)) {
		return false
	}
	return true
}

// compileNumeric accepts what EventBridge accepts: ["=", n], one bound ([">"|">="|"<"|"<=", n]), or a
// lower bound followed by an upper bound with something between them. Messages are event-ruler's
// (JsonRuleCompiler.processNumericMatchExpression), which EventBridge returns as the InvalidEventPatternException reason.
func compileNumeric(arg any, path string) (leafMatcher, error) {
	r, err := parseNumericRange(arg)
	if err != nil {
		return leafMatcher{}, fmt.Errorf("%s: %w", path, err)
	}
	return leafMatcher{match: func(v any) bool {
		c, ok := eventNumber(v)
		return ok && r.contains(c)
	}}, nil
}

func parseNumericRange(arg any) (numericRange, error) {
	list, ok := arg.([]any)
	if !ok {
		return numericRange{}, errors.New("Value of numeric must be an array.")
	}
	if len(list) == 0 {
		return numericRange{}, errors.New("Invalid member in numeric match: ]")
	}
	op, ok := list[0].(string)
	if !ok {
		return numericRange{}, fmt.Errorf("Invalid member in numeric match: %s", describe(list[0]))
	}
	value := func(i int, op string) (int64, error) {
		if i >= len(list) {
			return 0, fmt.Errorf("Value of %s must be numeric", op)
		}
		n, ok := list[i].(json.Number)
		if !ok {
			return 0, fmt.Errorf("Value of %s must be numeric", op)
		}
		return patternNumber(n)
	}
	var r numericRange
	switch op {
	case "=":
		v, err := value(1, "equals")
		if err != nil {
			return r, err
		}
		if len(list) > 2 {
			return r, errors.New("Too many elements in numeric expression")
		}
		return numericRange{lower: v, upper: v, hasLower: true, hasUpper: true}, nil
	case "<", "<=":
		v, err := value(1, op)
		if err != nil {
			return r, err
		}
		if len(list) > 2 { // an upper bound must come last: [">", 1, "<", 2], never ["<", 2, ">", 1]
			return r, errors.New("Too many elements in numeric expression")
		}
		return numericRange{upper: v, upperOpen: op == "<", hasUpper: true}, nil
	case ">", ">=":
		v, err := value(1, op)
		if err != nil {
			return r, err
		}
		r = numericRange{lower: v, lowerOpen: op == ">", hasLower: true}
	default:
		return r, fmt.Errorf("Unrecognized numeric range operator: %s", op)
	}
	if len(list) == 2 {
		return r, nil
	}
	top, ok := list[2].(string)
	if !ok {
		return r, fmt.Errorf("Bad value in numeric range: %s", describe(list[2]))
	}
	if top != "<" && top != "<=" {
		return r, fmt.Errorf("Bad numeric range operator: %s", top)
	}
	v, err := value(3, top)
	if err != nil {
		return r, err
	}
	if len(list) > 4 {
		return r, errors.New("Too many terms in numeric range expression")
	}
	// EventBridge refuses an empty range, [">", 5, "<", 5], and also [">=", 5, "<=", 5] (use "=").
	if r.lower >= v {
		return r, errors.New("Bottom must be less than top")
	}
	r.upper, r.upperOpen, r.hasUpper = v, top == "<", true
	return r, nil
}
