package samtemplate

import (
	"fmt"
	"os"
)

// ReadSamconfig returns the parameter_overrides of samconfig.toml for env (default "default"):
// [<env>.global.parameters] overlaid by [<env>.deploy.parameters]. The value may be a string
// (`"Key=Value Key2=\"v 2\""`) or a list of such strings. A file without them yields an empty map.
func ReadSamconfig(path, env string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read samconfig: %w", err)
	}
	tables, err := parseTOML(string(data))
	if err != nil {
		return nil, fmt.Errorf("parse samconfig %s: %w", path, err)
	}
	if env == "" {
		env = "default"
	}
	out := map[string]string{}
	for _, table := range []string{env + ".global.parameters", env + ".deploy.parameters"} {
		value, ok := tables[table]["parameter_overrides"]
		if !ok {
			continue
		}
		overrides, err := overridesFromTOML(value)
		if err != nil {
			return nil, fmt.Errorf("samconfig %s [%s] parameter_overrides: %w", path, table, err)
		}
		for k, v := range overrides {
			out[k] = v
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
