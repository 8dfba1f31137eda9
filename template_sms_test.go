package calltaxi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// smsTranslateScript turns template.yaml into the CloudFormation template `sam deploy` would submit, with
// the SAM translator cfn-lint ships (no AWS call: no SAM policy template or managed policy name is used).
const smsTranslateScript = `
import json, sys
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse
class NoManagedPolicies:
    def load(self):
        return {}
with open(sys.argv[1]) as f:
    template = yaml_parse(f.read())
for res_id, res in template["Resources"].items():
    if res.get("Type") == "AWS::Serverless::Function":  # what sam package uploads
        res.setdefault("Properties", {})["CodeUri"] = "s3://bucket/" + res_id + ".zip"
print(json.dumps(transform(template, {}, NoManagedPolicies())))
`

var smsTranslated = sync.OnceValues(func() (map[string]any, error) {
	cmd := exec.Command("python3", "-c", smsTranslateScript, templateFile)
	// The translator needs a region for its pseudo parameters: samconfig.toml's (Seoul).
	cmd.Env = append(os.Environ(), "AWS_DEFAULT_REGION=ap-northeast-2")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, &smsTranslateError{err: err, stderr: stderr.String()}
	}
	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, err
	}
	return doc, nil
})

type smsTranslateError struct {
	err    error
	stderr string
}

func (e *smsTranslateError) Error() string { return e.err.Error() + ": " + e.stderr }

// smsTranslatedTemplate skips where the SAM translator is not installed, except in CI.
func smsTranslatedTemplate(t *testing.T) map[string]any {
	t.Helper()
	if err := exec.Command("python3", "-c", "import samtranslator").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the SAM translator (python3 -m pip install cfn-lint) is required in CI: %v", err)
		}
		t.Skipf("the SAM translator is not installed (python3 -m pip install cfn-lint): %v", err)
	}
	doc, err := smsTranslated()
	if err != nil {
		t.Fatalf("translate %s: %v", templateFile, err)
	}
	return doc
}

// smsRegionExpr is what NotifyFunction's SNS calls target: SmsRegion, else the stack's region when SNS
// sends SMS there, else Tokyo.
var smsRegionExpr = map[string]any{"Fn::If": []any{"HasSmsRegion", map[string]any{"Ref": "SmsRegion"},
	map[string]any{"Fn::If": []any{"StackRegionSendsSms", map[string]any{"Ref": "AWS::Region"}, "ap-northeast-1"}}}}

func smsJSONEqual(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// In the template CloudFormation receives, NotifyFunction's SNS client is configured for the SMS region,
// the only SNS permissions in the stack are NotifyFunction's, and they allow exactly that region.
func TestNotifySendsSMSFromTheSMSRegion(t *testing.T) {
	t.Parallel()
	doc := smsTranslatedTemplate(t)
	resources := asMap(doc["Resources"])
	env := asMap(asMap(asMap(asMap(resources["NotifyFunction"])["Properties"])["Environment"])["Variables"])
	if !smsJSONEqual(env["SMS_REGION"], smsRegionExpr) {
		t.Errorf("NotifyFunction SMS_REGION = %s, want %s", smsJSON(env["SMS_REGION"]), smsJSON(smsRegionExpr))
	}
	src, err := os.ReadFile("functions/notify/main.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), `envcfg.Required("SMS_REGION")`) || !strings.Contains(string(src), "o.Region = smsRegion") {
		t.Error("functions/notify/main.go does not build its SNS client for SMS_REGION")
	}

	snsStatements := 0
	for id, res := range resources {
		res := asMap(res)
		if res["Type"] != "AWS::IAM::Role" {
			continue
		}
		for _, arn := range valueList(asMap(res["Properties"])["ManagedPolicyArns"]) {
			if strings.Contains(strings.ToLower(smsJSON(arn)), "sns") {
				t.Errorf("%s has a managed policy that may reach SNS: %s", id, smsJSON(arn))
			}
		}
		for _, policy := range valueList(asMap(res["Properties"])["Policies"]) {
			for _, st := range valueList(asMap(asMap(policy)["PolicyDocument"])["Statement"]) {
				st := asMap(st)
				actions := stringList(st["Action"])
				if !strings.Contains(strings.Join(actions, ","), "sns:") {
					continue
				}
				snsStatements++
				if id != "NotifyFunctionRole" {
					t.Errorf("%s may call SNS (%v): only NotifyFunction sends SMS", id, actions)
					continue
				}
				if st["Effect"] != "Allow" || !reflect.DeepEqual(actions, []string{"sns:Publish", "sns:CheckIfPhoneNumberIsOptedOut"}) {
					t.Errorf("NotifyFunctionRole SNS statement %s", smsJSON(st))
				}
				cond := asMap(st["Condition"])
				if len(cond) != 1 || len(asMap(cond["StringEquals"])) != 1 || !smsJSONEqual(asMap(cond["StringEquals"])["aws:RequestedRegion"], smsRegionExpr) {
					t.Errorf("NotifyFunctionRole's SNS statement is not limited to the SMS region: %s", smsJSON(st["Condition"]))
				}
			}
		}
	}
	if snsStatements != 1 {
		t.Errorf("found %d SNS statements, want NotifyFunctionRole's one", snsStatements)
	}

	// The expression, evaluated as CloudFormation does for some stacks.
	conditions := asMap(doc["Conditions"])
	for _, c := range []struct{ stackRegion, smsRegion, want string }{
		{"ap-northeast-2", "", "ap-northeast-1"}, // Seoul: no SMS from SNS there
		{"ap-east-1", "", "ap-northeast-1"},      // Hong Kong: likewise
		{"us-east-1", "", "us-east-1"},           // the local cloud's region
		{"ap-northeast-1", "", "ap-northeast-1"},
		{"eu-west-1", "", "eu-west-1"},
		{"ap-northeast-2", "ap-southeast-1", "ap-southeast-1"},
	} {
		ev := smsCondEval{conditions: conditions, refs: map[string]string{"AWS::Region": c.stackRegion, "SmsRegion": c.smsRegion}}
		if got := ev.value(t, smsRegionExpr); got != c.want {
			t.Errorf("stack in %s, SmsRegion %q: SMS from %s, want %s", c.stackRegion, c.smsRegion, got, c.want)
		}
	}
}

// The sender's share of the SMS rate assumes the mapping's MaximumConcurrency.
func TestNotifySenderConcurrencyMatchesItsMapping(t *testing.T) {
	t.Parallel()
	doc := smsTranslatedTemplate(t)
	resources := asMap(doc["Resources"])
	env := asMap(asMap(asMap(asMap(resources["NotifyFunction"])["Properties"])["Environment"])["Variables"])
	found := false
	for _, res := range resources {
		props := asMap(asMap(res)["Properties"])
		if asMap(res)["Type"] != "AWS::Lambda::EventSourceMapping" || !strings.Contains(smsJSON(props["EventSourceArn"]), "NotifySmsQueue") {
			continue
		}
		found = true
		if got := fmt.Sprint(asMap(props["ScalingConfig"])["MaximumConcurrency"]); got != fmt.Sprint(env["SMS_SENDER_CONCURRENCY"]) {
			t.Errorf("MaximumConcurrency %s, SMS_SENDER_CONCURRENCY %v", got, env["SMS_SENDER_CONCURRENCY"])
		}
		if !strings.Contains(smsJSON(props["FunctionResponseTypes"]), "ReportBatchItemFailures") {
			t.Error("the SMS queue mapping does not report partial batch failures")
		}
	}
	if !found {
		t.Fatal("no event source mapping on NotifySmsQueue")
	}
}

func smsJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// smsCondEval evaluates Ref, Fn::If, Fn::Equals, Fn::Not, Fn::Or, Fn::And and Condition over parameter values.
type smsCondEval struct {
	conditions map[string]any
	refs       map[string]string
}

func (e smsCondEval) value(t *testing.T, v any) string {
	t.Helper()
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		if ref, ok := x["Ref"].(string); ok {
			return e.refs[ref]
		}
		if args := asSlice(x["Fn::If"]); len(args) == 3 {
			if e.condition(t, asString(args[0])) {
				return e.value(t, args[1])
			}
			return e.value(t, args[2])
		}
	}
	t.Fatalf("cannot evaluate %s", smsJSON(v))
	return ""
}

func (e smsCondEval) condition(t *testing.T, name string) bool {
	t.Helper()
	expr, ok := e.conditions[name]
	if !ok {
		t.Fatalf("no condition %s", name)
	}
	return e.truth(t, expr)
}

func (e smsCondEval) truth(t *testing.T, v any) bool {
	t.Helper()
	x := asMap(v)
	switch {
	case x["Condition"] != nil:
		return e.condition(t, asString(x["Condition"]))
	case x["Fn::Equals"] != nil:
		args := asSlice(x["Fn::Equals"])
		return e.value(t, args[0]) == e.value(t, args[1])
	case x["Fn::Not"] != nil:
		return !e.truth(t, asSlice(x["Fn::Not"])[0])
	case x["Fn::Or"] != nil:
		for _, c := range asSlice(x["Fn::Or"]) {
			if e.truth(t, c) {
				return true
			}
		}
		return false
	case x["Fn::And"] != nil:
		for _, c := range asSlice(x["Fn::And"]) {
			if !e.truth(t, c) {
				return false
			}
		}
		return true
	}
	t.Fatalf("cannot evaluate condition %s", smsJSON(v))
	return false
}
