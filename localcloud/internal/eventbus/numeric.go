package eventbus

import (
	"encoding/json"
	"fmt"
	"math"
)

// EventBridge limits numeric matching to this range.
const numericLimit = 5e9

// numericRange is a (possibly half-open) interval built from {"numeric": [op, n, op, n]}.
type numericRange struct {
	lower, upper         float64
	lowerOpen, upperOpen bool
	hasLower, hasUpper   bool
}

func (r numericRange) contains(f float64) bool {
	if r.hasLower && (f < r.lower || (r.lowerOpen && f == r.lower)) {
		return false
	}
	if r.hasUpper && (f > r.upper || (r.upperOpen && f == r.upper)) {
		return false
	}
	return true
}

// compileNumeric accepts ["=", n], one bound ([">"|">="|"<"|"<=", n]) or one lower and one upper bound.
func compileNumeric(arg any, path string) (leafMatcher, error) {
	list, ok := arg.([]any)
	if !ok || len(list) == 0 || len(list)%2 != 0 || len(list) > 4 {
		return leafMatcher{}, fmt.Errorf("%s: \"numeric\" takes [op, number] or [op, number, op, number]", path)
	}
	var r numericRange
	for i := 0; i < len(list); i += 2 {
		op, ok := list[i].(string)
		if !ok {
			return leafMatcher{}, fmt.Errorf("%s: \"numeric\" operator must be a string, got %s", path, describe(list[i]))
		}
		n, ok := list[i+1].(json.Number)
		if !ok {
			return leafMatcher{}, fmt.Errorf("%s: \"numeric\" %q needs a number, got %s", path, op, describe(list[i+1]))
		}
		f, err := n.Float64()
		if err != nil || math.Abs(f) > numericLimit {
			return leafMatcher{}, fmt.Errorf("%s: \"numeric\" value %s must be between -5.0e9 and 5.0e9", path, n)
		}
		switch op {
		case "=":
			if len(list) != 2 {
				return leafMatcher{}, fmt.Errorf("%s: \"numeric\" \"=\" cannot be combined with other bounds", path)
			}
			r = numericRange{lower: f, upper: f, hasLower: true, hasUpper: true}
		case ">", ">=":
			if r.hasLower {
				return leafMatcher{}, fmt.Errorf("%s: \"numeric\" has two lower bounds", path)
			}
			r.lower, r.lowerOpen, r.hasLower = f, op == ">", true
		case "<", "<=":
			if r.hasUpper {
				return leafMatcher{}, fmt.Errorf("%s: \"numeric\" has two upper bounds", path)
			}
			r.upper, r.upperOpen, r.hasUpper = f, op == "<", true
		default:
			return leafMatcher{}, fmt.Errorf("%s: unsupported numeric operator %q", path, op)
		}
	}
	if r.hasLower && r.hasUpper && r.lower > r.upper {
		return leafMatcher{}, fmt.Errorf("%s: \"numeric\" lower bound is above the upper bound", path)
	}
	return leafMatcher{match: func(v any) bool {
		f, ok := numberValue(v)
		return ok && r.contains(f)
	}}, nil
}
