package samtemplate

import (
	"fmt"
	"reflect"
)

// condition evaluates a named entry of the Conditions section (memoised, cycles rejected).
func (r *resolver) condition(name string) (bool, error) {
	if v, ok := r.conditionValues[name]; ok {
		return v, nil
	}
	expr, ok := r.conditionExprs[name]
	if !ok {
		return false, fmt.Errorf("unknown condition %q", name)
	}
	if r.conditionsEvaluating[name] {
		return false, fmt.Errorf("condition %q refers to itself", name)
	}
	r.conditionsEvaluating[name] = true
	defer delete(r.conditionsEvaluating, name)
	holds, err := r.conditionExpr(expr, "Conditions."+name)
	if err != nil {
		return false, err
	}
	r.conditionValues[name] = holds
	return holds, nil
}

// conditionExpr evaluates Fn::Equals / Fn::Not / Fn::And / Fn::Or / {Condition: name} to a bool.
func (r *resolver) conditionExpr(expr any, path string) (bool, error) {
	if b, ok := expr.(bool); ok {
		return b, nil
	}
	m, ok := expr.(map[string]any)
	if !ok || len(m) != 1 {
		return false, &pathError{path: path, err: fmt.Errorf("expected a condition function, got %s", describe(expr))}
	}
	var name string
	for k := range m {
		name = k
	}
	holds, err := r.conditionFunction(name, m[name], path)
	if err != nil {
		return false, atPath(path, name, err)
	}
	return holds, nil
}

func (r *resolver) conditionFunction(name string, arg any, path string) (bool, error) {
	switch name {
	case "Condition":
		s, ok := arg.(string)
		if !ok {
			return false, fmt.Errorf("expected a condition name, got %s", describe(arg))
		}
		return r.condition(s)
	case "Fn::Equals":
		args, err := listArgs(arg, 2)
		if err != nil {
			return false, err
		}
		a, err := r.resolve(args[0], path)
		if err != nil {
			return false, err
		}
		b, err := r.resolve(args[1], path)
		if err != nil {
			return false, err
		}
		return valuesEqual(a, b), nil
	case "Fn::Not":
		args, err := listArgs(arg, 1)
		if err != nil {
			return false, err
		}
		holds, err := r.conditionExpr(args[0], path)
		return !holds, err
	case "Fn::And", "Fn::Or":
		args, ok := arg.([]any)
		if !ok || len(args) < 2 || len(args) > 10 {
			return false, fmt.Errorf("expected a list of 2 to 10 conditions, got %s", describe(arg))
		}
		isAnd := name == "Fn::And"
		for _, item := range args {
			holds, err := r.conditionExpr(item, path)
			if err != nil {
				return false, err
			}
			if holds != isAnd {
				return !isAnd, nil
			}
		}
		return isAnd, nil
	}
	if _, ok := intrinsicName(map[string]any{name: arg}); ok {
		v, err := r.intrinsic(name, arg, path)
		if err != nil {
			return false, err
		}
		return scalarBool(v)
	}
	return false, fmt.Errorf("not a condition function")
}

// valuesEqual compares like CloudFormation: scalars by their string form.
func valuesEqual(a, b any) bool {
	sa, errA := scalarString(a)
	sb, errB := scalarString(b)
	if errA == nil && errB == nil {
		return sa == sb
	}
	return reflect.DeepEqual(a, b)
}
