package eventbus

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strings"
)

// leafMatcher tests one scalar event value. matchesAbsent is set only by {"exists": false}, the one matcher
// that is satisfied by the absence of a value.
type leafMatcher struct {
	match         func(v any) bool
	matchesAbsent bool
}

func compileLeaves(list []any, path string) ([]leafMatcher, error) {
	if len(list) == 0 {
		return nil, fmt.Errorf("%s: empty arrays are not allowed", path)
	}
	out := make([]leafMatcher, 0, len(list))
	for _, item := range list {
		lm, err := compileLeaf(item, path)
		if err != nil {
			return nil, err
		}
		out = append(out, lm)
	}
	return out, nil
}

func compileLeaf(item any, path string) (leafMatcher, error) {
	switch v := item.(type) {
	case map[string]any:
		return compileOperator(v, path)
	case []any:
		return leafMatcher{}, fmt.Errorf("%s: arrays are not allowed inside a match array", path)
	default:
		return exactMatcher(v), nil
	}
}

// exactMatcher matches a string, number (numerically: 3.018e2 equals 301.8), boolean or null.
func exactMatcher(want any) leafMatcher {
	switch w := want.(type) {
	case json.Number:
		f, err := w.Float64()
		if err != nil {
			return leafMatcher{match: func(v any) bool { n, ok := v.(json.Number); return ok && n == w }}
		}
		return leafMatcher{match: func(v any) bool { g, ok := numberValue(v); return ok && g == f }}
	default:
		return leafMatcher{match: func(v any) bool { return v == want }}
	}
}

func numberValue(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

func compileOperator(op map[string]any, path string) (leafMatcher, error) {
	if len(op) != 1 {
		keys := make([]string, 0, len(op))
		for k := range op {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return leafMatcher{}, fmt.Errorf("%s: a match expression must have exactly one operator, got %q", path, keys)
	}
	name, arg := singleEntry(op)
	switch name {
	case "prefix":
		return compileAffix(arg, path, name, strings.HasPrefix)
	case "suffix":
		return compileAffix(arg, path, name, strings.HasSuffix)
	case "equals-ignore-case":
		return compileEqualsIgnoreCase(arg, path)
	case "wildcard":
		return compileWildcardMatcher(arg, path)
	case "anything-but":
		return compileAnythingBut(arg, path)
	case "numeric":
		return compileNumeric(arg, path)
	case "exists":
		return compileExists(arg, path)
	case "cidr":
		return compileCIDR(arg, path)
	}
	return leafMatcher{}, fmt.Errorf("%s: unsupported operator %q", path, name)
}

// singleEntry returns the only entry of a one-entry map.
func singleEntry(m map[string]any) (string, any) {
	for k, v := range m {
		return k, v
	}
	return "", nil
}

// stringMatcher lifts a string predicate to a leaf matcher that never matches non-strings.
func stringMatcher(pred func(string) bool) leafMatcher {
	return leafMatcher{match: func(v any) bool { s, ok := v.(string); return ok && pred(s) }}
}

// compileAffix handles {"prefix": "x"} and {"prefix": {"equals-ignore-case": "x"}} (same for suffix).
func compileAffix(arg any, path, name string, has func(s, affix string) bool) (leafMatcher, error) {
	pred, err := affixPredicate(arg, path, name, has)
	if err != nil {
		return leafMatcher{}, err
	}
	return stringMatcher(pred), nil
}

func affixPredicate(arg any, path, name string, has func(s, affix string) bool) (func(string) bool, error) {
	switch a := arg.(type) {
	case string:
		return func(s string) bool { return has(s, a) }, nil
	case map[string]any:
		inner, ok := a["equals-ignore-case"].(string)
		if len(a) != 1 || !ok {
			return nil, fmt.Errorf("%s: %q takes a string or {\"equals-ignore-case\": string}", path, name)
		}
		lower := strings.ToLower(inner)
		return func(s string) bool { return has(strings.ToLower(s), lower) }, nil
	}
	return nil, fmt.Errorf("%s: %q takes a string, got %s", path, name, describe(arg))
}

func compileEqualsIgnoreCase(arg any, path string) (leafMatcher, error) {
	want, ok := arg.(string)
	if !ok {
		return leafMatcher{}, fmt.Errorf("%s: \"equals-ignore-case\" takes a string, got %s", path, describe(arg))
	}
	return stringMatcher(func(s string) bool { return strings.EqualFold(s, want) }), nil
}

func compileWildcardMatcher(arg any, path string) (leafMatcher, error) {
	s, ok := arg.(string)
	if !ok {
		return leafMatcher{}, fmt.Errorf("%s: \"wildcard\" takes a string, got %s", path, describe(arg))
	}
	w, err := compileWildcard(s)
	if err != nil {
		return leafMatcher{}, fmt.Errorf("%s: %w", path, err)
	}
	return stringMatcher(w.match), nil
}

func compileExists(arg any, path string) (leafMatcher, error) {
	exists, ok := arg.(bool)
	if !ok {
		return leafMatcher{}, fmt.Errorf("%s: \"exists\" takes true or false, got %s", path, describe(arg))
	}
	if exists {
		return leafMatcher{match: func(any) bool { return true }}, nil
	}
	return leafMatcher{matchesAbsent: true}, nil
}

func compileCIDR(arg any, path string) (leafMatcher, error) {
	s, ok := arg.(string)
	if !ok {
		return leafMatcher{}, fmt.Errorf("%s: \"cidr\" takes a string, got %s", path, describe(arg))
	}
	prefix, err := netip.ParsePrefix(s)
	if err != nil {
		return leafMatcher{}, fmt.Errorf("%s: invalid cidr %q: %w", path, s, err)
	}
	prefix = prefix.Masked()
	return stringMatcher(func(v string) bool {
		addr, err := netip.ParseAddr(v)
		return err == nil && prefix.Contains(addr.Unmap())
	}), nil
}

// compileAnythingBut handles a single string or number, a list of strings or of numbers, and
// {"prefix"|"suffix"|"equals-ignore-case"|"wildcard": string or list}. Like EventBridge, it needs the field to
// be present: a missing field never matches anything-but.
func compileAnythingBut(arg any, path string) (leafMatcher, error) {
	switch a := arg.(type) {
	case string, json.Number:
		return anythingButList([]any{a}, path)
	case []any:
		return anythingButList(a, path)
	case map[string]any:
		return anythingButOperator(a, path)
	}
	return leafMatcher{}, fmt.Errorf("%s: \"anything-but\" takes a string, a number, a list or an object, got %s", path, describe(arg))
}

// anythingButList excludes strings exactly and numbers as numeric matching compares them (six decimal
// places); an excluded number outside -5.0e9..5.0e9 is refused as in numeric matching.
func anythingButList(list []any, path string) (leafMatcher, error) {
	if len(list) == 0 {
		return leafMatcher{}, fmt.Errorf("%s: \"anything-but\" list must not be empty", path)
	}
	strs := map[string]bool{}
	nums := map[int64]bool{}
	for _, item := range list {
		switch v := item.(type) {
		case string:
			strs[v] = true
		case json.Number:
			c, err := patternNumber(v)
			if err != nil {
				return leafMatcher{}, fmt.Errorf("%s: %w", path, err)
			}
			nums[c] = true
		default:
			return leafMatcher{}, fmt.Errorf("%s: \"anything-but\" list items must be strings or numbers, got %s", path, describe(item))
		}
	}
	if len(strs) > 0 && len(nums) > 0 {
		return leafMatcher{}, fmt.Errorf("%s: \"anything-but\" list must be all strings or all numbers", path)
	}
	return leafMatcher{match: func(v any) bool {
		switch v := v.(type) {
		case string:
			return !strs[v]
		case json.Number:
			c, ok := eventNumber(v)
			return !ok || !nums[c]
		}
		return true
	}}, nil
}

func anythingButOperator(op map[string]any, path string) (leafMatcher, error) {
	if len(op) != 1 {
		return leafMatcher{}, fmt.Errorf("%s: \"anything-but\" object must have exactly one operator", path)
	}
	name, arg := singleEntry(op)
	var newPred func(string) (func(string) bool, error)
	switch name {
	case "prefix":
		newPred = func(val string) (func(string) bool, error) {
			return func(s string) bool { return strings.HasPrefix(s, val) }, nil
		}
	case "suffix":
		newPred = func(val string) (func(string) bool, error) {
			return func(s string) bool { return strings.HasSuffix(s, val) }, nil
		}
	case "equals-ignore-case":
		newPred = func(val string) (func(string) bool, error) {
			return func(s string) bool { return strings.EqualFold(s, val) }, nil
		}
	case "wildcard":
		newPred = func(val string) (func(string) bool, error) {
			w, err := compileWildcard(val)
			if err != nil {
				return nil, err
			}
			return w.match, nil
		}
	default:
		return leafMatcher{}, fmt.Errorf("%s: unsupported operator %q inside \"anything-but\"", path, name)
	}
	values, err := stringOrStrings(arg, path, "anything-but/"+name)
	if err != nil {
		return leafMatcher{}, err
	}
	preds := make([]func(string) bool, 0, len(values))
	for _, val := range values {
		if val == "" && (name == "prefix" || name == "suffix") {
			// event-ruler's reason, as EventBridge reports it in InvalidEventPatternException.
			return leafMatcher{}, fmt.Errorf("%s: anything-but/%s: Null prefix/suffix not allowed", path, name)
		}
		p, err := newPred(val)
		if err != nil {
			return leafMatcher{}, fmt.Errorf("%s: anything-but: %w", path, err)
		}
		preds = append(preds, p)
	}
	return stringMatcher(func(s string) bool {
		for _, p := range preds {
			if p(s) {
				return false
			}
		}
		return true
	}), nil
}

func stringOrStrings(arg any, path, what string) ([]string, error) {
	switch a := arg.(type) {
	case string:
		return []string{a}, nil
	case []any:
		if len(a) == 0 {
			return nil, fmt.Errorf("%s: %q list must not be empty", path, what)
		}
		out := make([]string, 0, len(a))
		for _, item := range a {
			s, ok := item.(string)
			if !ok {
				return nil, fmt.Errorf("%s: %q list items must be strings, got %s", path, what, describe(item))
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s: %q takes a string or a list of strings, got %s", path, what, describe(arg))
}
