package calltaxi_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// awsTool returns the path of a tool AWS users run against a template (cfn-lint, python3 with the SAM
// translator). It skips only where the tool is absent and this is not CI: CI machines have them.
func awsTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required in CI: %v", name, err)
		}
		t.Skipf("%s is not installed", name)
	}
	return path
}

// cfnLint runs cfn-lint (which carries the SAM schema and translator) on a template file.
func cfnLint(t *testing.T, template string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(awsTool(t, "cfn-lint"), append(args, "--", template)...)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// cfn-lint, the linter AWS users run, finds nothing — including its informational checks (I3011: a
// stateful resource without DeletionPolicy/UpdateReplacePolicy).
func TestCfnLintIsClean(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{nil, {"--include-checks", "I"}} {
		t.Run(strings.Join(append([]string{"cfn-lint"}, args...), " "), func(t *testing.T) {
			t.Parallel()
			if out, err := cfnLint(t, templateFile, args...); err != nil || out != "" {
				t.Errorf("cfn-lint %s %s: %v\n%s", strings.Join(args, " "), templateFile, err, out)
			}
		})
	}
}

// The lint catches what the SAM schema and translator refuse: each broken copy of template.yaml fails
// with a message naming the problem.
func TestCfnLintRejectsBrokenCopies(t *testing.T) {
	t.Parallel()
	source, err := os.ReadFile(templateFile)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, old, new, mentions string }{
		{"misspelled function property", "      Timeout: 15\n", "      Timeuot: 15\n", "Timeuot"},
		{"unknown event type", "          Type: DynamoDB\n", "          Type: DynamoDb\n", "DynamoDb"},
		{"reference to a missing resource", "!GetAtt OrdersTable.StreamArn", "!GetAtt OrdersTabel.StreamArn", "OrdersTabel"},
		{"stateful resource without a deletion policy", "    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n", "", "DeletionPolicy"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(string(source), c.old) {
				t.Fatalf("template.yaml no longer contains %q: update the case", c.old)
			}
			broken := filepath.Join(t.TempDir(), "template.yaml")
			if err := os.WriteFile(broken, []byte(strings.Replace(string(source), c.old, c.new, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := cfnLint(t, broken, "--include-checks", "I")
			if err == nil {
				t.Fatalf("cfn-lint accepted the broken copy:\n%s", out)
			}
			if !strings.Contains(out, c.mentions) {
				t.Errorf("cfn-lint's findings do not mention %q:\n%s", c.mentions, out)
			}
		})
	}
}
