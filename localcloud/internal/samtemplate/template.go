package samtemplate

import (
	"fmt"
	"os"
	"path/filepath"
)

// Load reads and resolves the SAM template at path.
func Load(path string, opts Options) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	t, err := Parse(data, opts)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", path, err)
	}
	if t.Dir, err = filepath.Abs(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("template dir: %w", err)
	}
	return t, nil
}

// Parse resolves a SAM template given as YAML (JSON is YAML too).
func Parse(yamlBytes []byte, opts Options) (*Template, error) {
	opts = opts.withDefaults()
	doc, err := decodeYAML(yamlBytes)
	if err != nil {
		return nil, err
	}
	sections, err := readSections(doc)
	if err != nil {
		return nil, err
	}
	params, paramTypes, err := resolveParameters(sections["Parameters"], opts.ParameterOverrides)
	if err != nil {
		return nil, err
	}
	r := &resolver{
		opts:                 opts,
		params:               params,
		paramTypes:           paramTypes,
		mappings:             sections["Mappings"],
		conditionExprs:       sections["Conditions"],
		conditionValues:      map[string]bool{},
		conditionsEvaluating: map[string]bool{},
		resources:            map[string]*rawResource{},
		excluded:             map[string]bool{},
		names:                map[string]string{},
		naming:               map[string]bool{},
	}
	b := &builder{
		r:       r,
		globals: sections["Globals"],
		u:       newUnsupported(),
		t: &Template{
			StackName: opts.StackName, Region: opts.Region, AccountID: opts.AccountID,
			Parameters:    params,
			Functions:     map[string]*Function{},
			Tables:        map[string]*Table{},
			Buses:         map[string]*Bus{},
			Queues:        map[string]*Queue{},
			Rules:         map[string]*Rule{},
			HttpApis:      map[string]*HttpApi{},
			UserPools:     map[string]*UserPool{},
			SSMParameters: map[string]*SSMParameter{},
		},
	}
	if err := r.checkRules(sections["Rules"]); err != nil {
		return nil, err
	}
	if err := b.collectResources(sections["Resources"]); err != nil {
		return nil, err
	}
	if err := b.addSamGeneratedResources(); err != nil {
		return nil, err
	}
	if err := b.build(); err != nil {
		return nil, err
	}
	b.t.Unsupported = b.u.list()
	return b.t, nil
}

// readSections returns the mapping-valued top-level sections (absent ones are empty).
func readSections(doc map[string]any) (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	for _, name := range []string{"Parameters", "Rules", "Conditions", "Mappings", "Globals", "Resources"} {
		v, ok := doc[name]
		if !ok || v == nil {
			out[name] = map[string]any{}
			continue
		}
		m, err := asMap(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = m
	}
	if len(out["Resources"]) == 0 {
		return nil, fmt.Errorf("Resources: the template declares no resources")
	}
	return out, nil
}
