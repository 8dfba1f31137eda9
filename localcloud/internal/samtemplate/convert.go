package samtemplate

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Helpers that read resolved values the way CloudFormation does: scalars are interchangeable with strings.

func scalarString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case number:
		return string(x), nil
	case bool:
		return strconv.FormatBool(x), nil
	case nil:
		return "", fmt.Errorf("expected a string, got null")
	}
	return "", fmt.Errorf("expected a string, got %s", describe(v))
}

func scalarInt(v any) (int, error) {
	s, err := scalarString(v)
	if err != nil {
		return 0, fmt.Errorf("expected an integer: %w", err)
	}
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		return n, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < math.MaxInt32 {
		return int(f), nil
	}
	return 0, fmt.Errorf("expected an integer, got %q", s)
}

func scalarBool(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		switch strings.ToLower(x) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, fmt.Errorf("expected a boolean, got %s", describe(v))
}

func stringList(v any) ([]string, error) {
	switch x := v.(type) {
	case []any:
		out := make([]string, 0, len(x))
		for i, item := range x {
			s, err := scalarString(item)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out = append(out, s)
		}
		return out, nil
	case string, number:
		s, _ := scalarString(x)
		return []string{s}, nil
	}
	return nil, fmt.Errorf("expected a list of strings, got %s", describe(v))
}

func asMap(v any) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("expected a mapping, got %s", describe(v))
	}
	return m, nil
}

func asList(v any) ([]any, error) {
	l, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("expected a list, got %s", describe(v))
	}
	return l, nil
}

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("string %q", x)
	case number:
		return "number " + string(x)
	case bool:
		return "boolean"
	case []any:
		return "a list"
	case map[string]any:
		if name, ok := intrinsicName(x); ok {
			return "unresolved " + name
		}
		return "a mapping"
	}
	return fmt.Sprintf("%T", v)
}
