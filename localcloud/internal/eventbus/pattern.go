package eventbus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
)

// Pattern is a compiled EventBridge event pattern. It is immutable and safe for concurrent use.
type Pattern struct {
	source []byte
	root   *objectMatcher
}

// objectMatcher matches one JSON object: every field must match (AND) and, for every $or group, at least one
// alternative must match.
type objectMatcher struct {
	fields []fieldMatcher
	ors    [][]*objectMatcher
}

// fieldMatcher matches one key: either a nested object pattern or a list of leaf matchers (OR).
type fieldMatcher struct {
	name   string
	nested *objectMatcher
	leaves []leafMatcher
}

// CompilePattern parses and validates an event pattern. Errors name the offending field path and operator,
// e.g. `event pattern: detail.state: unsupported operator "contains"`.
func CompilePattern(pattern []byte) (*Pattern, error) {
	v, err := decodeJSON(pattern)
	if err != nil {
		return nil, fmt.Errorf("event pattern: invalid JSON: %w", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("event pattern: must be a JSON object")
	}
	root, err := compileObject(obj, "")
	if err != nil {
		return nil, fmt.Errorf("event pattern: %w", err)
	}
	return &Pattern{source: bytes.Clone(pattern), root: root}, nil
}

// String returns the pattern's source JSON.
func (p *Pattern) String() string { return string(p.source) }

// Match reports whether the event (a JSON object) matches. Invalid JSON or a non-object never matches.
func (p *Pattern) Match(event []byte) bool {
	v, err := decodeJSON(event)
	if err != nil {
		return false
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return false
	}
	return p.root.match(obj)
}

// Match compiles pattern and matches event against it.
func Match(pattern, event []byte) (bool, error) {
	p, err := CompilePattern(pattern)
	if err != nil {
		return false, err
	}
	return p.Match(event), nil
}

func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func compileObject(obj map[string]any, path string) (*objectMatcher, error) {
	if len(obj) == 0 {
		return nil, fmt.Errorf("%s: empty objects are not allowed", displayPath(path))
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys) // deterministic error messages
	m := &objectMatcher{}
	for _, key := range keys {
		fieldPath := joinPath(path, key)
		if key == "$or" {
			group, err := compileOr(obj[key], path)
			if err != nil {
				return nil, err
			}
			m.ors = append(m.ors, group)
			continue
		}
		switch v := obj[key].(type) {
		case map[string]any:
			nested, err := compileObject(v, fieldPath)
			if err != nil {
				return nil, err
			}
			m.fields = append(m.fields, fieldMatcher{name: key, nested: nested})
		case []any:
			leaves, err := compileLeaves(v, fieldPath)
			if err != nil {
				return nil, err
			}
			m.fields = append(m.fields, fieldMatcher{name: key, leaves: leaves})
		default:
			return nil, fmt.Errorf("%s: value must be an object or an array, got %s", fieldPath, describe(v))
		}
	}
	return m, nil
}

func compileOr(v any, path string) ([]*objectMatcher, error) {
	where := joinPath(path, "$or")
	list, ok := v.([]any)
	if !ok || len(list) < 2 {
		return nil, fmt.Errorf("%s: must be an array of at least 2 objects", where)
	}
	group := make([]*objectMatcher, 0, len(list))
	for i, alt := range list {
		obj, ok := alt.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s[%d]: must be an object, got %s", where, i, describe(alt))
		}
		m, err := compileObject(obj, path)
		if err != nil {
			return nil, err
		}
		group = append(group, m)
	}
	return group, nil
}

func displayPath(path string) string {
	if path == "" {
		return "pattern"
	}
	return path
}

func (m *objectMatcher) match(event map[string]any) bool {
	for i := range m.fields {
		if !m.fields[i].match(event) {
			return false
		}
	}
	for _, group := range m.ors {
		if !anyMatches(group, event) {
			return false
		}
	}
	return true
}

func anyMatches(group []*objectMatcher, event map[string]any) bool {
	for _, alt := range group {
		if alt.match(event) {
			return true
		}
	}
	return false
}

func (f *fieldMatcher) match(event map[string]any) bool {
	value, present := event[f.name]
	if f.nested != nil {
		return matchNested(f.nested, value, present)
	}
	return matchLeaves(f.leaves, leafValues(value, present))
}

// matchNested applies a nested pattern. An array matches if any object element matches (so all fields come
// from the same element). A missing or non-object value is matched as an empty object, which only
// {"exists": false} leaves can satisfy, as in EventBridge where exists works on leaf paths.
func matchNested(m *objectMatcher, value any, present bool) bool {
	if !present {
		return m.match(map[string]any{})
	}
	switch v := value.(type) {
	case map[string]any:
		return m.match(v)
	case []any:
		objects := objectElements(v, nil)
		for _, obj := range objects {
			if m.match(obj) {
				return true
			}
		}
		if len(objects) > 0 {
			return false
		}
	}
	return m.match(map[string]any{})
}

func objectElements(list []any, out []map[string]any) []map[string]any {
	for _, e := range list {
		switch v := e.(type) {
		case map[string]any:
			out = append(out, v)
		case []any:
			out = objectElements(v, out)
		}
	}
	return out
}

// leafValues returns the scalar values at a field: the value itself, or the scalars of an array (nested
// arrays flattened). Objects are not leaves.
func leafValues(value any, present bool) []any {
	if !present {
		return nil
	}
	switch v := value.(type) {
	case map[string]any:
		return nil
	case []any:
		var out []any
		for _, e := range v {
			out = append(out, leafValues(e, true)...)
		}
		return out
	default:
		return []any{v}
	}
}

func matchLeaves(matchers []leafMatcher, values []any) bool {
	for _, lm := range matchers {
		if len(values) == 0 {
			if lm.matchesAbsent {
				return true
			}
			continue
		}
		if lm.match == nil {
			continue
		}
		for _, v := range values {
			if lm.match(v) {
				return true
			}
		}
	}
	return false
}

func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// CachingMatcher returns a function like Match that compiles each distinct pattern once, for callers
// that match the same few patterns against many events (stream FilterCriteria).
func CachingMatcher() func(pattern, event []byte) (bool, error) {
	var compiled sync.Map // string(pattern) → *Pattern
	return func(pattern, event []byte) (bool, error) {
		if p, ok := compiled.Load(string(pattern)); ok {
			return p.(*Pattern).Match(event), nil
		}
		p, err := CompilePattern(pattern)
		if err != nil {
			return false, err
		}
		compiled.Store(string(pattern), p)
		return p.Match(event), nil
	}
}
