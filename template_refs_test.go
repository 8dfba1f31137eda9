package calltaxi_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// reference is one use of a name in the template: kind is "Ref", "GetAtt" or "Condition".
type reference struct {
	kind, name, at string
}

var pseudoParameters = map[string]bool{
	"AWS::AccountId": true, "AWS::NotificationARNs": true, "AWS::NoValue": true, "AWS::Partition": true,
	"AWS::Region": true, "AWS::StackId": true, "AWS::StackName": true, "AWS::URLSuffix": true,
}

// subVariable matches ${Name} and ${Resource.Attribute} in Fn::Sub strings; ${!Literal} is an escape.
var subVariable = regexp.MustCompile(`\$\{([^!}][^}]*)\}`)

// collectReferences walks a template value and reports every Ref, GetAtt (including those inside
// Fn::Sub strings) and condition name it uses. at is the path of v, for messages.
func collectReferences(v any, at string, visit func(reference)) {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			child := x[k]
			here := at + "." + k
			switch {
			case k == "Ref":
				visit(reference{"Ref", asString(child), here})
			case k == "Fn::GetAtt":
				visit(reference{"GetAtt", getAttResource(child), here})
			case k == "Fn::Sub":
				collectSubReferences(child, here, visit)
				continue
			case k == "Fn::If":
				visit(reference{"Condition", asString(firstOf(child)), here})
			case k == "Condition":
				if name, ok := child.(string); ok {
					visit(reference{"Condition", name, here})
				}
			}
			collectReferences(child, here, visit)
		}
	case []any:
		for i, c := range x {
			collectReferences(c, fmt.Sprintf("%s[%d]", at, i), visit)
		}
	}
}

func collectSubReferences(sub any, at string, visit func(reference)) {
	text, vars := asString(sub), map[string]any{}
	if parts := asSlice(sub); len(parts) == 2 {
		text, vars = asString(parts[0]), asMap(parts[1])
		collectReferences(parts[1], at, visit)
	}
	for _, m := range subVariable.FindAllStringSubmatch(text, -1) {
		name := m[1]
		if _, local := vars[name]; local {
			continue
		}
		if resource, _, dotted := strings.Cut(name, "."); dotted && !strings.Contains(name, "::") {
			visit(reference{"GetAtt", resource, at})
			continue
		}
		visit(reference{"Ref", name, at})
	}
}

func getAttResource(v any) string {
	if s, ok := v.(string); ok {
		resource, _, _ := strings.Cut(s, ".")
		return resource
	}
	return asString(firstOf(v))
}

func firstOf(v any) any {
	if s := asSlice(v); len(s) > 0 {
		return s[0]
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// referencedNames lists the names a value uses through Ref (as written, e.g. Fn.Alias) or GetAtt
// (the resource), pseudo parameters excluded.
func referencedNames(v any) []string {
	var names []string
	collectReferences(v, "", func(r reference) {
		if r.kind != "Condition" && !pseudoParameters[r.name] {
			names = append(names, r.name)
		}
	})
	return names
}

// samFunctionReferences are the names SAM adds for a function: .Alias and .Version with AutoPublishAlias,
// and <Function>Role, the execution role it creates when the function names no Role.
func (tpl *samTemplate) samFunctionReferences() map[string]bool {
	refs := map[string]bool{}
	for _, id := range tpl.functions() {
		props := tpl.functionProperties(id)
		if asString(props["AutoPublishAlias"]) != "" {
			refs[id+".Alias"] = true
			refs[id+".Version"] = true
		}
		if props["Role"] == nil {
			refs[id+"Role"] = true
		}
	}
	return refs
}

// checkReferences: every Ref, GetAtt and ${} names a parameter, resource or pseudo parameter, and
// every condition used is declared.
func checkReferences(r *repoUnderTest) []string {
	tpl := r.tpl
	samRefs := tpl.samFunctionReferences()
	var problems []string
	collectReferences(tpl.doc, "template", func(ref reference) {
		_, isParameter := tpl.parameters[ref.name]
		_, isResource := tpl.resources[ref.name]
		_, isCondition := tpl.conditions[ref.name]
		switch {
		case ref.kind == "Condition" && !isCondition:
			problems = append(problems, fmt.Sprintf("%s: condition %q is not declared", ref.at, ref.name))
		case ref.kind == "GetAtt" && !isResource:
			problems = append(problems, fmt.Sprintf("%s: GetAtt of unknown resource %q", ref.at, ref.name))
		case ref.kind == "Ref" && !isParameter && !isResource && !pseudoParameters[ref.name] && !samRefs[ref.name]:
			problems = append(problems, fmt.Sprintf("%s: Ref to unknown name %q", ref.at, ref.name))
		}
	})
	return problems
}
