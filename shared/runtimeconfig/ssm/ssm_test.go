package ssm

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	sdkssm "github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"

	"github.com/calltaxi/call-taxi/shared/awsconfig"
	"github.com/calltaxi/call-taxi/shared/awsconfig/awsenvtest"
)

func lambdaEnv(region string, more ...string) map[string]string {
	env := map[string]string{"AWS_REGION": region, "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token"}
	for i := 0; i+1 < len(more); i += 2 {
		env[more[i]] = more[i+1]
	}
	return env
}

// The request a Client sends is the SDK client's: the same endpoint for every partition, FIPS and
// dual-stack setting and configured endpoint, the same operation, body, signing scope and token.
func TestSendsTheSDKClientsRequest(t *testing.T) {
	cases := map[string]map[string]string{
		"local cloud":                lambdaEnv("ap-northeast-2", "AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:4566"),
		"global endpoint":            lambdaEnv("ap-northeast-2", "AWS_ENDPOINT_URL", "http://global.example:1"),
		"service over global":        lambdaEnv("ap-northeast-2", "AWS_ENDPOINT_URL", "http://global.example:1", "AWS_ENDPOINT_URL_SSM", "http://ssm.example:2/base"),
		"other service's endpoint":   lambdaEnv("ap-northeast-2", "AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:4566"),
		"ignored endpoints":          lambdaEnv("ap-northeast-2", "AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:4566", "AWS_ENDPOINT_URL", "http://global.example:1", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
		"fips and a custom endpoint": lambdaEnv("us-east-1", "AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:4566", "AWS_USE_FIPS_ENDPOINT", "true"),
		"dual stack and a custom":    lambdaEnv("us-east-1", "AWS_ENDPOINT_URL", "http://127.0.0.1:4566", "AWS_USE_DUALSTACK_ENDPOINT", "true"),
		"no session token":           lambdaEnv("ap-northeast-2", "AWS_SESSION_TOKEN", ""),
	}
	regions := []string{"ap-northeast-2", "us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1", "us-iso-east-1",
		"us-isob-east-1", "eu-isoe-west-1", "us-isof-south-1", "eusc-de-east-1", "xx-nowhere-1", "ap-northeast"}
	for _, region := range regions {
		for _, fips := range []string{"", "true", "false"} {
			for _, dualStack := range []string{"", "true"} {
				name := region + " fips=" + fips + " dualstack=" + dualStack
				cases[name] = lambdaEnv(region, "AWS_USE_FIPS_ENDPOINT", fips, "AWS_USE_DUALSTACK_ENDPOINT", dualStack)
			}
		}
	}
	for name, env := range cases {
		t.Run(name, func(t *testing.T) {
			awsenvtest.Set(t, env)
			cfg, err := awsconfig.Load(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			rec := &recorder{}
			cfg.HTTPClient = rec
			cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }

			_, sdkErr := sdkssm.NewFromConfig(cfg).GetParameter(context.Background(), &sdkssm.GetParameterInput{Name: aws.String("/stack/p")})
			want := rec.take()
			_, err = NewFromConfig(cfg).GetParameter(context.Background(), &GetParameterInput{Name: aws.String("/stack/p")})
			got := rec.take()
			if !errors.Is(sdkErr, errRecorded) {
				// The SDK refused before sending (an endpoint rule error): so must the Client.
				if err == nil || errors.Is(err, errRecorded) || got != (request{}) {
					t.Fatalf("SDK: %v; Client: %v, sent %+v", sdkErr, err, got)
				}
				return
			}
			if !errors.Is(err, errRecorded) {
				t.Fatalf("Client: %v, want the recorder's error", err)
			}
			if got != want {
				t.Errorf("request:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

type request struct {
	method, url, contentType, target, body, scope, token string
}

var errRecorded = errors.New("recorded, not sent")

type recorder struct {
	mu   sync.Mutex
	last request
}

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(req.Body)
	var v any
	if err := json.Unmarshal(body, &v); err == nil {
		body, _ = json.Marshal(v) // the same document, whatever the spacing
	}
	_, scope, _ := strings.Cut(req.Header.Get("Authorization"), "Credential=")
	scope, _, _ = strings.Cut(scope, ",")
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last = request{method: req.Method, url: req.URL.String(), contentType: req.Header.Get("Content-Type"),
		target: req.Header.Get("X-Amz-Target"), body: string(body), scope: scope, token: req.Header.Get("X-Amz-Security-Token")}
	return nil, errRecorded
}

func (r *recorder) take() request {
	r.mu.Lock()
	defer r.mu.Unlock()
	last := r.last
	r.last = request{}
	return last
}

// answer is one scripted SSM response.
type answer struct {
	status int
	header map[string]string
	body   string
}

var (
	found     = answer{200, nil, `{"Parameter":{"Name":"/p","Type":"String","Value":"3800","Version":7,"ARN":"arn:aws:ssm:ap-northeast-2:123456789012:parameter/p","DataType":"text","LastModifiedDate":1.7e9}}`}
	notFound  = answer{400, nil, `{"__type":"ParameterNotFound","message":""}`}
	throttled = answer{400, nil, `{"__type":"ThrottlingException","message":"Rate exceeded"}`}
	internal  = answer{500, nil, `{"__type":"InternalServerError","Message":"oops"}`}
)

// For each run of answers, a Client and the SDK client make the same attempts and end the same way: the
// value and version, or an error with the same API code and HTTP status.
func TestRetriesAndErrorsAsTheSDKClient(t *testing.T) {
	cases := []struct {
		name        string
		answers     []answer
		maxAttempts int // aws.Config.RetryMaxAttempts
		attempts    int
		wantCode    string // "" = the value
	}{
		{name: "found", answers: []answer{found}, attempts: 1},
		{name: "not found is not retried", answers: []answer{notFound}, attempts: 1, wantCode: "ParameterNotFound"},
		{name: "throttled twice, then found", answers: []answer{throttled, throttled, found}, attempts: 3},
		{name: "throttled three times", answers: []answer{throttled, throttled, throttled, found}, attempts: 3, wantCode: "ThrottlingException"},
		{name: "a server error is retried", answers: []answer{internal, found}, attempts: 2},
		{name: "code in the header, namespaced", answers: []answer{{400, map[string]string{"X-Amzn-ErrorType": "ParameterNotFound:http://internal.amazon.com/"}, `{}`}}, attempts: 1, wantCode: "ParameterNotFound"},
		{name: "code in the body, namespaced", answers: []answer{{400, nil, `{"__type":"com.amazonaws.ssm#ParameterVersionNotFound"}`}}, attempts: 1, wantCode: "ParameterVersionNotFound"},
		{name: "a proxy's error page is retried", answers: []answer{{502, nil, `<html>Bad Gateway</html>`}, found}, attempts: 2},
		{name: "an empty server error is retried", answers: []answer{{503, nil, ``}, {503, nil, ``}, {503, nil, ``}}, attempts: 3, wantCode: "UnknownError"},
		{name: "AWS_MAX_ATTEMPTS=1", answers: []answer{throttled, found}, maxAttempts: 1, attempts: 1, wantCode: "ThrottlingException"},
		{name: "AWS_MAX_ATTEMPTS=5", answers: []answer{throttled, throttled, throttled, throttled, found}, maxAttempts: 5, attempts: 5},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			type outcome struct {
				value    string
				version  int64
				code     string
				status   int
				attempts int
			}
			run := func(get func(aws.Config) (string, int64, error)) outcome {
				var mu sync.Mutex
				n := 0
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					mu.Lock()
					a := tt.answers[min(n, len(tt.answers)-1)]
					n++
					mu.Unlock()
					for k, v := range a.header {
						w.Header().Set(k, v)
					}
					w.Header().Set("Content-Type", "application/x-amz-json-1.1")
					w.Header().Set("X-Amzn-Requestid", "req-1")
					w.WriteHeader(a.status)
					_, _ = io.WriteString(w, a.body)
				}))
				defer srv.Close()
				awsenvtest.Set(t, lambdaEnv("ap-northeast-2", "AWS_ENDPOINT_URL_SSM", srv.URL))
				cfg, err := awsconfig.Load(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				cfg.RetryMaxAttempts = tt.maxAttempts
				cfg.Retryer = func() aws.Retryer {
					return retry.NewStandard(func(o *retry.StandardOptions) {
						o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
					})
				}
				value, version, err := get(cfg)
				o := outcome{value: value, version: version}
				var apiErr smithy.APIError
				if errors.As(err, &apiErr) {
					o.code = apiErr.ErrorCode()
				} else if err != nil {
					o.code = "not an API error: " + err.Error()
				}
				var respErr *awshttp.ResponseError
				if errors.As(err, &respErr) {
					o.status = respErr.HTTPStatusCode()
				}
				mu.Lock()
				o.attempts = n
				mu.Unlock()
				return o
			}
			want := run(func(cfg aws.Config) (string, int64, error) {
				out, err := sdkssm.NewFromConfig(cfg).GetParameter(context.Background(), &sdkssm.GetParameterInput{Name: aws.String("/p")})
				if err != nil {
					return "", 0, err
				}
				return aws.ToString(out.Parameter.Value), out.Parameter.Version, nil
			})
			got := run(func(cfg aws.Config) (string, int64, error) {
				out, err := NewFromConfig(cfg).GetParameter(context.Background(), &GetParameterInput{Name: aws.String("/p")})
				if err != nil {
					return "", 0, err
				}
				return aws.ToString(out.Parameter.Value), out.Parameter.Version, nil
			})
			if got != want {
				t.Errorf("Client: %+v\n   SDK: %+v", got, want)
			}
			if got.attempts != tt.attempts || got.code != tt.wantCode {
				t.Errorf("attempts %d, code %q; want %d, %q", got.attempts, got.code, tt.attempts, tt.wantCode)
			}
			if tt.wantCode == "" && (got.value != "3800" || got.version != 7) {
				t.Errorf("GetParameter = %q, %d; want 3800, 7", got.value, got.version)
			}
		})
	}
}

// A Client retries as many times, in the same mode, as the SDK client over the same aws.Config.
func TestRetryerIsTheSDKClients(t *testing.T) {
	for _, cfg := range []aws.Config{
		{},
		{RetryMaxAttempts: 5},
		{RetryMode: aws.RetryModeAdaptive},
		{RetryMode: aws.RetryModeAdaptive, RetryMaxAttempts: 2},
		{Retryer: func() aws.Retryer { return retry.AddWithMaxAttempts(retry.NewStandard(), 7) }},
		{Retryer: func() aws.Retryer { return retry.NewStandard() }, RetryMaxAttempts: 4},
	} {
		got, want := resolveRetryer(cfg), sdkssm.NewFromConfig(cfg).Options().Retryer
		_, gotAdaptive := got.(*retry.AdaptiveMode)
		_, wantAdaptive := want.(*retry.AdaptiveMode)
		if got.MaxAttempts() != want.MaxAttempts() || gotAdaptive != wantAdaptive {
			t.Errorf("mode %q, RetryMaxAttempts %d: %d attempts (adaptive %v), SDK %d (adaptive %v)", cfg.RetryMode,
				cfg.RetryMaxAttempts, got.MaxAttempts(), gotAdaptive, want.MaxAttempts(), wantAdaptive)
		}
	}
}
