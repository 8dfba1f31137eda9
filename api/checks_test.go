package api_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// knownGroups are the Cognito groups an operation may require (x-calltaxi-roles).
var knownGroups = map[string]bool{"customers": true, "managers": true, "drivers": true}

// routeDiff names the routes only one side has.
func routeDiff(spec, template []route) []string {
	var problems []string
	for _, r := range template {
		if !slices.Contains(spec, r) {
			problems = append(problems, fmt.Sprintf("%s is deployed by template.yaml but not in openapi.yaml", r))
		}
	}
	for _, r := range spec {
		if !slices.Contains(template, r) {
			problems = append(problems, fmt.Sprintf("%s is in openapi.yaml but template.yaml deploys no such route", r))
		}
	}
	return problems
}

// resolver follows local "#/components/..." references.
type resolver struct{ doc map[string]any }

func (r resolver) lookup(ref string) (any, bool) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, false
	}
	var cur any = r.doc
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// deref returns the object v refers to (following chains of $ref), or v itself.
func (r resolver) deref(v any) map[string]any {
	m := asMap(v)
	for range 10 {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		target, found := r.lookup(ref)
		if !found {
			return nil
		}
		m = asMap(target)
	}
	return nil
}

// danglingRefs lists every $ref in the document that points nowhere.
func danglingRefs(doc map[string]any) []string {
	r := resolver{doc}
	var problems []string
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				if _, found := r.lookup(ref); !found {
					problems = append(problems, fmt.Sprintf("%s: $ref %q does not resolve", at, ref))
				}
			}
			for k, val := range x {
				walk(val, at+"/"+k)
			}
		case []any:
			for i, val := range x {
				walk(val, fmt.Sprintf("%s/%d", at, i))
			}
		}
	}
	walk(doc, "#")
	sort.Strings(problems)
	return problems
}

// operation is one method of one path, with the path item's shared parameters.
type operation struct {
	route
	op         map[string]any
	parameters []map[string]any
}

func operations(doc map[string]any) []operation {
	r := resolver{doc}
	var ops []operation
	for _, rt := range specRoutes(doc) {
		item := asMap(asMap(doc["paths"])[rt.path])
		op := asMap(item[strings.ToLower(rt.method)])
		var params []map[string]any
		for _, p := range append(asList(item["parameters"]), asList(op["parameters"])...) {
			if resolved := r.deref(p); resolved != nil {
				params = append(params, resolved)
			}
		}
		ops = append(ops, operation{route: rt, op: op, parameters: params})
	}
	return ops
}

// operationProblems checks what every operation must document.
func operationProblems(doc map[string]any) []string {
	r := resolver{doc}
	var problems []string
	seenIDs := map[string]route{}
	for _, o := range operations(doc) {
		report := func(format string, args ...any) {
			problems = append(problems, o.String()+": "+fmt.Sprintf(format, args...))
		}
		id, _ := o.op["operationId"].(string)
		if id == "" {
			report("no operationId")
		} else if prev, dup := seenIDs[id]; dup {
			report("operationId %q also used by %s", id, prev)
		}
		seenIDs[id] = o.route

		responses := asMap(o.op["responses"])
		need := func(status, why string) {
			if _, ok := responses[status]; !ok {
				report("does not document %s (%s)", status, why)
			}
		}
		need("401", "every route is behind the JWT authorizer")
		need("500", "bugs answer INTERNAL")

		roles, declared := o.op["x-calltaxi-roles"]
		if !declared {
			report("has no x-calltaxi-roles (list the groups it accepts, [] for any signed-in user)")
		}
		for _, g := range asList(roles) {
			if !knownGroups[fmt.Sprint(g)] {
				report("x-calltaxi-roles names unknown group %v", g)
			}
		}
		if len(asList(roles)) > 0 {
			need("403", "it requires a group")
		}
		if o.op["requestBody"] != nil {
			need("400", "it has a request body")
			need("413", "bodies over 64 KiB are refused")
		}
		if len(o.parameters) > 0 {
			need("400", "it has parameters")
		}
		hasSuccess := false
		for status, resp := range responses {
			if strings.HasPrefix(status, "2") {
				hasSuccess = true
			}
			problems = append(problems, responseProblems(r, o.route, status, r.deref(resp))...)
		}
		if !hasSuccess {
			report("documents no 2xx response")
		}
	}
	sort.Strings(problems)
	return problems
}

// responseProblems: error responses use the error envelope, and 429/503 carry Retry-After.
func responseProblems(r resolver, rt route, status string, resp map[string]any) []string {
	if resp == nil {
		return []string{fmt.Sprintf("%s: response %s does not resolve", rt, status)}
	}
	var problems []string
	if status == "429" || status == "503" {
		header := r.deref(asMap(resp["headers"])["Retry-After"])
		if header == nil || header["required"] != true {
			problems = append(problems, fmt.Sprintf("%s: %s must document a required Retry-After header", rt, status))
		}
	}
	schema := asMap(asMap(asMap(resp["content"])["application/json"])["schema"])
	if schema == nil {
		return append(problems, fmt.Sprintf("%s: response %s has no application/json schema", rt, status))
	}
	if strings.HasPrefix(status, "4") || strings.HasPrefix(status, "5") {
		if !usesErrorEnvelope(schema) {
			problems = append(problems, fmt.Sprintf("%s: error response %s does not use #/components/schemas/Error", rt, status))
		}
	}
	return problems
}

func usesErrorEnvelope(schema map[string]any) bool {
	const errorRef = "#/components/schemas/Error"
	if schema["$ref"] == errorRef {
		return true
	}
	for _, alt := range asList(schema["oneOf"]) {
		if asMap(alt)["$ref"] == errorRef {
			return true
		}
	}
	return false
}
