package samtemplate

import (
	"encoding/base64"
	"fmt"
	"strings"
)

func (r *resolver) intrinsic(name string, arg any, path string) (any, error) {
	switch name {
	case "Ref":
		s, err := r.resolveString(arg, path)
		if err != nil {
			return nil, err
		}
		return r.ref(s)
	case "Fn::GetAtt":
		return r.getAttIntrinsic(arg, path)
	case "Fn::Sub":
		return r.sub(arg, path)
	case "Fn::Join":
		return r.join(arg, path)
	case "Fn::Select":
		return r.selectItem(arg, path)
	case "Fn::Split":
		return r.split(arg, path)
	case "Fn::If":
		return r.ifThenElse(arg, path)
	case "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or":
		return r.conditionExpr(map[string]any{name: arg}, path)
	case "Fn::FindInMap":
		return r.findInMap(arg, path)
	case "Fn::GetAZs":
		return []any{r.opts.Region + "a"}, nil
	case "Fn::Base64":
		s, err := r.resolveString(arg, path)
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "Fn::ToJsonString":
		v, err := r.resolve(arg, path)
		if err != nil {
			return nil, err
		}
		b, err := marshalJSON(v)
		if err != nil {
			return nil, err
		}
		return string(b), nil
	case "Fn::Length":
		v, err := r.resolve(arg, path)
		if err != nil {
			return nil, err
		}
		l, err := asList(v)
		if err != nil {
			return nil, err
		}
		return number(fmt.Sprint(len(l))), nil
	case "Fn::ImportValue":
		return nil, fmt.Errorf("cross-stack imports are not available locally")
	}
	return nil, fmt.Errorf("intrinsic function is not supported locally")
}

// listArgs resolves arg as a list of exactly n items (the items themselves are left unresolved).
func listArgs(arg any, n int) ([]any, error) {
	l, ok := arg.([]any)
	if !ok || len(l) != n {
		return nil, fmt.Errorf("expected a list of %d arguments, got %s", n, describe(arg))
	}
	return l, nil
}

func (r *resolver) getAttIntrinsic(arg any, path string) (any, error) {
	var id, attr string
	switch x := arg.(type) {
	case string:
		var ok bool
		id, attr, ok = strings.Cut(x, ".")
		if !ok {
			return nil, fmt.Errorf("%q is not <LogicalId>.<Attribute>", x)
		}
	case []any:
		if len(x) != 2 {
			return nil, fmt.Errorf("expected [LogicalId, Attribute], got %d items", len(x))
		}
		var err error
		if id, err = r.resolveString(x[0], path); err != nil {
			return nil, err
		}
		if attr, err = r.resolveString(x[1], path); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("expected a string or a list, got %s", describe(arg))
	}
	return r.getAtt(id, attr)
}

func (r *resolver) join(arg any, path string) (any, error) {
	args, err := listArgs(arg, 2)
	if err != nil {
		return nil, err
	}
	delim, err := r.resolveString(args[0], path)
	if err != nil {
		return nil, err
	}
	items, err := r.resolve(args[1], path)
	if err != nil {
		return nil, err
	}
	parts, err := stringList(items)
	if err != nil {
		return nil, err
	}
	return strings.Join(parts, delim), nil
}

func (r *resolver) selectItem(arg any, path string) (any, error) {
	args, err := listArgs(arg, 2)
	if err != nil {
		return nil, err
	}
	indexValue, err := r.resolve(args[0], path)
	if err != nil {
		return nil, err
	}
	index, err := scalarInt(indexValue)
	if err != nil {
		return nil, err
	}
	listValue, err := r.resolve(args[1], path)
	if err != nil {
		return nil, err
	}
	list, err := asList(listValue)
	if err != nil {
		return nil, err
	}
	if index < 0 || index >= len(list) {
		return nil, fmt.Errorf("index %d out of range for a list of %d", index, len(list))
	}
	return list[index], nil
}

func (r *resolver) split(arg any, path string) (any, error) {
	args, err := listArgs(arg, 2)
	if err != nil {
		return nil, err
	}
	delim, err := r.resolveString(args[0], path)
	if err != nil {
		return nil, err
	}
	if delim == "" {
		return nil, fmt.Errorf("empty delimiter")
	}
	source, err := r.resolveString(args[1], path)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(source, delim)
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func (r *resolver) ifThenElse(arg any, path string) (any, error) {
	args, err := listArgs(arg, 3)
	if err != nil {
		return nil, err
	}
	name, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("the condition name must be a string, got %s", describe(args[0]))
	}
	holds, err := r.condition(name)
	if err != nil {
		return nil, err
	}
	if holds {
		return r.resolve(args[1], path)
	}
	return r.resolve(args[2], path)
}

func (r *resolver) findInMap(arg any, path string) (any, error) {
	l, ok := arg.([]any)
	if !ok || (len(l) != 3 && len(l) != 4) {
		return nil, fmt.Errorf("expected [MapName, TopLevelKey, SecondLevelKey], got %s", describe(arg))
	}
	keys := make([]string, 3)
	for i := range keys {
		s, err := r.resolveString(l[i], path)
		if err != nil {
			return nil, err
		}
		keys[i] = s
	}
	value, found := lookupMapping(r.mappings, keys)
	if found {
		return r.resolve(value, path)
	}
	if len(l) == 4 {
		if opts, ok := l[3].(map[string]any); ok {
			if def, ok := opts["DefaultValue"]; ok {
				return r.resolve(def, path)
			}
		}
	}
	return nil, fmt.Errorf("no mapping value at %s", strings.Join(keys, "/"))
}

func lookupMapping(mappings map[string]any, keys []string) (any, bool) {
	var cur any = mappings
	for _, k := range keys {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}
