package samtemplate

import (
	"fmt"
	"os"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// SamconfigDeploy is what samconfig.toml says about a deployment of env: [<env>.global.parameters]
// overlaid by [<env>.deploy.parameters]. Empty strings mean "not set".
type SamconfigDeploy struct {
	StackName          string
	Region             string
	ParameterOverrides map[string]string // never nil
}

// ReadSamconfig returns the parameter_overrides of samconfig.toml for env (default "default"). The value
// may be a string (`"Key=Value Key2=\"v 2\""`) or a list of such strings. A file without them yields an
// empty map.
func ReadSamconfig(path, env string) (map[string]string, error) {
	deploy, err := ReadSamconfigDeploy(path, env)
	if err != nil {
		return nil, err
	}
	return deploy.ParameterOverrides, nil
}

// ReadSamconfigDeploy reads stack_name, region and parameter_overrides of env (default "default").
func ReadSamconfigDeploy(path, env string) (SamconfigDeploy, error) {
	out := SamconfigDeploy{ParameterOverrides: map[string]string{}}
	data, err := os.ReadFile(path)
	if err != nil {
		return out, fmt.Errorf("read samconfig: %w", err)
	}
	tables, err := parseTOML(data)
	if err != nil {
		return out, fmt.Errorf("parse samconfig %s: %w", path, err)
	}
	if env == "" {
		env = "default"
	}
	for _, table := range []string{env + ".global.parameters", env + ".deploy.parameters"} {
		settings := tables[table]
		if s, ok := settings["stack_name"].(string); ok {
			out.StackName = s
		}
		if s, ok := settings["region"].(string); ok {
			out.Region = s
		}
		value, ok := settings["parameter_overrides"]
		if !ok {
			continue
		}
		overrides, err := overridesFromTOML(value)
		if err != nil {
			return out, fmt.Errorf("samconfig %s [%s] parameter_overrides: %w", path, table, err)
		}
		for k, v := range overrides {
			out.ParameterOverrides[k] = v
		}
	}
	return out, nil
}

func overridesFromTOML(value any) (map[string]string, error) {
	switch v := value.(type) {
	case string:
		return ParseParameterOverrides(v)
	case []any:
		out := map[string]string{}
		for i, item := range v {
			s, ok := item.(string)
			if !ok {
				return nil, fmt.Errorf("item %d is not a string", i)
			}
			m, err := ParseParameterOverrides(s)
			if err != nil {
				return nil, err
			}
			for k, val := range m {
				out[k] = val
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("expected a string or a list of strings")
}

// parseTOML decodes a TOML document into its tables by dotted name ("default.deploy.parameters"; "" for
// the top-level keys), each holding its plain key/value pairs.
func parseTOML(data []byte) (map[string]map[string]any, error) {
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	tables := map[string]map[string]any{}
	var walk func(prefix []string, m map[string]any)
	walk = func(prefix []string, m map[string]any) {
		name := strings.Join(prefix, ".")
		for k, v := range m {
			if sub, ok := v.(map[string]any); ok {
				walk(append(append([]string(nil), prefix...), k), sub)
				continue
			}
			if tables[name] == nil {
				tables[name] = map[string]any{}
			}
			tables[name][k] = v
		}
	}
	walk(nil, doc)
	return tables, nil
}
