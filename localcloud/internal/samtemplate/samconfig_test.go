package samtemplate

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestReadSamconfig(t *testing.T) {
	tests := []struct {
		name, file, env string
		want            map[string]string
	}{
		{"default env: deploy overlays global", "full.toml", "", map[string]string{
			"Stage": "dev", "Shared": "from-global", "MinTaxiPrice": "3800", "Greeting": "hello world"}},
		{"named env with a list", "full.toml", "prod", map[string]string{
			"Stage": "prod", "MinTaxiPrice": "5000", "Note": "a b"}},
		{"env without the table", "full.toml", "staging", map[string]string{}},
		{"no parameter_overrides", "no-overrides.toml", "default", map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadSamconfig("testdata/samconfig/"+tt.file, tt.env)
			if err != nil {
				t.Fatalf("ReadSamconfig: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestReadSamconfigDeploy(t *testing.T) {
	tests := []struct {
		env            string
		stack, region  string
		overridesCount int
	}{
		{"default", "call-taxi", "ap-northeast-2", 4},
		{"prod", "", "", 3},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			got, err := ReadSamconfigDeploy("testdata/samconfig/full.toml", tt.env)
			if err != nil {
				t.Fatalf("ReadSamconfigDeploy: %v", err)
			}
			if got.StackName != tt.stack || got.Region != tt.region || len(got.ParameterOverrides) != tt.overridesCount {
				t.Errorf("got %+v, want stack %q region %q and %d overrides", got, tt.stack, tt.region, tt.overridesCount)
			}
		})
	}
}

func TestReadSamconfigErrors(t *testing.T) {
	tests := []struct{ file, want string }{
		{"unterminated-string.toml", "basic strings cannot have new lines"},
		{"duplicate-key.toml", "key parameter_overrides is already defined"},
		{"trailing-garbage.toml", "expected newline but got U+0065 'e'"},
		{"wrong-type.toml", "expected a string or a list of strings"},
		{"bad-overrides.toml", "unterminated"},
		{"unterminated-array.toml", "array is incomplete"},
		{"missing.toml", "read samconfig"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := ReadSamconfig("testdata/samconfig/"+tt.file, "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseTOMLValues(t *testing.T) {
	data, err := os.ReadFile("testdata/samconfig/full.toml")
	if err != nil {
		t.Fatal(err)
	}
	tables, err := parseTOML(data)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		table, key string
		want       any
	}{
		{"", "version", 0.1},
		{"default.build.parameters", "cached", true},
		{"default.deploy.parameters", "region", "ap-northeast-2"},
		{"prod.deploy.parameters", "tags", []any{"a", "b"}},
		{"quoted.table", "escaped", "tab\there é"},
	}
	for _, tt := range tests {
		t.Run(tt.table+"."+tt.key, func(t *testing.T) {
			if got := tables[tt.table][tt.key]; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

// TestReadProjectSamconfig reads the project's samconfig.toml.
func TestReadProjectSamconfig(t *testing.T) {
	const path = "../../../samconfig.toml"
	overrides, err := ReadSamconfig(path, "")
	if err != nil {
		t.Fatalf("ReadSamconfig: %v", err)
	}
	if _, err := os.Stat(realTemplatePath); err == nil {
		if _, err := Load(realTemplatePath, Options{ParameterOverrides: overrides}); err != nil {
			t.Errorf("template with samconfig overrides %v: %v", overrides, err)
		}
	}
}
