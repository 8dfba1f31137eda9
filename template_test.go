// Package calltaxi_test checks template.yaml: against the official SAM schema, and against the Go
// sources and the event catalog it wires together. It imports no function code.
package calltaxi_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const templateFile = "template.yaml"

// samTemplate is a parsed template in CloudFormation JSON form (short tags expanded).
type samTemplate struct {
	doc        map[string]any
	parameters map[string]any
	conditions map[string]any
	resources  map[string]map[string]any
	// functionGlobals is Globals.Function, merged under every AWS::Serverless::Function.
	functionGlobals map[string]any
}

// repoUnderTest is a template plus the repository folder whose code it builds.
type repoUnderTest struct {
	root string
	tpl  *samTemplate
}

func loadRepo(t *testing.T, root string) *repoUnderTest {
	t.Helper()
	tpl, err := readTemplate(filepath.Join(root, templateFile))
	if err != nil {
		t.Fatal(err)
	}
	return &repoUnderTest{root: root, tpl: tpl}
}

func readTemplate(path string) (*samTemplate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	doc, err := cloudFormationYAMLToJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: top level is not a mapping", path)
	}
	tpl := &samTemplate{
		doc:             root,
		parameters:      asMap(root["Parameters"]),
		conditions:      asMap(root["Conditions"]),
		resources:       map[string]map[string]any{},
		functionGlobals: asMap(asMap(root["Globals"])["Function"]),
	}
	for id, r := range asMap(root["Resources"]) {
		res := asMap(r)
		if res == nil {
			return nil, fmt.Errorf("%s: resource %s is not a mapping", path, id)
		}
		tpl.resources[id] = res
	}
	return tpl, nil
}

// cloudFormationYAMLToJSON decodes YAML into JSON-compatible values, expanding CloudFormation's
// short-form tags (!Ref, !GetAtt, !Sub, ...) into their long forms.
func cloudFormationYAMLToJSON(data []byte) (any, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("parse yaml: %w", err)
	}
	return nodeToJSON(&root)
}

// shortTagFunctions maps a short tag to its long-form key; !Ref and !Condition have no Fn:: prefix.
var shortTagFunctions = map[string]string{
	"!Ref": "Ref", "!Condition": "Condition",
	"!GetAtt": "Fn::GetAtt", "!Sub": "Fn::Sub", "!Join": "Fn::Join", "!If": "Fn::If",
	"!Equals": "Fn::Equals", "!Not": "Fn::Not", "!And": "Fn::And", "!Or": "Fn::Or",
	"!Select": "Fn::Select", "!Split": "Fn::Split", "!FindInMap": "Fn::FindInMap",
	"!GetAZs": "Fn::GetAZs", "!Base64": "Fn::Base64", "!ImportValue": "Fn::ImportValue",
	"!Cidr": "Fn::Cidr", "!Transform": "Fn::Transform", "!ToJsonString": "Fn::ToJsonString",
	"!Length": "Fn::Length",
}

func nodeToJSON(n *yaml.Node) (any, error) {
	if fn, ok := shortTagFunctions[n.Tag]; ok {
		return shortTagToJSON(fn, n)
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return nil, fmt.Errorf("line %d: unknown tag %s", n.Line, n.Tag)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return nodeToJSON(n.Content[0])
	case yaml.AliasNode:
		return nodeToJSON(n.Alias)
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			if _, dup := out[key]; dup {
				return nil, fmt.Errorf("line %d: duplicate key %q", n.Content[i].Line, key)
			}
			v, err := nodeToJSON(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			out[key] = v
		}
		return out, nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := nodeToJSON(c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	default:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return v, nil
	}
}

func shortTagToJSON(fn string, n *yaml.Node) (any, error) {
	if n.Kind == yaml.ScalarNode {
		if fn == "Fn::GetAtt" {
			resource, attribute, ok := strings.Cut(n.Value, ".")
			if !ok {
				return nil, fmt.Errorf("line %d: !GetAtt %q needs Resource.Attribute", n.Line, n.Value)
			}
			return map[string]any{fn: []any{resource, attribute}}, nil
		}
		return map[string]any{fn: n.Value}, nil
	}
	plain := *n
	plain.Tag = ""
	v, err := nodeToJSON(&plain)
	if err != nil {
		return nil, err
	}
	return map[string]any{fn: v}, nil
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}

// functions returns the ids of AWS::Serverless::Function resources.
func (tpl *samTemplate) functions() []string {
	return tpl.resourcesOfType("AWS::Serverless::Function")
}

func (tpl *samTemplate) resourcesOfType(typ string) []string {
	var ids []string
	for id, r := range tpl.resources {
		if r["Type"] == typ {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// functionProperties returns a function's properties with Globals.Function merged in the way SAM
// merges them: maps merge key by key, anything else in the function wins.
func (tpl *samTemplate) functionProperties(id string) map[string]any {
	return mergeGlobals(tpl.functionGlobals, asMap(tpl.resources[id]["Properties"]))
}

func mergeGlobals(globals, own map[string]any) map[string]any {
	out := make(map[string]any, len(globals)+len(own))
	for k, v := range globals {
		out[k] = v
	}
	for k, v := range own {
		gm, gok := out[k].(map[string]any)
		om, ook := v.(map[string]any)
		if gok && ook {
			out[k] = mergeGlobals(gm, om)
			continue
		}
		out[k] = v
	}
	return out
}

// functionEnvironment is the function's Environment.Variables after Globals.
func (tpl *samTemplate) functionEnvironment(id string) map[string]any {
	return asMap(asMap(tpl.functionProperties(id)["Environment"])["Variables"])
}

// functionEvents returns the function's Events whose Type is typ, by event name.
func (tpl *samTemplate) functionEvents(id, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for name, e := range asMap(tpl.functionProperties(id)["Events"]) {
		if asMap(e)["Type"] == typ {
			out[name] = asMap(asMap(e)["Properties"])
		}
	}
	return out
}

func TestShortTagsExpand(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       string
	}{
		{"ref", "a: !Ref X", `{"a":{"Ref":"X"}}`},
		{"getatt dotted", "a: !GetAtt T.StreamArn", `{"a":{"Fn::GetAtt":["T","StreamArn"]}}`},
		{"getatt nested attribute", "a: !GetAtt F.Version.Version", `{"a":{"Fn::GetAtt":["F","Version.Version"]}}`},
		{"sub", "a: !Sub ${T.Arn}/index/*", `{"a":{"Fn::Sub":"${T.Arn}/index/*"}}`},
		{"if sequence", "a: !If [C, !Ref X, b]", `{"a":{"Fn::If":["C",{"Ref":"X"},"b"]}}`},
		{"not equals", `a: !Not [!Equals [!Ref P, ""]]`, `{"a":{"Fn::Not":[{"Fn::Equals":[{"Ref":"P"},""]}]}}`},
		{"condition", "a: !Condition C", `{"a":{"Condition":"C"}}`},
		{"plain scalars keep types", "a: [1, true, x]", `{"a":[1,true,"x"]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := cloudFormationYAMLToJSON([]byte(c.yaml))
			if err != nil {
				t.Fatal(err)
			}
			if got := mustJSON(t, v); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
	if _, err := cloudFormationYAMLToJSON([]byte("a: !Bogus x")); err == nil {
		t.Error("an unknown short tag was accepted")
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
