package samtemplate

import (
	"fmt"
	"strings"
)

// sub evaluates Fn::Sub in its string and [string, {vars}] forms.
func (r *resolver) sub(arg any, path string) (any, error) {
	var tmpl string
	vars := map[string]any{}
	switch x := arg.(type) {
	case string:
		tmpl = x
	case []any:
		if len(x) != 2 {
			return nil, fmt.Errorf("expected [String, {Variables}], got %d items", len(x))
		}
		s, ok := x[0].(string)
		if !ok {
			return nil, fmt.Errorf("the template must be a string, got %s", describe(x[0]))
		}
		tmpl = s
		m, err := asMap(x[1])
		if err != nil {
			return nil, fmt.Errorf("variables: %w", err)
		}
		vars = m
	default:
		return nil, fmt.Errorf("expected a string or [String, {Variables}], got %s", describe(arg))
	}
	return r.substitute(tmpl, vars, path)
}

func (r *resolver) substitute(tmpl string, vars map[string]any, path string) (string, error) {
	var out strings.Builder
	rest := tmpl
	for {
		start := strings.Index(rest, "${")
		if start < 0 {
			out.WriteString(rest)
			return out.String(), nil
		}
		out.WriteString(rest[:start])
		rest = rest[start+2:]
		end := strings.Index(rest, "}")
		if end < 0 {
			return "", fmt.Errorf("unterminated ${ in %q", tmpl)
		}
		expr := rest[:end]
		rest = rest[end+1:]
		if literal, ok := strings.CutPrefix(expr, "!"); ok {
			out.WriteString("${" + literal + "}")
			continue
		}
		value, err := r.subVariable(strings.TrimSpace(expr), vars, path)
		if err != nil {
			return "", fmt.Errorf("${%s}: %w", expr, err)
		}
		out.WriteString(value)
	}
}

func (r *resolver) subVariable(name string, vars map[string]any, path string) (string, error) {
	if v, ok := vars[name]; ok {
		return r.resolveString(v, path)
	}
	var value any
	var err error
	if id, attr, dotted := strings.Cut(name, "."); dotted {
		value, err = r.getAtt(id, attr)
	} else {
		value, err = r.ref(name)
	}
	if err != nil {
		return "", err
	}
	return scalarString(value)
}
