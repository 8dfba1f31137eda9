package samtemplate

import (
	"fmt"
)

// builder turns the raw resources into the model.
type builder struct {
	r       *resolver
	globals map[string]any
	u       *unsupported
	t       *Template
	// skippedAuthorizers are non-JWT authorizers per API, reported as unsupported; routes may name them.
	skippedAuthorizers map[string]map[string]bool
}

// globalsFor maps a resource type to its Globals section.
var globalsFor = map[string]string{
	typeFunction:    "Function",
	typeHttpApi:     "HttpApi",
	typeSimpleTable: "SimpleTable",
}

// collectResources keeps the resources whose Condition holds, with Globals merged in.
func (b *builder) collectResources(resources map[string]any) error {
	for _, id := range sortedKeys(resources) {
		m, err := asMap(resources[id])
		if err != nil {
			return fmt.Errorf("%s: %w", id, err)
		}
		typ, ok := m["Type"].(string)
		if !ok {
			return fmt.Errorf("%s.Type: expected a resource type string, got %s", id, describe(m["Type"]))
		}
		if cond, ok := m["Condition"]; ok {
			name, isString := cond.(string)
			if !isString {
				return fmt.Errorf("%s.Condition: expected a condition name, got %s", id, describe(cond))
			}
			holds, err := b.r.condition(name)
			if err != nil {
				return fmt.Errorf("%s.Condition: %w", id, err)
			}
			if !holds {
				b.r.excluded[id] = true
				continue
			}
		}
		res := &rawResource{id: id, typ: typ, props: map[string]any{}, metadata: map[string]any{}}
		if v, ok := m["Properties"]; ok && v != nil {
			if res.props, err = asMap(v); err != nil {
				return fmt.Errorf("%s.Properties: %w", id, err)
			}
		}
		if v, ok := m["Metadata"]; ok && v != nil {
			if res.metadata, err = asMap(v); err != nil {
				return fmt.Errorf("%s.Metadata: %w", id, err)
			}
		}
		if section := globalsFor[typ]; section != "" {
			if g, ok := b.globals[section]; ok {
				merged, _ := mergeGlobals(g, res.props).(map[string]any)
				res.props = merged
			}
		}
		b.r.resources[id] = res
	}
	for _, section := range sortedKeys(b.globals) {
		if section != "Function" && section != "HttpApi" && section != "SimpleTable" {
			b.u.note("Globals." + section + ": applies to resource types the local cloud does not emulate")
		}
	}
	return nil
}

func (b *builder) build() error {
	steps := []func() error{b.buildTables, b.buildBuses, b.buildQueues, b.buildRules, b.buildHttpApis, b.buildUserPools, b.buildSSMParameters, b.buildFunctions, b.resolvePoolTriggers, b.checkRoutes}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	for _, id := range sortedKeys(b.r.resources) {
		res := b.r.resources[id]
		if res.synthetic || emulatedTypes[res.typ] {
			continue
		}
		reason, ok := unsupportedResourceReasons[res.typ]
		if !ok {
			reason = "not emulated locally"
		}
		b.u.resource(res.typ, id, reason)
	}
	return nil
}

var emulatedTypes = map[string]bool{
	typeFunction: true, typeTable: true, typeSimpleTable: true, typeBus: true, typeQueue: true, typeRule: true, typeHttpApi: true,
	typeUserPoolGroup: true, typeSSMParameter: true,
}

// resourcesOf returns the kept resources of the given types, sorted by logical id.
func (b *builder) resourcesOf(types ...string) []*rawResource {
	var out []*rawResource
	for _, id := range sortedKeys(b.r.resources) {
		res := b.r.resources[id]
		for _, typ := range types {
			if res.typ == typ {
				out = append(out, res)
			}
		}
	}
	return out
}

func (b *builder) propsOf(res *rawResource) props {
	return props{r: b.r, m: res.props, path: res.id + ".Properties"}
}
