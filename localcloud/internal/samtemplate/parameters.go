package samtemplate

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// resolveParameters gives every declared parameter its value: override, else Default. It returns the
// values and the declared types.
func resolveParameters(decls map[string]any, overrides map[string]string) (map[string]string, map[string]string, error) {
	values := make(map[string]string, len(decls))
	types := make(map[string]string, len(decls))
	var missing, undeclared []string
	for name := range overrides {
		if _, ok := decls[name]; !ok {
			undeclared = append(undeclared, name)
		}
	}
	if len(undeclared) > 0 {
		sort.Strings(undeclared)
		return nil, nil, fmt.Errorf("parameter overrides for undeclared parameters: %s", strings.Join(undeclared, ", "))
	}
	for _, name := range sortedKeys(decls) {
		decl, err := asMap(decls[name])
		if err != nil {
			return nil, nil, fmt.Errorf("parameter %s: %w", name, err)
		}
		typ, _ := scalarString(decl["Type"])
		types[name] = typ
		value, ok := overrides[name]
		if !ok {
			def, hasDefault := decl["Default"]
			if !hasDefault {
				missing = append(missing, name)
				continue
			}
			if value, err = parameterDefault(def); err != nil {
				return nil, nil, fmt.Errorf("parameter %s: Default: %w", name, err)
			}
		}
		if err := checkParameterValue(decl, typ, value); err != nil {
			return nil, nil, fmt.Errorf("parameter %s: %w", name, err)
		}
		values[name] = value
	}
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("parameters without a value (no Default and no override): %s", strings.Join(missing, ", "))
	}
	return values, types, nil
}

func parameterDefault(def any) (string, error) {
	if list, ok := def.([]any); ok {
		parts, err := stringList(list)
		if err != nil {
			return "", err
		}
		return strings.Join(parts, ","), nil
	}
	return scalarString(def)
}

// checkParameterValue applies the constraints CloudFormation checks: Number type, MinValue/MaxValue,
// AllowedValues and AllowedPattern (skipped if the pattern is not valid Go regexp syntax).
func checkParameterValue(decl map[string]any, typ, value string) error {
	if typ == "Number" {
		n, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return fmt.Errorf("value %q is not a Number", value)
		}
		for _, bound := range []struct {
			key     string
			violate func(n, limit float64) bool
		}{{"MinValue", func(n, l float64) bool { return n < l }}, {"MaxValue", func(n, l float64) bool { return n > l }}} {
			limitText, err := scalarString(decl[bound.key])
			if err != nil {
				continue
			}
			limit, err := strconv.ParseFloat(limitText, 64)
			if err == nil && bound.violate(n, limit) {
				return fmt.Errorf("value %s violates %s %s", value, bound.key, limitText)
			}
		}
	}
	if pattern, err := scalarString(decl["AllowedPattern"]); err == nil {
		if re, err := regexp.Compile("^(?:" + pattern + ")$"); err == nil && !re.MatchString(value) {
			return fmt.Errorf("value %q does not match AllowedPattern %s", value, pattern)
		}
	}
	return checkAllowedValues(decl["AllowedValues"], value)
}

func checkAllowedValues(allowed any, value string) error {
	if allowed == nil {
		return nil
	}
	list, err := stringList(allowed)
	if err != nil {
		return fmt.Errorf("AllowedValues: %w", err)
	}
	if !slices.Contains(list, value) {
		return fmt.Errorf("value %q is not one of AllowedValues %v", value, list)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
