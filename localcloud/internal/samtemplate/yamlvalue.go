package samtemplate

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// The template is converted from yaml.Node into a plain tree of string, number, bool, nil, []any and
// map[string]any. Short-form tags become their long form: `!Ref X` → {"Ref": "X"}, `!Sub s` →
// {"Fn::Sub": "s"}, `!Condition C` → {"Condition": "C"}.

// number keeps a YAML number's original text so nothing is lost (account ids, leading zeros, big ints).
type number string

// MarshalJSON writes the number as a JSON number when it is one, otherwise as a string.
func (n number) MarshalJSON() ([]byte, error) {
	if _, err := strconv.ParseFloat(string(n), 64); err == nil && json.Valid([]byte(n)) {
		return []byte(n), nil
	}
	return json.Marshal(string(n))
}

func decodeYAML(data []byte) (map[string]any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse yaml: %w", err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, fmt.Errorf("parse yaml: empty document")
	}
	root, err := nodeValue(doc.Content[0])
	if err != nil {
		return nil, err
	}
	m, ok := root.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("parse yaml: the template is not a mapping")
	}
	return m, nil
}

func nodeValue(n *yaml.Node) (any, error) {
	v, err := plainNodeValue(n)
	if err != nil {
		return nil, err
	}
	tag := n.Tag
	if !strings.HasPrefix(tag, "!") || strings.HasPrefix(tag, "!!") {
		return v, nil
	}
	name := strings.TrimPrefix(tag, "!")
	switch name {
	case "Ref", "Condition":
		return map[string]any{name: v}, nil
	default:
		return map[string]any{"Fn::" + name: v}, nil
	}
}

func plainNodeValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.AliasNode:
		return nodeValue(n.Alias)
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return nodeValue(n.Content[0])
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := nodeValue(c)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	case yaml.MappingNode:
		return mappingValue(n)
	case yaml.ScalarNode:
		return scalarValue(n)
	}
	return nil, fmt.Errorf("line %d: unexpected yaml node kind %d", n.Line, n.Kind)
}

func mappingValue(n *yaml.Node) (map[string]any, error) {
	m := make(map[string]any, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		keyNode := n.Content[i]
		if keyNode.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: mapping key is not a scalar", keyNode.Line)
		}
		key := keyNode.Value
		if _, dup := m[key]; dup {
			return nil, fmt.Errorf("line %d: duplicate key %q", keyNode.Line, key)
		}
		v, err := nodeValue(n.Content[i+1])
		if err != nil {
			return nil, err
		}
		m[key] = v
	}
	return m, nil
}

func scalarValue(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!int", "!!float":
		return number(n.Value), nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return b, nil
	case "!!null":
		return nil, nil
	default:
		return n.Value, nil
	}
}
