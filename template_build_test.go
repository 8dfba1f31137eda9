package calltaxi_test

import (
	"os"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

// `sam build` runs each function's build-<LogicalId> Makefile target in the repository (SAM CLI
// --build-in-source, "Building in source" in the SAM developer guide) rather than copying the repository,
// local cloud data and node_modules included, to a scratch folder once per function.
func TestSamBuildBuildsInSource(t *testing.T) {
	data, err := os.ReadFile("samconfig.toml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Default struct {
			Build struct {
				Parameters map[string]any `toml:"parameters"`
			} `toml:"build"`
		} `toml:"default"`
	}
	if err := toml.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Default.Build.Parameters["build_in_source"] != true {
		t.Errorf("samconfig.toml [default.build.parameters] build_in_source = %v, want true", cfg.Default.Build.Parameters["build_in_source"])
	}
	tpl := loadRepo(t, ".").tpl
	for _, fn := range tpl.functions() {
		if method := asMap(tpl.resources[fn]["Metadata"])["BuildMethod"]; method != "makefile" {
			t.Errorf("%s: Metadata.BuildMethod = %v, want makefile (in-source builds run the Makefile)", fn, method)
		}
	}
}
