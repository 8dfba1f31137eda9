package samtemplate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadErrorsNameTheProblem(t *testing.T) {
	const envPath = "Fn.Properties.Environment.Variables.BROKEN"
	tests := []struct {
		fixture string
		want    []string // substrings of the error
	}{
		{"unknown-ref.yaml", []string{envPath, "Ref", `unknown parameter or resource "Nope"`}},
		{"unknown-getatt-resource.yaml", []string{envPath, "Fn::GetAtt", `"Nope"`}},
		{"unknown-getatt-attribute.yaml", []string{envPath, "attribute Nope of Table"}},
		{"getatt-no-dot.yaml", []string{envPath, "<LogicalId>.<Attribute>"}},
		{"stream-arn-without-stream.yaml", []string{envPath, "no StreamSpecification"}},
		{"ref-excluded-resource.yaml", []string{envPath, `"Gone" is excluded by its Condition`}},
		{"unknown-condition.yaml", []string{envPath, `unknown condition "Nope"`}},
		{"condition-cycle.yaml", []string{"refers to itself"}},
		{"select-out-of-range.yaml", []string{envPath, "Fn::Select", "index 5 out of range"}},
		{"find-in-map-missing.yaml", []string{envPath, "Fn::FindInMap", "no mapping value at M/x/nope"}},
		{"sub-unterminated.yaml", []string{envPath, "Fn::Sub", "unterminated ${"}},
		{"sub-unknown-variable.yaml", []string{envPath, "${Missing}", `unknown parameter or resource "Missing"`}},
		{"join-bad-arguments.yaml", []string{envPath, "Fn::Join", "expected a list of 2 arguments"}},
		{"split-empty-delimiter.yaml", []string{envPath, "Fn::Split", "empty delimiter"}},
		{"import-value.yaml", []string{envPath, "Fn::ImportValue", "not available locally"}},
		{"unsupported-intrinsic.yaml", []string{envPath, "Fn::Cidr", "not supported locally"}},
		{"environment-list-value.yaml", []string{envPath, "environment values must be strings"}},
		{"alias-without-autopublish.yaml", []string{envPath, "no AutoPublishAlias"}},
		{"name-cycle.yaml", []string{"Queue.Properties.QueueName", "depends on itself"}},
		{"missing-parameter.yaml", []string{"parameters without a value", "AlsoMissing, NoDefault"}},
		{"parameter-not-allowed.yaml", []string{"parameter Stage", `"qa" is not one of AllowedValues`}},
		{"parameter-below-min.yaml", []string{"parameter Size", "MinValue 1"}},
		{"parameter-pattern.yaml", []string{"parameter Stage", "AllowedPattern"}},
		{"parameter-not-number.yaml", []string{"parameter Size", "not a Number"}},
		{"key-not-defined.yaml", []string{"Table", `key attribute "pk" is not in AttributeDefinitions`}},
		{"key-schema-missing.yaml", []string{"Table.Properties.KeySchema", "required property is missing"}},
		{"stream-unknown-table.yaml", []string{"Fn.Properties.Events.S.Properties.Stream", "is not the stream of a table"}},
		{"stream-without-starting-position.yaml", []string{"Fn.Properties.Events.S.Properties.StartingPosition", "required"}},
		{"stream-bad-filter.yaml", []string{"Fn.Properties.Events.S.Properties.FilterCriteria.Filters[0].Pattern", "not valid JSON"}},
		{"rule-without-pattern.yaml", []string{"Fn.Properties.Events.R.Properties.Pattern", "required"}},
		{"route-unknown-api.yaml", []string{"Fn.Properties.Events.R.Properties.ApiId", "not an AWS::Serverless::HttpApi"}},
		{"route-unknown-authorizer.yaml", []string{"Fn.Properties.Events.R", `no authorizer named "Missing"`}},
		{"route-path-without-method.yaml", []string{"Fn.Properties.Events.R.Properties", "both Method and Path"}},
		{"default-authorizer-unknown.yaml", []string{"Api.Properties.Auth.DefaultAuthorizer", `"Missing"`}},
		{"event-without-type.yaml", []string{"Fn.Properties.Events.E.Type", "required"}},
		{"duplicate-key.yaml", []string{`duplicate key "Table"`}},
		{"no-resources.yaml", []string{"declares no resources"}},
		{"resource-without-type.yaml", []string{"Thing.Type"}},
		{"invalid-yaml.yaml", []string{"parse yaml"}},
		{"timeout-not-number.yaml", []string{"Fn.Properties.Timeout", `"soon"`}},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.fixture] = true
		t.Run(tt.fixture, func(t *testing.T) {
			_, err := Load(filepath.Join("testdata", "errors", tt.fixture), Options{})
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
	entries, err := os.ReadDir(filepath.Join("testdata", "errors"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !covered[e.Name()] {
			t.Errorf("fixture %s has no test case", e.Name())
		}
	}
}

func TestParseOverrideForUndeclaredParameter(t *testing.T) {
	data, err := os.ReadFile("testdata/globals.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse(data, Options{ParameterOverrides: map[string]string{"Nope": "x", "LogLevel": "DEBUG"}})
	if err == nil || !strings.Contains(err.Error(), "undeclared parameters: Nope") {
		t.Fatalf("err = %v, want undeclared parameter Nope", err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	if _, err := Load("testdata/does-not-exist.yaml", Options{}); err == nil {
		t.Fatal("want an error for a missing file")
	}
}
