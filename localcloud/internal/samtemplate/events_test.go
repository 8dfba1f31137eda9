package samtemplate

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestHttpApiEvents(t *testing.T) {
	tpl := loadFixture(t, "events.yaml", Options{})
	want := []HttpRoute{
		{EventName: "Create", ApiLogicalID: "Api", Method: "POST", Path: "/things"},
		{EventName: "Implicit", ApiLogicalID: "ServerlessHttpApi", Method: "GET", Path: "/implicit"},
		{EventName: "Public", ApiLogicalID: "Api", Method: "GET", Path: "/health", Authorizer: "NONE"},
		{EventName: "Scoped", ApiLogicalID: "Api", Method: "DELETE", Path: "/things/{id}", Authorizer: "Jwt", AuthorizationScopes: []string{"admin"}},
	}
	if got := tpl.Functions["Fn"].HttpRoutes; !reflect.DeepEqual(got, want) {
		t.Errorf("HttpRoutes\n got %+v\nwant %+v", got, want)
	}
}

func TestHttpApiAuthAndCors(t *testing.T) {
	tpl := loadFixture(t, "events.yaml", Options{})
	want := &HttpApi{
		LogicalID: "Api", ApiID: "api", StageName: "prod", DefaultAuthorizer: "Jwt",
		Authorizers: map[string]*JWTAuthorizer{"Jwt": {
			Name:                "Jwt",
			Issuer:              "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_local",
			Audiences:           []string{"localPoolClient", "other"},
			IdentitySource:      "$request.header.X-Token",
			AuthorizationScopes: []string{"read"},
		}},
		CORS: &CORS{
			AllowOrigins: []string{"https://example.com"}, AllowMethods: []string{"GET", "POST"},
			AllowHeaders: []string{"authorization"}, ExposeHeaders: []string{"retry-after"},
			MaxAge: 600, AllowCredentials: true,
		},
	}
	if got := tpl.HttpApis["Api"]; !reflect.DeepEqual(got, want) {
		t.Errorf("Api\n got %+v\nwant %+v", got, want)
	}
	implicit := tpl.HttpApis["ServerlessHttpApi"]
	if implicit == nil || implicit.StageName != "$default" || len(implicit.Authorizers) != 0 || implicit.CORS != nil {
		t.Errorf("implicit API = %+v, want a bare $default API", implicit)
	}
}

func TestEventBridgeRuleEvents(t *testing.T) {
	tpl := loadFixture(t, "events.yaml", Options{})
	intPtr := func(n int) *int { return &n }
	durPtr := func(d time.Duration) *time.Duration { return &d }
	want := []EventRule{
		{EventName: "ArnBusRule", BusName: "domain", Pattern: json.RawMessage(`{"source":["app.arn"]}`),
			DeadLetterQueue: "call-taxi-NamedRuleDlq", RuleName: "call-taxi-FnArnBusRule", Enabled: true},
		{EventName: "DefaultBusRule", BusName: "default", Pattern: json.RawMessage(`{"source":["aws.ec2"]}`),
			DeadLetterQueue: "call-taxi-FnDefaultBusRuleQueue", RuleName: "call-taxi-FnDefaultBusRule", Enabled: false},
		{EventName: "FullRule", BusName: "domain",
			Pattern:       json.RawMessage(`{"detail":{"amount":[{"numeric":[">",100]}]},"source":["app.orders"]}`),
			RetryAttempts: intPtr(4), MaxEventAge: durPtr(2 * time.Minute),
			DeadLetterQueue: "fn-dlq", RuleName: "full-rule", Enabled: true},
	}
	got := tpl.Functions["Fn"].Rules
	if !reflect.DeepEqual(got, want) {
		gotJSON, _ := json.MarshalIndent(got, "", " ")
		t.Errorf("Rules\n got %s\nwant %+v", gotJSON, want)
	}
	for _, id := range []string{"NamedRuleDlq", "FnDefaultBusRuleQueue"} {
		if _, ok := tpl.Queues[id]; !ok {
			t.Errorf("SAM-generated dead-letter queue %s missing from Queues", id)
		}
	}
}

func TestDynamoDBStreamEvents(t *testing.T) {
	tpl := loadFixture(t, "events.yaml", Options{})
	three := 3
	want := []StreamEvent{
		{EventName: "MinimalStream", TableLogicalID: "Orders", TableName: "orders", BatchSize: 100,
			ParallelizationFactor: 1, StartingPosition: "LATEST", Enabled: false},
		{EventName: "OrdersStream", TableLogicalID: "Orders", TableName: "orders", BatchSize: 10,
			MaximumBatchingWindow: 2 * time.Second, ParallelizationFactor: 2, StartingPosition: "TRIM_HORIZON",
			Filters: []json.RawMessage{
				json.RawMessage(`{"eventName":["INSERT"]}`),
				json.RawMessage(`{"dynamodb":{"NewImage":{"status":{"S":["PAID"]}}}}`),
			},
			ReportBatchItemFailures: true, MaximumRetryAttempts: &three, BisectBatchOnFunctionError: true,
			OnFailureQueue: "fn-dlq", Enabled: true},
	}
	if got := tpl.Functions["Fn"].Streams; !reflect.DeepEqual(got, want) {
		gotJSON, _ := json.MarshalIndent(got, "", " ")
		t.Errorf("Streams\n got %s\nwant %+v", gotJSON, want)
	}
}

func TestEventInvokeConfig(t *testing.T) {
	tpl := loadFixture(t, "events.yaml", Options{})
	one, age := 1, 10*time.Minute
	want := &EventInvokeConfig{MaximumRetryAttempts: &one, MaximumEventAge: &age, OnFailureQueue: "fn-dlq"}
	if got := tpl.Functions["Fn"].EventInvoke; !reflect.DeepEqual(got, want) {
		t.Errorf("EventInvoke = %+v, want %+v", got, want)
	}
}

func TestEventsReportUnsupported(t *testing.T) {
	tpl := loadFixture(t, "events.yaml", Options{})
	want := []string{
		"AWS::Cognito::UserPool Pool: sign-in, passwords and e-mail are not emulated: JWTs are minted by the local issuer (POST /_local/signup runs the sign-up triggers)",
		"AWS::SNS::Topic Topic: no SNS topics locally",
		"Auth.Authorizers.Lambda: only JWT authorizers are emulated (Api)",
		"DefinitionBody: OpenAPI definitions are not read; routes come from function events (Api)",
		"DestinationConfig.OnFailure: only SQS on-failure destinations are emulated (Fn.MinimalStream)",
		"InputPath: rule input rewriting is not emulated; targets get the whole event (Fn.FullRule)",
		"PayloadFormatVersion 1.0: routes always send payload format 2.0 (Fn.Scoped)",
	}
	for _, line := range want {
		if !slices.Contains(tpl.Unsupported, line) {
			t.Errorf("Unsupported lacks %q", line)
		}
	}
	if !slices.IsSorted(tpl.Unsupported) {
		t.Error("Unsupported is not sorted")
	}
	for _, line := range tpl.Unsupported {
		if slices.Contains([]string{"Api", "Fn", "Orders", "Dlq", "Bus"}, line) {
			t.Errorf("emulated resource reported unsupported: %q", line)
		}
	}
}

// ParallelizationFactor is emulated (streams.processConcurrently) within the API's range, 1 to 10.
func TestStreamParallelizationFactorRange(t *testing.T) {
	const head = "Resources:\n  Orders:\n    Type: AWS::DynamoDB::Table\n    Properties:\n" +
		"      KeySchema: [{AttributeName: id, KeyType: HASH}]\n      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n" +
		"      StreamSpecification: {StreamViewType: NEW_IMAGE}\n" +
		"  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: .\n      Handler: bootstrap\n      Runtime: provided.al2023\n" +
		"      Events:\n        S:\n          Type: DynamoDB\n          Properties:\n            Stream: !GetAtt Orders.StreamArn\n" +
		"            StartingPosition: LATEST\n"
	cases := []struct {
		name, props string
		want        int
		wantErr     string
	}{
		{"absent", "", 1, ""},
		{"one", "            ParallelizationFactor: 1\n", 1, ""},
		{"ten", "            ParallelizationFactor: 10\n", 10, ""},
		{"zero", "            ParallelizationFactor: 0\n", 0, "Fn.Properties.Events.S.Properties.ParallelizationFactor: 0 is outside 1..10"},
		{"eleven", "            ParallelizationFactor: 11\n", 0, "11 is outside 1..10"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tpl, err := Parse([]byte(head+c.props), Options{})
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := tpl.Functions["Fn"].Streams[0].ParallelizationFactor; got != c.want {
				t.Fatalf("ParallelizationFactor = %d, want %d", got, c.want)
			}
			for _, line := range tpl.Unsupported {
				if strings.HasPrefix(line, "ParallelizationFactor") {
					t.Errorf("reported unsupported: %q", line)
				}
			}
		})
	}
}
