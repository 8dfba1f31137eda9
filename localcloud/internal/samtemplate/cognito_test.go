package samtemplate

import (
	"reflect"
	"strings"
	"testing"
)

func TestUserPoolsGroupsAndTriggers(t *testing.T) {
	tpl := loadFixture(t, "cognito.yaml", Options{})
	want := map[string]*UserPool{
		"Pool": {LogicalID: "Pool", ID: "us-east-1_localPool", Arn: "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_localPool",
			Groups:   []string{"admins", "customers"},
			Triggers: map[string]string{"PreSignUp": "call-taxi-SignUp", "PostConfirmation": "call-taxi-SignUp"}},
		"LegacyPool": {LogicalID: "LegacyPool", ID: "us-east-1_localLegacyPool", Arn: "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_localLegacyPool",
			Triggers: map[string]string{"PreSignUp": "call-taxi-Direct", "PostConfirmation": "call-taxi-Direct"}},
	}
	if !reflect.DeepEqual(tpl.UserPools, want) {
		for id := range want {
			t.Errorf("%s\n got %+v\nwant %+v", id, tpl.UserPools[id], want[id])
		}
	}
	if !containsLine(tpl.Unsupported, "LambdaConfig.KMSKeyID: only triggers that name a function are emulated (LegacyPool)") {
		t.Errorf("KMSKeyID not reported unsupported: %v", tpl.Unsupported)
	}
}

func TestCognitoEventErrors(t *testing.T) {
	const head = "Resources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n  Fn:\n    Type: AWS::Serverless::Function\n" +
		"    Properties:\n      CodeUri: .\n      Handler: bootstrap\n      Runtime: provided.al2023\n      Events:\n        E:\n          Type: Cognito\n          Properties:\n"
	cases := []struct{ name, props, wantErr string }{
		{"no pool", "            Trigger: PostConfirmation\n", "Fn.Properties.Events.E.Properties.UserPool"},
		{"not a pool of the template", "            UserPool: us-east-1_other\n            Trigger: PostConfirmation\n", "is not a user pool of this template"},
		{"unknown trigger", "            UserPool: !Ref Pool\n            Trigger: PostConfirm\n", `"PostConfirm" is not a user pool Lambda trigger`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(head+c.props), Options{})
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("err = %v, want it to mention %q", err, c.wantErr)
			}
		})
	}
}

func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}
