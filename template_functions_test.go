package calltaxi_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
)

// sharedFolders are the functions built from another context's folder (the Makefile's FOLDER_<name>):
// one bounded context deployed as several functions.
var sharedFolders = map[string]string{"PaymentRecordsFunction": "payment"}

// functionFolder is the folder under functions/ that holds a function's main package:
// OrderFunction → order, MyPageFunction → mypage, PaymentRecordsFunction → payment.
func functionFolder(logicalID string) string {
	if folder, ok := sharedFolders[logicalID]; ok {
		return folder
	}
	return strings.ToLower(strings.TrimSuffix(logicalID, "Function"))
}

// folderFunctions groups the template's functions by the folder they are built from.
func (r *repoUnderTest) folderFunctions() map[string][]string {
	byFolder := map[string][]string{}
	for _, id := range r.tpl.functions() {
		byFolder[functionFolder(id)] = append(byFolder[functionFolder(id)], id)
	}
	return byFolder
}

// requiredFunctionProperties are the values every function must end up with after Globals.
var requiredFunctionProperties = []struct {
	property string
	want     any
}{
	{"Runtime", "provided.al2023"},
	{"Architectures", []any{"arm64"}},
	{"Handler", "bootstrap"},
	{"CodeUri", "."},
}

// checkFunctionShape: every function is a provided.al2023 arm64 bootstrap built by the Makefile
// from functions/<folder>, and a DeploymentPreference has an alias to shift.
func checkFunctionShape(r *repoUnderTest) []string {
	var problems []string
	for _, id := range r.tpl.functions() {
		props := r.tpl.functionProperties(id)
		for _, req := range requiredFunctionProperties {
			if got := props[req.property]; !reflect.DeepEqual(got, req.want) {
				problems = append(problems, fmt.Sprintf("%s: %s is %v, want %v", id, req.property, got, req.want))
			}
		}
		if got := asMap(r.tpl.resources[id]["Metadata"])["BuildMethod"]; got != "makefile" {
			problems = append(problems, fmt.Sprintf("%s: Metadata.BuildMethod is %v, want makefile", id, got))
		}
		if props["DeploymentPreference"] != nil && asString(props["AutoPublishAlias"]) == "" {
			problems = append(problems, fmt.Sprintf("%s: DeploymentPreference without AutoPublishAlias", id))
		}
		mainGo := filepath.Join("functions", functionFolder(id), "main.go")
		if _, err := os.Stat(filepath.Join(r.root, mainGo)); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %s is missing: %v", id, mainGo, err))
		}
		if problem := checkMakefileBuilds(r.root, id); problem != "" {
			problems = append(problems, problem)
		}
	}
	return problems
}

// checkMakefileBuilds asks make (dry run) what build-<id> does, the way `sam build` calls it.
func checkMakefileBuilds(root, id string) string {
	const artifacts = "/sam-artifacts"
	cmd := exec.Command("make", "--dry-run", "--no-print-directory", "build-"+id, "ARTIFACTS_DIR="+artifacts)
	cmd.Dir = root
	cmd.Env = withoutMakeOverrides(os.Environ())
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Sprintf("%s: make build-%s: %v: %s", id, id, err, out)
	}
	for _, want := range []string{
		"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0", "-tags lambda.norpc",
		"-o " + artifacts + "/bootstrap", "./functions/" + functionFolder(id),
	} {
		if !strings.Contains(string(out), want) {
			return fmt.Sprintf("%s: make build-%s does not run %q:\n%s", id, id, want, out)
		}
	}
	return ""
}

// withoutMakeOverrides drops variables that would override the Makefile's defaults.
func withoutMakeOverrides(env []string) []string {
	var kept []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "LAMBDA_GOOS", "LAMBDA_GOARCH", "ARTIFACTS_DIR", "MAKEFLAGS":
			continue
		}
		kept = append(kept, kv)
	}
	return kept
}

// checkEveryFolderDeployed: each folder under functions/ is some function's code.
func checkEveryFolderDeployed(r *repoUnderTest) []string {
	entries, err := os.ReadDir(filepath.Join(r.root, "functions"))
	if err != nil {
		return []string{fmt.Sprintf("functions/: %v", err)}
	}
	deployed := map[string]bool{}
	for _, id := range r.tpl.functions() {
		deployed[functionFolder(id)] = true
	}
	var problems []string
	for _, e := range entries {
		if e.IsDir() && !deployed[e.Name()] {
			problems = append(problems, fmt.Sprintf("functions/%s: no AWS::Serverless::Function builds it", e.Name()))
		}
	}
	return problems
}

// checkStreamSources: a DynamoDB event reads the StreamArn of a table that has a stream.
func checkStreamSources(r *repoUnderTest) []string {
	var problems []string
	for _, id := range r.tpl.functions() {
		events := r.tpl.functionEvents(id, "DynamoDB")
		for _, name := range sortedKeys(events) {
			ev := events[name]
			getAtt := asSlice(asMap(ev["Stream"])["Fn::GetAtt"])
			if len(getAtt) != 2 || getAtt[1] != "StreamArn" {
				problems = append(problems, fmt.Sprintf("%s.Events.%s: Stream must be !GetAtt <Table>.StreamArn", id, name))
				continue
			}
			table := asString(getAtt[0])
			spec := asMap(asMap(r.tpl.resources[table]["Properties"])["StreamSpecification"])
			if asString(spec["StreamViewType"]) == "" {
				problems = append(problems, fmt.Sprintf("%s.Events.%s: table %s has no StreamSpecification", id, name, table))
			}
			if asMap(asMap(ev["DestinationConfig"])["OnFailure"])["Destination"] == nil {
				problems = append(problems, fmt.Sprintf("%s.Events.%s: no DestinationConfig.OnFailure queue", id, name))
			}
		}
	}
	return problems
}
