package samtemplate

import (
	"errors"
	"fmt"
	"strings"
)

// rawResource is one entry of Resources before resolution. Synthetic resources are the ones SAM would
// generate (the implicit ServerlessHttpApi, <Function>Role, EventBridge dead-letter queues...).
type rawResource struct {
	id, typ   string
	props     map[string]any
	metadata  map[string]any
	synthetic bool
	aliasName string // functions: the resolved AutoPublishAlias
}

// aliasLogicalID is the id SAM gives the alias it generates for AutoPublishAlias.
func aliasLogicalID(fn *rawResource) string {
	return fn.id + "Alias" + alphanumeric(fn.aliasName)
}

func alphanumeric(s string) string {
	return strings.Map(func(c rune) rune {
		if c < 128 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return c
		}
		return -1
	}, s)
}

// noValue is what `Ref: AWS::NoValue` resolves to; the walker drops keys and list items holding it.
type noValueT struct{}

var noValue = noValueT{}

// pathError names the logical id and property path of a value that could not be resolved.
type pathError struct {
	path string
	err  error
}

func (e *pathError) Error() string { return e.path + ": " + e.err.Error() }
func (e *pathError) Unwrap() error { return e.err }

type resolver struct {
	opts       Options
	params     map[string]string
	paramTypes map[string]string
	mappings   map[string]any

	conditionExprs       map[string]any
	conditionValues      map[string]bool
	conditionsEvaluating map[string]bool

	resources map[string]*rawResource // resources whose Condition holds, plus synthetic ones
	excluded  map[string]bool         // resources whose Condition is false

	names  map[string]string // physical names, memoised
	naming map[string]bool   // physical names being resolved, to catch cycles
}

func intrinsicName(m map[string]any) (string, bool) {
	if len(m) != 1 {
		return "", false
	}
	for k := range m {
		if k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, true
		}
	}
	return "", false
}

// resolve evaluates every intrinsic inside v. path ("OrderFunction.Properties.Environment") names the
// value in errors.
func (r *resolver) resolve(v any, path string) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if name, ok := intrinsicName(x); ok {
			out, err := r.intrinsic(name, x[name], path)
			if err != nil {
				return nil, atPath(path, name, err)
			}
			return out, nil
		}
		out := make(map[string]any, len(x))
		for k, item := range x {
			rv, err := r.resolve(item, path+"."+k)
			if err != nil {
				return nil, err
			}
			if rv != noValue {
				out[k] = rv
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(x))
		for i, item := range x {
			rv, err := r.resolve(item, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			if rv != noValue {
				out = append(out, rv)
			}
		}
		return out, nil
	}
	return v, nil
}

func atPath(path, intrinsic string, err error) error {
	var pe *pathError
	if errors.As(err, &pe) {
		return err
	}
	return &pathError{path: path, err: fmt.Errorf("%s: %w", intrinsic, err)}
}

// resolveString resolves v and reads it as a string.
func (r *resolver) resolveString(v any, path string) (string, error) {
	rv, err := r.resolve(v, path)
	if err != nil {
		return "", err
	}
	s, err := scalarString(rv)
	if err != nil {
		return "", &pathError{path: path, err: err}
	}
	return s, nil
}
