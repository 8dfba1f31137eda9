package samtemplate

import (
	"reflect"
	"strings"
	"testing"
)

// AWS::SSM::Parameter: Ref is the parameter's Name (CloudFormation generates one when Name is absent),
// Fn::GetAtt gives Type and Value; the initial value comes from the stack's parameters.
func TestSSMParameters(t *testing.T) {
	tpl := loadFixture(t, "ssm.yaml", Options{StackName: "call-taxi", ParameterOverrides: map[string]string{"MinTaxiPrice": "5000"}})
	want := map[string]*SSMParameter{
		"MinTaxiPriceParameter": {LogicalID: "MinTaxiPriceParameter", Name: "/call-taxi/min-taxi-price",
			Arn: "arn:aws:ssm:us-east-1:000000000000:parameter/call-taxi/min-taxi-price", Type: "String", Value: "5000",
			Description: "fare floor", AllowedPattern: "^[0-9]+$"},
		"Grades": {LogicalID: "Grades", Name: "call-taxi-Grades", Arn: "arn:aws:ssm:us-east-1:000000000000:parameter/call-taxi-Grades",
			Type: "StringList", Value: "basic,prime,platinum"},
	}
	if !reflect.DeepEqual(tpl.SSMParameters, want) {
		for id := range want {
			t.Errorf("%s\n got %+v\nwant %+v", id, tpl.SSMParameters[id], want[id])
		}
	}
	env := tpl.Functions["Fn"].Env
	wantEnv := map[string]string{
		"MIN_TAXI_PRICE_PARAMETER": "/call-taxi/min-taxi-price",
		"MIN_TAXI_PRICE_ARN":       "arn:aws:ssm:us-east-1:000000000000:parameter/call-taxi/min-taxi-price",
		"GRADES":                   "basic,prime,platinum",
		"GRADES_TYPE":              "StringList",
		"GRADES_NAME":              "call-taxi-Grades",
	}
	for k, v := range wantEnv {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	if !containsLine(tpl.Unsupported, "Tier: parameter policies and tiers are not emulated (Grades)") {
		t.Errorf("Tier not reported: %v", tpl.Unsupported)
	}
	for _, line := range tpl.Unsupported {
		if strings.Contains(line, "AWS::SSM::Parameter") {
			t.Errorf("the parameters are emulated, yet: %s", line)
		}
	}
}

func TestSSMParameterErrors(t *testing.T) {
	cases := []struct{ name, props, wantErr string }{
		{"no value", "      Type: String\n", "P.Properties.Value: required property is missing"},
		{"no type", "      Value: x\n", "P.Properties.Type: required property is missing"},
		{"secure string", "      Type: SecureString\n      Value: x\n", "CloudFormation creates String or StringList parameters"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte("Resources:\n  P:\n    Type: AWS::SSM::Parameter\n    Properties:\n"+c.props), Options{})
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("err = %v, want it to mention %q", err, c.wantErr)
			}
		})
	}
}
