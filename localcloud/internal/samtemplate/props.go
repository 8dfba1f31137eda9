package samtemplate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// props reads the properties of one resource (or a nested block), resolving each value on demand so a
// property the local cloud never reads cannot fail the load. Errors carry the property path.
type props struct {
	r    *resolver
	m    map[string]any
	path string // "OrderFunction.Properties"
}

func (p props) at(key string) string { return p.path + "." + key }

func (p props) has(key string) bool {
	_, ok := p.m[key]
	return ok
}

// value resolves one property; ok is false when it is absent or resolves to AWS::NoValue.
func (p props) value(key string) (any, bool, error) {
	raw, ok := p.m[key]
	if !ok {
		return nil, false, nil
	}
	v, err := p.r.resolve(raw, p.at(key))
	if err != nil {
		return nil, false, err
	}
	if v == noValue || v == nil {
		return nil, false, nil
	}
	return v, true, nil
}

func (p props) typed(key string, convert func(any) error) (bool, error) {
	v, ok, err := p.value(key)
	if err != nil || !ok {
		return false, err
	}
	if err := convert(v); err != nil {
		return false, &pathError{path: p.at(key), err: err}
	}
	return true, nil
}

func (p props) str(key, def string) (string, error) {
	out := def
	_, err := p.typed(key, func(v any) (err error) { out, err = scalarString(v); return err })
	return out, err
}

func (p props) integer(key string, def int) (int, error) {
	out := def
	_, err := p.typed(key, func(v any) (err error) { out, err = scalarInt(v); return err })
	return out, err
}

// optionalInt is nil when the property is absent.
func (p props) optionalInt(key string) (*int, error) {
	var out int
	ok, err := p.typed(key, func(v any) (err error) { out, err = scalarInt(v); return err })
	if err != nil || !ok {
		return nil, err
	}
	return &out, nil
}

func (p props) boolean(key string, def bool) (bool, error) {
	out := def
	_, err := p.typed(key, func(v any) (err error) { out, err = scalarBool(v); return err })
	return out, err
}

func (p props) seconds(key string, def time.Duration) (time.Duration, error) {
	n, err := p.integer(key, -1)
	if err != nil || n < 0 {
		return def, err
	}
	return time.Duration(n) * time.Second, nil
}

func (p props) strings(key string) ([]string, error) {
	var out []string
	_, err := p.typed(key, func(v any) (err error) { out, err = stringList(v); return err })
	return out, err
}

// block reads a nested mapping as props; ok is false when it is absent.
func (p props) block(key string) (props, bool, error) {
	var m map[string]any
	ok, err := p.typed(key, func(v any) (err error) { m, err = asMap(v); return err })
	if err != nil || !ok {
		return props{r: p.r, m: map[string]any{}, path: p.at(key)}, false, err
	}
	return props{r: p.r, m: m, path: p.at(key)}, true, nil
}

// blocks reads a list of mappings.
func (p props) blocks(key string) ([]props, error) {
	var list []any
	ok, err := p.typed(key, func(v any) (err error) { list, err = asList(v); return err })
	if err != nil || !ok {
		return nil, err
	}
	out := make([]props, 0, len(list))
	for i, item := range list {
		path := fmt.Sprintf("%s[%d]", p.at(key), i)
		m, err := asMap(item)
		if err != nil {
			return nil, &pathError{path: path, err: err}
		}
		out = append(out, props{r: p.r, m: m, path: path})
	}
	return out, nil
}

// jsonValue reads a property that holds JSON either as a string or as YAML structure.
func (p props) jsonValue(key string) (json.RawMessage, bool, error) {
	v, ok, err := p.value(key)
	if err != nil || !ok {
		return nil, ok, err
	}
	if s, isString := v.(string); isString {
		if !json.Valid([]byte(s)) {
			return nil, false, &pathError{path: p.at(key), err: fmt.Errorf("not valid JSON: %q", s)}
		}
		return json.RawMessage(s), true, nil
	}
	b, err := marshalJSON(v)
	if err != nil {
		return nil, false, &pathError{path: p.at(key), err: err}
	}
	return b, true, nil
}

// marshalJSON encodes without HTML escaping, so patterns like [">", 100] stay readable.
func marshalJSON(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("marshal: %w", err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func (p props) required(key string) error {
	if !p.has(key) {
		return &pathError{path: p.at(key), err: fmt.Errorf("required property is missing")}
	}
	return nil
}
