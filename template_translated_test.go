package calltaxi_test

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

// translated is template.yaml after the AWS SAM translator (scripts/sam-translate.py runs the same
// translator `sam deploy` and cfn-lint use): what CloudFormation will actually create.
type translated struct {
	Resources map[string]struct {
		Type       string         `json:"Type"`
		Properties map[string]any `json:"Properties"`
	} `json:"Resources"`
}

// translation is one translation of the template, made once however many parallel tests ask for it.
type translation struct {
	once sync.Once
	tr   *translated
	err  error
}

var translations sync.Map // parameter overrides → *translation

func translate(t *testing.T, overrides ...string) *translated {
	t.Helper()
	python := awsTool(t, "python3")
	if err := exec.Command(python, "-c", "import samtranslator, cfnlint").Run(); err != nil {
		awsTool(t, "samtranslator (python module of cfn-lint)")
	}
	v, _ := translations.LoadOrStore(strings.Join(overrides, " "), &translation{})
	x := v.(*translation)
	x.once.Do(func() {
		out, err := exec.Command(python, append([]string{"scripts/sam-translate.py", templateFile}, overrides...)...).Output()
		if err != nil {
			msg := ""
			if ee, ok := err.(*exec.ExitError); ok {
				msg = string(ee.Stderr)
			}
			x.err = fmt.Errorf("translate %s: %w\n%s", templateFile, err, msg)
			return
		}
		var tr translated
		if err := json.Unmarshal(out, &tr); err != nil {
			x.err = fmt.Errorf("translated template is not JSON: %w", err)
			return
		}
		x.tr = &tr
	})
	if x.err != nil {
		t.Fatal(x.err)
	}
	return x.tr
}

func (tr *translated) ofType(typ string) []string {
	var ids []string
	for id, r := range tr.Resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// aliasRef is the function whose live alias v references ({"Ref": "<Fn>Aliaslive"}), or "".
func aliasRef(v any) string {
	ref, _ := asMap(v)["Ref"].(string)
	fn, ok := strings.CutSuffix(ref, "Aliaslive")
	if !ok {
		return ""
	}
	return fn
}

var subRefs = regexp.MustCompile(`\$\{([A-Za-z0-9]+)(?:\.[A-Za-z]+)?\}`)

// references lists the logical ids a value names through Ref, Fn::GetAtt and ${X} in Fn::Sub.
func references(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			switch k {
			case "Ref":
				if s, ok := child.(string); ok && !strings.HasPrefix(s, "AWS::") {
					out = append(out, s)
				}
			case "Fn::GetAtt":
				if l, ok := child.([]any); ok && len(l) > 0 {
					out = append(out, fmt.Sprint(l[0]))
				}
			case "Fn::Sub":
				s, _ := child.(string)
				if l, ok := child.([]any); ok && len(l) > 0 {
					s, _ = l[0].(string)
				}
				for _, m := range subRefs.FindAllStringSubmatch(s, -1) {
					if !strings.HasPrefix(m[1], "AWS") {
						out = append(out, m[1])
					}
				}
			default:
				out = append(out, references(child)...)
			}
		}
	case []any:
		for _, child := range x {
			out = append(out, references(child)...)
		}
	}
	return out
}

// Every trigger reaches the code through the `live` alias, so a canary deploy (DeploymentPreference)
// shifts every kind of traffic: event source mappings, API Gateway integrations and their invoke
// permissions, and EventBridge rule targets that are functions.
func TestTranslatedTriggersTargetTheLiveAlias(t *testing.T) {
	t.Parallel()
	tr := translate(t)
	checked := 0
	for _, id := range tr.ofType("AWS::Lambda::EventSourceMapping") {
		checked++
		if aliasRef(tr.Resources[id].Properties["FunctionName"]) == "" {
			t.Errorf("event source mapping %s invokes %v, not a live alias", id, tr.Resources[id].Properties["FunctionName"])
		}
	}
	for _, id := range tr.ofType("AWS::Lambda::Permission") {
		checked++
		if aliasRef(tr.Resources[id].Properties["FunctionName"]) == "" {
			t.Errorf("permission %s is on %v, not a live alias", id, tr.Resources[id].Properties["FunctionName"])
		}
	}
	for _, id := range tr.ofType("AWS::ApiGatewayV2::Api") {
		paths := asMap(asMap(tr.Resources[id].Properties["Body"])["paths"])
		for path, methods := range paths {
			for method, op := range asMap(methods) {
				checked++
				uri := asMap(asMap(op)["x-amazon-apigateway-integration"])["uri"]
				refs := references(uri)
				if len(refs) != 1 || !strings.HasSuffix(refs[0], "Aliaslive") {
					t.Errorf("%s %s %s integrates %v, not a live alias", id, method, path, uri)
				}
			}
		}
	}
	for _, id := range tr.ofType("AWS::Cognito::UserPool") {
		config := asMap(tr.Resources[id].Properties["LambdaConfig"])
		for _, trigger := range sortedKeys(config) {
			checked++
			if aliasRef(config[trigger]) == "" {
				t.Errorf("user pool %s %s trigger invokes %v, not a live alias", id, trigger, config[trigger])
			}
		}
	}
	for _, id := range tr.ofType("AWS::Events::Rule") {
		for _, target := range valueList(tr.Resources[id].Properties["Targets"]) {
			for _, ref := range references(asMap(target)["Arn"]) {
				if tr.Resources[ref].Type == "AWS::Lambda::Function" {
					t.Errorf("rule %s targets function %s directly, not its live alias", id, ref)
				}
			}
		}
	}
	if checked < 20 {
		t.Errorf("checked only %d triggers", checked)
	}
}

// A stream mapping's on-failure destination is written by the Lambda service with the function's role
// (Lambda guide "Retaining discarded batches"): the role must be allowed sqs:SendMessage on it.
func TestTranslatedOnFailureDestinationsAreWritable(t *testing.T) {
	t.Parallel()
	tr := translate(t)
	for _, id := range tr.ofType("AWS::Lambda::EventSourceMapping") {
		props := tr.Resources[id].Properties
		dest := asMap(asMap(props["DestinationConfig"])["OnFailure"])["Destination"]
		if dest == nil {
			continue
		}
		queue := references(dest)
		fn := aliasRef(props["FunctionName"])
		if len(queue) != 1 || !roleAllows(tr, fn+"Role", "sqs:SendMessage", queue[0]) {
			t.Errorf("%s sends failures to %v, but %sRole may not sqs:SendMessage there", id, queue, fn)
		}
	}
}

func roleAllows(tr *translated, role, action, resource string) bool {
	for _, st := range roleStatements(tr, role) {
		if slices.Contains(stringList(st["Action"]), action) && slices.Contains(references(st["Resource"]), resource) {
			return true
		}
	}
	return false
}

// roleStatements are the statements of a role's inline policies and of the AWS::IAM::Policy resources
// attached to it.
func roleStatements(tr *translated, role string) []map[string]any {
	docs := []any{}
	for _, p := range valueList(tr.Resources[role].Properties["Policies"]) {
		docs = append(docs, asMap(p)["PolicyDocument"])
	}
	for _, id := range tr.ofType("AWS::IAM::Policy") {
		props := tr.Resources[id].Properties
		if slices.ContainsFunc(valueList(props["Roles"]), func(r any) bool { return asMap(r)["Ref"] == role }) {
			docs = append(docs, props["PolicyDocument"])
		}
	}
	var out []map[string]any
	for _, doc := range docs {
		for _, st := range valueList(asMap(doc)["Statement"]) {
			out = append(out, asMap(st))
		}
	}
	return out
}

// Every statement of a function's role names only resources that function is wired to in template.yaml
// (its environment, its event sources and their destinations) — never another context's table or queue.
func TestTranslatedRolesReachOnlyTheirFunctionsResources(t *testing.T) {
	t.Parallel()
	tr := translate(t)
	src := loadRepo(t, ".").tpl
	for _, fn := range src.functions() {
		props := src.functionProperties(fn)
		wired := map[string]bool{}
		for _, ref := range append(references(props["Environment"]), references(props["Events"])...) {
			wired[ref] = true
			wired[ref+"Aliaslive"] = true // !Ref Fn.Alias
		}
		for ref := range wired {
			if base, ok := strings.CutSuffix(ref, ".Alias"); ok {
				wired[base+"Aliaslive"] = true
			}
		}
		for _, st := range roleStatements(tr, fn+"Role") {
			for _, ref := range references(st["Resource"]) {
				if !wired[ref] {
					t.Errorf("%sRole statement %v names %s, which %s is not wired to", fn, st["Sid"], ref, fn)
				}
			}
		}
	}
}

// Configuration that takes effect: a changed parameter must reach the code behind `live`. SAM names a
// published version by hashing the unresolved function properties, so a value passed in Environment never
// makes a new version; values that must change at run time are read from Parameter Store instead, and the
// environment holds only their names — identical for every parameter value.
func TestTranslatedParameterChangeReachesLive(t *testing.T) {
	t.Parallel()
	runtimeConfig := []string{"MinTaxiPrice", "PaymentGatewayUrl", "SmsSenderId"}
	before, after := translate(t), translate(t, "MinTaxiPrice=5000", "PaymentGatewayUrl=https://pay.example.com", "SmsSenderId=OtherTaxi")
	for _, fn := range loadRepo(t, ".").tpl.functions() {
		env := asMap(asMap(before.Resources[fn].Properties["Environment"])["Variables"])
		for name, v := range env {
			for _, param := range runtimeConfig {
				if slices.Contains(references(v), param) {
					t.Errorf("%s reads %s from its environment (%s): a change would update $LATEST but never `live`", fn, param, name)
				}
			}
		}
	}
	// Each value reaches the code through its SSM parameter, which the new value updates in place, and
	// which the function that names it may read.
	readers := map[string]string{}
	for _, id := range before.ofType("AWS::SSM::Parameter") {
		refs := references(before.Resources[id].Properties["Value"])
		if len(refs) != 1 || !slices.Contains(runtimeConfig, refs[0]) {
			continue
		}
		if a, b := before.Resources[id].Properties["Name"], after.Resources[id].Properties["Name"]; fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("%s: the Name changes with the value (%v → %v): CloudFormation would replace it", id, a, b)
		}
		for _, fn := range before.ofType("AWS::Lambda::Function") {
			env := asMap(asMap(before.Resources[fn].Properties["Environment"])["Variables"])
			for _, v := range env {
				if slices.Contains(references(v), id) {
					readers[refs[0]] = fn
					if !roleAllows(before, fn+"Role", "ssm:GetParameter", id) {
						t.Errorf("%s names %s in its environment, but %sRole may not ssm:GetParameter it", fn, id, fn)
					}
				}
			}
		}
	}
	for _, param := range runtimeConfig {
		if readers[param] == "" {
			t.Errorf("no function reads %s through an AWS::SSM::Parameter named in its environment", param)
		}
	}
}
