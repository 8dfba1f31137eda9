package awsconfig

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/calltaxi/call-taxi/shared/awsconfig/awsenvtest"
)

// lambdaEnv is what Lambda (and the local cloud) gives every function.
var lambdaEnv = map[string]string{
	"AWS_REGION": "ap-northeast-2", "AWS_DEFAULT_REGION": "ap-northeast-2",
	"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token",
}

// services are the SDK ids whose AWS_ENDPOINT_URL_<id> the local cloud sets.
var services = []string{"DYNAMODB", "EVENTBRIDGE", "SNS", "SQS", "LAMBDA", "COGNITO_IDENTITY_PROVIDER", "SSM"}

func with(env map[string]string, more ...string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		out[k] = v
	}
	for i := 0; i+1 < len(more); i += 2 {
		out[more[i]] = more[i+1]
	}
	return out
}

func localCloud(url string) []string {
	var kv []string
	for _, s := range services {
		kv = append(kv, "AWS_ENDPOINT_URL_"+s, url)
	}
	return kv
}

// TestLoadResolvesAsLoadDefaultConfig: for what Lambda, sam local invoke and the local cloud set, and the
// endpoint, region and retry variables, every client the functions use sends its request to the same
// endpoint, signed for the same region with the same credentials, as with config.LoadDefaultConfig.
func TestLoadResolvesAsLoadDefaultConfig(t *testing.T) {
	cases := map[string]map[string]string{
		"lambda":                  lambdaEnv,
		"local cloud":             with(lambdaEnv, localCloud("http://127.0.0.1:4566")...),
		"default region only":     with(lambdaEnv, "AWS_REGION", ""),
		"region over default":     with(lambdaEnv, "AWS_DEFAULT_REGION", "us-west-2"),
		"no session token":        with(lambdaEnv, "AWS_SESSION_TOKEN", ""),
		"alternative key names":   with(lambdaEnv, "AWS_ACCESS_KEY_ID", "", "AWS_SECRET_ACCESS_KEY", "", "AWS_ACCESS_KEY", "AK2", "AWS_SECRET_KEY", "s2"),
		"account id":              with(lambdaEnv, "AWS_ACCOUNT_ID", "123456789012"),
		"global endpoint":         with(lambdaEnv, "AWS_ENDPOINT_URL", "http://global.example:1"),
		"global and service":      with(lambdaEnv, "AWS_ENDPOINT_URL", "http://global.example:1", "AWS_ENDPOINT_URL_DYNAMODB", "http://ddb.example:2", "AWS_ENDPOINT_URL_LAMBDA", "http://lambda.example:3"),
		"ignored endpoints":       with(lambdaEnv, append(localCloud("http://127.0.0.1:4566"), "AWS_ENDPOINT_URL", "http://global.example:1", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE")...),
		"endpoints not ignored":   with(lambdaEnv, append(localCloud("http://127.0.0.1:4566"), "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false")...),
		"fips":                    with(lambdaEnv, "AWS_REGION", "us-east-1", "AWS_USE_FIPS_ENDPOINT", "true"),
		"dual stack":              with(lambdaEnv, "AWS_USE_DUALSTACK_ENDPOINT", "True"),
		"fips and dual stack off": with(lambdaEnv, "AWS_USE_FIPS_ENDPOINT", "false", "AWS_USE_DUALSTACK_ENDPOINT", "false"),
		"retries":                 with(lambdaEnv, "AWS_MAX_ATTEMPTS", "5", "AWS_RETRY_MODE", "adaptive"),
	}
	for name, env := range cases {
		t.Run(name, func(t *testing.T) {
			awsenvtest.Set(t, env)
			ctx := context.Background()
			want, err := config.LoadDefaultConfig(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Load(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got.Region != want.Region || got.RetryMaxAttempts != want.RetryMaxAttempts || got.RetryMode != want.RetryMode ||
				aws.ToString(got.BaseEndpoint) != aws.ToString(want.BaseEndpoint) || got.DefaultsMode != want.DefaultsMode ||
				got.RequestMinCompressSizeBytes != want.RequestMinCompressSizeBytes ||
				got.AccountIDEndpointMode != want.AccountIDEndpointMode ||
				got.RequestChecksumCalculation != want.RequestChecksumCalculation ||
				got.ResponseChecksumValidation != want.ResponseChecksumValidation {
				t.Errorf("config:\n got %+v\nwant %+v", got, want)
			}
			gotCreds, err := got.Credentials.Retrieve(ctx)
			if err != nil {
				t.Fatal(err)
			}
			wantCreds, err := want.Credentials.Retrieve(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if gotCreds != wantCreds {
				t.Errorf("credentials: got %+v, want %+v", gotCreds, wantCreds)
			}
			gotReqs, wantReqs := requests(t, got), requests(t, want)
			for svc, w := range wantReqs {
				if g := gotReqs[svc]; g != w {
					t.Errorf("%s request:\n got %+v\nwant %+v", svc, g, w)
				}
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	cases := map[string]map[string]string{
		"no access key":               with(lambdaEnv, "AWS_ACCESS_KEY_ID", ""),
		"no secret key":               with(lambdaEnv, "AWS_SECRET_ACCESS_KEY", ""),
		"ignore endpoints not a bool": with(lambdaEnv, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "yes"),
		"fips not a bool":             with(lambdaEnv, "AWS_USE_FIPS_ENDPOINT", "1"),
		"dual stack not a bool":       with(lambdaEnv, "AWS_USE_DUALSTACK_ENDPOINT", "on"),
		"max attempts not a number":   with(lambdaEnv, "AWS_MAX_ATTEMPTS", "three"),
		"unknown retry mode":          with(lambdaEnv, "AWS_RETRY_MODE", "eager"),
	}
	for name, env := range cases {
		t.Run(name, func(t *testing.T) {
			awsenvtest.Set(t, env)
			if _, err := Load(context.Background()); err == nil {
				t.Fatal("Load: want an error")
			}
		})
	}
}

// sent is what decides where a request goes and whose it is.
type sent struct {
	url, scope, token string
}

// requests makes one call (one attempt) with each client over cfg and returns each request as it would
// be sent.
func requests(t *testing.T, cfg aws.Config) map[string]sent {
	t.Helper()
	rec := &recorder{}
	ctx := context.Background()
	calls := map[string]func() error{
		"dynamodb": func() error {
			_, err := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.HTTPClient, o.Retryer = rec, aws.NopRetryer{} }).ListTables(ctx, &dynamodb.ListTablesInput{})
			return err
		},
		"eventbridge": func() error {
			_, err := eventbridge.NewFromConfig(cfg, func(o *eventbridge.Options) { o.HTTPClient, o.Retryer = rec, aws.NopRetryer{} }).ListEventBuses(ctx, &eventbridge.ListEventBusesInput{})
			return err
		},
		"lambda": func() error {
			_, err := lambda.NewFromConfig(cfg, func(o *lambda.Options) { o.HTTPClient, o.Retryer = rec, aws.NopRetryer{} }).ListFunctions(ctx, &lambda.ListFunctionsInput{})
			return err
		},
		"sns": func() error {
			_, err := sns.NewFromConfig(cfg, func(o *sns.Options) { o.HTTPClient, o.Retryer = rec, aws.NopRetryer{} }).ListTopics(ctx, &sns.ListTopicsInput{})
			return err
		},
		"sqs": func() error {
			_, err := sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.HTTPClient, o.Retryer = rec, aws.NopRetryer{} }).ListQueues(ctx, &sqs.ListQueuesInput{})
			return err
		},
		"cognito": func() error {
			_, err := cognitoidentityprovider.NewFromConfig(cfg, func(o *cognitoidentityprovider.Options) { o.HTTPClient, o.Retryer = rec, aws.NopRetryer{} }).
				ListUserPools(ctx, &cognitoidentityprovider.ListUserPoolsInput{MaxResults: aws.Int32(1)})
			return err
		},
		"ssm": func() error {
			_, err := ssm.NewFromConfig(cfg, func(o *ssm.Options) { o.HTTPClient, o.Retryer = rec, aws.NopRetryer{} }).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("p")})
			return err
		},
	}
	out := map[string]sent{}
	for svc, call := range calls {
		if err := call(); !errors.Is(err, errRecorded) {
			t.Fatalf("%s: %v, want the recorder's error", svc, err)
		}
		out[svc] = rec.last()
	}
	return out
}

var errRecorded = errors.New("recorded, not sent")

type recorder struct {
	mu  sync.Mutex
	req sent
}

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
	}
	auth := req.Header.Get("Authorization")
	_, scope, _ := strings.Cut(auth, "Credential=")
	scope, _, _ = strings.Cut(scope, ",")
	r.mu.Lock()
	defer r.mu.Unlock()
	r.req = sent{url: req.URL.Scheme + "://" + req.URL.Host + req.URL.Path, scope: scope, token: req.Header.Get("X-Amz-Security-Token")}
	return nil, errRecorded
}

func (r *recorder) last() sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.req
}
