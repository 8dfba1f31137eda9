package samtemplate

import (
	"testing"
)

var testOptions = Options{StackName: "demo", Region: "eu-west-1", AccountID: "123456789012"}

func loadFixture(t *testing.T, name string, opts Options) *Template {
	t.Helper()
	tpl, err := Load("testdata/"+name, opts)
	if err != nil {
		t.Fatalf("Load %s: %v", name, err)
	}
	return tpl
}

func TestIntrinsicsResolveToLocalNames(t *testing.T) {
	env := loadFixture(t, "intrinsics.yaml", testOptions).Functions["Fn"].Env
	const (
		tableArn = "arn:aws:dynamodb:eu-west-1:123456789012:table/demo-things"
		fnArn    = "arn:aws:lambda:eu-west-1:123456789012:function:demo-Fn"
		poolID   = "eu-west-1_local"
	)
	tests := []struct{ variable, want string }{
		{"REF_PARAM", "dev"},
		{"REF_LONG", "dev"},
		{"REF_NUMBER_PARAM", "3"},
		{"REF_TABLE", "demo-things"},
		{"REF_PLAIN_TABLE", "demo-PlainTable"},
		{"REF_QUEUE", "http://localhost/123456789012/q1"},
		{"REF_FIFO_QUEUE", "http://localhost/123456789012/demo-OrderedQueue.fifo"},
		{"REF_BUS", "demo-bus"},
		{"REF_FUNCTION", "demo-Fn"},
		{"REF_ALIAS", fnArn + ":live"},
		{"REF_GENERATED_ALIAS", fnArn + ":live"},
		{"REF_POOL", poolID},
		{"REF_POOL_CLIENT", "localPoolClient"},
		{"REF_TOPIC", "arn:aws:sns:eu-west-1:123456789012:alerts"},
		{"REF_API", "api"},
		{"REF_ROLE", "demo-FnRole"},
		{"REGION", "eu-west-1"},
		{"ACCOUNT", "123456789012"},
		{"STACK", "demo"},
		{"STACK_ID", "arn:aws:cloudformation:eu-west-1:123456789012:stack/demo/00000000-0000-0000-0000-000000000000"},
		{"PARTITION", "aws"},
		{"URL_SUFFIX", "amazonaws.com"},
		{"GETATT_TABLE_ARN", tableArn},
		{"GETATT_STREAM_LIST_FORM", tableArn + "/stream/" + StreamLabel},
		{"GETATT_LONG_FORM", "arn:aws:events:eu-west-1:123456789012:event-bus/demo-bus"},
		{"GETATT_BUS_NAME", "demo-bus"},
		{"GETATT_QUEUE_ARN", "arn:aws:sqs:eu-west-1:123456789012:q1"},
		{"GETATT_QUEUE_URL", "http://localhost/123456789012/q1"},
		{"GETATT_QUEUE_NAME", "q1"},
		{"GETATT_FUNCTION_ARN", fnArn},
		{"GETATT_POOL_ARN", "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/" + poolID},
		{"GETATT_POOL_PROVIDER_URL", "https://cognito-idp.eu-west-1.amazonaws.com/" + poolID},
		{"GETATT_POOL_PROVIDER_NAME", "cognito-idp.eu-west-1.amazonaws.com/" + poolID},
		{"GETATT_TOPIC_ARN", "arn:aws:sns:eu-west-1:123456789012:alerts"},
		{"GETATT_ROLE_ARN", "arn:aws:iam::123456789012:role/demo-FnRole"},
		{"GETATT_API_ENDPOINT", "https://api.execute-api.eu-west-1.amazonaws.com"},
		{"SUB_PSEUDO", "eu-west-1/123456789012/demo/aws/amazonaws.com"},
		{"SUB_REFS", "dev/demo-things/" + tableArn + "/" + fnArn + ":live/${Literal}/dev"},
		{"SUB_VARS", "demo-things-dev-hello"},
		{"SUB_LONG", "x-dev"},
		{"JOIN", "a,dev,3"},
		{"JOIN_LIST_PARAM", "a|b|c"},
		{"SELECT", "b"},
		{"SELECT_STRING_INDEX", "first"},
		{"SELECT_SPLIT", "c"},
		{"IF_TRUE", "yes-dev"},
		{"IF_FALSE", "no-prod"},
		{"IF_NOT", "not-prod"},
		{"IF_AND", "and-true"},
		{"IF_OR", "or-true"},
		{"IF_LONG", "long-true"},
		{"IF_GUARDS_EXCLUDED", "guarded"},
		{"FIND_IN_MAP", "small"},
		{"FIND_IN_MAP_NUMBER", "5"},
		{"FIND_IN_MAP_DEFAULT", "tiny"},
		{"GET_AZS", "eu-west-1a"},
		{"BASE64", "aGk="},
		{"TO_JSON", `{"a":[1,">"],"b":"dev"}`},
		{"LENGTH", "2"},
		{"NUMBER", "42"},
		{"BOOL", "true"},
	}
	for _, tt := range tests {
		t.Run(tt.variable, func(t *testing.T) {
			got, ok := env[tt.variable]
			if !ok {
				t.Fatalf("%s not set", tt.variable)
			}
			if got != tt.want {
				t.Errorf("%s = %q, want %q", tt.variable, got, tt.want)
			}
		})
	}
	if v, ok := env["NO_VALUE"]; ok {
		t.Errorf("AWS::NoValue should remove the variable, got %q", v)
	}
}

func TestConditionsFollowParameterOverrides(t *testing.T) {
	// With Stage=prod the IsProd branches flip and the conditional queue exists.
	opts := testOptions
	opts.ParameterOverrides = map[string]string{"Stage": "prod"}
	tpl := loadFixture(t, "intrinsics.yaml", opts)
	env := tpl.Functions["Fn"].Env
	tests := []struct{ variable, want string }{
		{"IF_TRUE", "no-dev"},
		{"IF_FALSE", "yes-prod"},
		{"IF_AND", "and-false"},
		{"IF_OR", "or-true"},
		{"IF_GUARDS_EXCLUDED", "http://localhost/123456789012/demo-ProdOnlyQueue"},
		{"FIND_IN_MAP", "large"},
		{"NO_VALUE", "present"},
	}
	for _, tt := range tests {
		if got := env[tt.variable]; got != tt.want {
			t.Errorf("%s = %q, want %q", tt.variable, got, tt.want)
		}
	}
	if _, ok := tpl.Queues["ProdOnlyQueue"]; !ok {
		t.Error("ProdOnlyQueue should exist when IsProd holds")
	}
}

func TestExcludedResourcesAreAbsent(t *testing.T) {
	tpl := loadFixture(t, "intrinsics.yaml", testOptions)
	if _, ok := tpl.Queues["ProdOnlyQueue"]; ok {
		t.Error("ProdOnlyQueue has a false Condition and must not be in Queues")
	}
	if q := tpl.Queues["OrderedQueue"]; q == nil || q.Name != "demo-OrderedQueue.fifo" {
		t.Errorf("OrderedQueue = %+v, want name demo-OrderedQueue.fifo", q)
	}
}

func TestDefaultOptions(t *testing.T) {
	tpl := loadFixture(t, "intrinsics.yaml", Options{})
	if tpl.StackName != "call-taxi" || tpl.Region != "us-east-1" || tpl.AccountID != "000000000000" {
		t.Errorf("defaults = %s %s %s", tpl.StackName, tpl.Region, tpl.AccountID)
	}
	fn := tpl.Functions["Fn"]
	if fn.Name != "call-taxi-Fn" || fn.Arn != "arn:aws:lambda:us-east-1:000000000000:function:call-taxi-Fn" {
		t.Errorf("function name/arn = %s %s", fn.Name, fn.Arn)
	}
	if fn.Env["REF_POOL"] != "us-east-1_local" {
		t.Errorf("pool id = %s", fn.Env["REF_POOL"])
	}
	if tpl.Dir == "" {
		t.Error("Load should set Dir")
	}
}
