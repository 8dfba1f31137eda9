package samtemplate

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestGlobalsMergeIntoFunctions(t *testing.T) {
	tpl := loadFixture(t, "globals.yaml", Options{ParameterOverrides: map[string]string{"LogLevel": "DEBUG"}})
	intPtr := func(n int) *int { return &n }
	tests := []struct {
		id   string
		want Function
	}{
		{"Inherits", Function{
			LogicalID: "Inherits", Name: "call-taxi-Inherits",
			Arn:     "arn:aws:lambda:us-east-1:000000000000:function:call-taxi-Inherits",
			CodeURI: ".", Handler: "bootstrap", Runtime: "provided.al2023", Architectures: []string{"arm64"},
			BuildMethod: "makefile", Timeout: 10 * time.Second, MemoryMB: 256, AutoPublishAlias: "live",
			Env: map[string]string{"LOG_LEVEL": "DEBUG", "SHARED": "from-globals"},
		}},
		{"Overrides", Function{
			LogicalID: "Overrides", Name: "custom-name",
			Arn:     "arn:aws:lambda:us-east-1:000000000000:function:custom-name",
			CodeURI: "functions/overrides", Handler: "bootstrap", Runtime: "go1.x", Architectures: []string{"arm64"},
			Timeout: 30 * time.Second, MemoryMB: 1024, ReservedConcurrency: intPtr(5), AutoPublishAlias: "blue",
			Env:        map[string]string{"LOG_LEVEL": "DEBUG", "SHARED": "from-function", "OWN": "mine"},
			HttpRoutes: []HttpRoute{{EventName: "Root", ApiLogicalID: "ServerlessHttpApi", Method: "ANY", Path: "$default"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			got := tpl.Functions[tt.id]
			if got == nil {
				t.Fatalf("function %s missing", tt.id)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestGlobalsHttpApiAppliesToImplicitApi(t *testing.T) {
	tpl := loadFixture(t, "globals.yaml", Options{})
	api := tpl.HttpApis["ServerlessHttpApi"]
	if api == nil {
		t.Fatal("implicit ServerlessHttpApi missing")
	}
	if api.StageName != "v1" {
		t.Errorf("StageName = %q, want v1 from Globals.HttpApi", api.StageName)
	}
	if api.CORS == nil || !slices.Equal(api.CORS.AllowOrigins, []string{"*"}) {
		t.Errorf("CorsConfiguration: true should allow origin *, got %+v", api.CORS)
	}
	wantUnsupported := []string{
		"Globals.Api: applies to resource types the local cloud does not emulate",
		"Tracing: X-Ray tracing is not emulated (Inherits, Overrides)",
	}
	for _, line := range wantUnsupported {
		if !slices.Contains(tpl.Unsupported, line) {
			t.Errorf("Unsupported lacks %q; have %q", line, tpl.Unsupported)
		}
	}
}

func TestMergeGlobals(t *testing.T) {
	ref := map[string]any{"Ref": "X"}
	tests := []struct {
		name          string
		global, local any
		want          any
	}{
		{"scalar: function wins", "10", "30", "30"},
		{"absent locally", "10", nil, "10"},
		{"absent globally", nil, "30", "30"},
		{"maps merge recursively",
			map[string]any{"Variables": map[string]any{"A": "g", "B": "g"}, "Other": "g"},
			map[string]any{"Variables": map[string]any{"B": "l", "C": "l"}},
			map[string]any{"Variables": map[string]any{"A": "g", "B": "l", "C": "l"}, "Other": "g"}},
		{"lists concatenate", []any{"a"}, []any{"b"}, []any{"a", "b"}},
		{"intrinsic counts as scalar", map[string]any{"A": "g"}, ref, ref},
		{"local scalar replaces global map", map[string]any{"A": "g"}, "x", "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mergeGlobals(tt.global, tt.local); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("mergeGlobals = %#v, want %#v", got, tt.want)
			}
		})
	}
}
