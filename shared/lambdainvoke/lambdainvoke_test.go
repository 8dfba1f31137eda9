package lambdainvoke

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	sdklambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	sdktypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/calltaxi/call-taxi/shared/awsconfig"
	"github.com/calltaxi/call-taxi/shared/awsconfig/awsenvtest"
)

func lambdaEnv(region string, more ...string) map[string]string {
	env := map[string]string{"AWS_REGION": region, "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret",
		"AWS_SESSION_TOKEN": "token", "AWS_LAMBDA_FUNCTION_NAME": "call-taxi-OrderFunction",
		"_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:0"}
	for i := 0; i+1 < len(more); i += 2 {
		env[more[i]] = more[i+1]
	}
	return env
}

// sdkClient is order's SDK client as it was configured: one attempt.
func sdkClient(cfg aws.Config) *sdklambda.Client {
	return sdklambda.NewFromConfig(cfg, func(o *sdklambda.Options) { o.RetryMaxAttempts = 1 })
}

func sdkInput(name string, qualifier *string, payload []byte) *sdklambda.InvokeInput {
	return &sdklambda.InvokeInput{FunctionName: aws.String(name), Qualifier: qualifier, Payload: payload,
		InvocationType: sdktypes.InvocationTypeRequestResponse}
}

// The request a Client sends is the SDK client's: the same endpoint for every partition, FIPS and
// dual-stack setting and configured endpoint, the same path, query, headers, body, signing scope and token.
func TestSendsTheSDKClientsRequest(t *testing.T) {
	cases := map[string]map[string]string{
		"local cloud":                lambdaEnv("ap-northeast-2", "AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:4566"),
		"global endpoint":            lambdaEnv("ap-northeast-2", "AWS_ENDPOINT_URL", "http://global.example:1"),
		"service over global":        lambdaEnv("ap-northeast-2", "AWS_ENDPOINT_URL", "http://global.example:1", "AWS_ENDPOINT_URL_LAMBDA", "http://lambda.example:2/base"),
		"other service's endpoint":   lambdaEnv("ap-northeast-2", "AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:4566"),
		"ignored endpoints":          lambdaEnv("ap-northeast-2", "AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:4566", "AWS_ENDPOINT_URL", "http://global.example:1", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
		"fips and a custom endpoint": lambdaEnv("us-east-1", "AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:4566", "AWS_USE_FIPS_ENDPOINT", "true"),
		"dual stack and a custom":    lambdaEnv("us-east-1", "AWS_ENDPOINT_URL", "http://127.0.0.1:4566", "AWS_USE_DUALSTACK_ENDPOINT", "true"),
		"no session token":           lambdaEnv("ap-northeast-2", "AWS_SESSION_TOKEN", ""),
		"outside lambda":             lambdaEnv("ap-northeast-2", "AWS_LAMBDA_FUNCTION_NAME", ""),
	}
	delete(cases["outside lambda"], "AWS_LAMBDA_FUNCTION_NAME")
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
	invokes := []struct {
		name, function string
		qualifier      *string
		payload        []byte
	}{
		{"charge", "call-taxi-PaymentFunction", aws.String("live"), []byte(`{"action":"charge","orderId":"o-1"}`)},
		{"no qualifier", "call-taxi-PaymentRecordsFunction", nil, []byte(`{"action":"status"}`)},
		{"an ARN and a qualifier to escape", "arn:aws:lambda:ap-northeast-2:123456789012:function:pay", aws.String("a b/c"), []byte(`{}`)},
		{"no payload", "pay", nil, nil},
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
			for _, inv := range invokes {
				_, sdkErr := sdkClient(cfg).Invoke(context.Background(), sdkInput(inv.function, inv.qualifier, inv.payload))
				want := rec.take()
				_, err = NewFromConfig(cfg).Invoke(context.Background(), &InvokeInput{FunctionName: aws.String(inv.function), Qualifier: inv.qualifier, Payload: inv.payload})
				got := rec.take()
				if !errors.Is(sdkErr, errRecorded) {
					// The SDK refused before sending (an endpoint rule error): so must the Client.
					if err == nil || errors.Is(err, errRecorded) || got != (request{}) {
						t.Fatalf("%s: SDK: %v; Client: %v, sent %+v", inv.name, sdkErr, err, got)
					}
					continue
				}
				if !errors.Is(err, errRecorded) {
					t.Fatalf("%s: Client: %v, want the recorder's error", inv.name, err)
				}
				if got != want {
					t.Errorf("%s: request:\n got %+v\nwant %+v", inv.name, got, want)
				}
			}
		})
	}
}

type request struct {
	method, url, contentType, contentLength, invocationType, trace, body, scope, token string
}

var errRecorded = errors.New("recorded, not sent")

// recorder keeps the request and answers with an error, or with answer when set.
type recorder struct {
	mu     sync.Mutex
	last   request
	answer func() *http.Response
}

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	_, scope, _ := strings.Cut(req.Header.Get("Authorization"), "Credential=")
	scope, _, _ = strings.Cut(scope, ",")
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last = request{method: req.Method, url: req.URL.String(), contentType: req.Header.Get("Content-Type"),
		contentLength:  req.Header.Get("Content-Length") + "/" + itoa(req.ContentLength),
		invocationType: req.Header.Get("X-Amz-Invocation-Type"), trace: req.Header.Get("X-Amzn-Trace-Id"),
		body: string(body), scope: scope, token: req.Header.Get("X-Amz-Security-Token")}
	if r.answer != nil {
		resp := r.answer()
		resp.Request = req
		return resp, nil
	}
	return nil, errRecorded
}

func (r *recorder) take() request {
	r.mu.Lock()
	defer r.mu.Unlock()
	last := r.last
	r.last = request{}
	return last
}

func itoa(n int64) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// answer is one scripted Lambda response.
type answer struct {
	status int
	header map[string]string
	body   string
}

func (a answer) response() *http.Response {
	h := http.Header{}
	for k, v := range a.header {
		h.Set(k, v)
	}
	return &http.Response{StatusCode: a.status, Status: http.StatusText(a.status), Header: h,
		Body: io.NopCloser(bytes.NewBufferString(a.body)), ContentLength: int64(len(a.body))}
}

// outcome is what order reads of an Invoke's result.
type outcome struct {
	status          int32
	functionError   string
	executedVersion string
	payload         string
	code, message   string // smithy.APIError
	httpStatus      int
	throttleReason  string
	throttled       bool
}

// For each answer, a Client and the SDK client end the same way.
func TestOutcomesAsTheSDKClient(t *testing.T) {
	answers := map[string]answer{
		"ok":             {200, map[string]string{"X-Amz-Executed-Version": "3", "Content-Type": "application/json"}, `{"status":"APPROVED"}`},
		"function error": {200, map[string]string{"X-Amz-Function-Error": "Unhandled", "X-Amz-Executed-Version": "3"}, `{"errorType":"Sandbox.Timedout","errorMessage":"Task timed out"}`},
		"throttled": {429, map[string]string{"X-Amzn-ErrorType": "TooManyRequestsException", "Content-Type": "application/json", "Retry-After": "1"},
			`{"Type":"User","message":"Rate Exceeded.","Reason":"ReservedFunctionConcurrentInvocationLimitExceeded"}`},
		"throttled, code in the body": {429, map[string]string{"Content-Type": "application/json"},
			`{"__type":"TooManyRequestsException","message":"Rate Exceeded.","Reason":"ConcurrentInvocationLimitExceeded"}`},
		"service error":  {500, map[string]string{"X-Amzn-ErrorType": "ServiceException:http://internal.amazon.com/"}, `{"Type":"Service","Message":"oops"}`},
		"not found":      {404, map[string]string{"X-Amzn-ErrorType": "ResourceNotFoundException"}, `{"Type":"User","Message":"Function not found: arn:aws:lambda:x"}`},
		"no body":        {502, nil, ``},
		"not json":       {500, nil, `<html>bad gateway</html>`},
		"empty payload":  {200, nil, ``},
		"accepted event": {202, nil, ``},
	}
	awsenvtest.Set(t, lambdaEnv("ap-northeast-2", "AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:4566"))
	cfg, err := awsconfig.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for name, a := range answers {
		t.Run(name, func(t *testing.T) {
			rec := &recorder{answer: a.response}
			cfg.HTTPClient = rec
			sdkOut, sdkErr := sdkClient(cfg).Invoke(context.Background(), sdkInput("pay", aws.String("live"), []byte(`{}`)))
			out, err := NewFromConfig(cfg).Invoke(context.Background(), &InvokeInput{FunctionName: aws.String("pay"), Qualifier: aws.String("live"), Payload: []byte(`{}`)})
			want := outcomeOf(sdkErr)
			if sdkOut != nil {
				want.status, want.functionError, want.executedVersion, want.payload = sdkOut.StatusCode,
					aws.ToString(sdkOut.FunctionError), aws.ToString(sdkOut.ExecutedVersion), string(sdkOut.Payload)
			}
			var sdkThrottle *sdktypes.TooManyRequestsException
			if errors.As(sdkErr, &sdkThrottle) {
				want.throttled, want.throttleReason = true, string(sdkThrottle.Reason)
			}
			got := outcomeOf(err)
			if out != nil {
				got.status, got.functionError, got.executedVersion, got.payload = out.StatusCode,
					aws.ToString(out.FunctionError), aws.ToString(out.ExecutedVersion), string(out.Payload)
			}
			var throttle *TooManyRequestsException
			if errors.As(err, &throttle) {
				got.throttled, got.throttleReason = true, throttle.Reason
			}
			if got != want {
				t.Errorf("outcome:\n got %+v (%v)\nwant %+v (%v)", got, err, want, sdkErr)
			}
			if must, ok := expected[name]; ok && !must(want) {
				t.Errorf("the SDK client's outcome %+v is not what the case is for", want)
			}
		})
	}
}

// expected holds each case to what it is meant to exercise, so that agreeing on nothing cannot pass.
var expected = map[string]func(outcome) bool{
	"ok":                          func(o outcome) bool { return o.status == 200 && o.payload != "" && o.executedVersion == "3" },
	"function error":              func(o outcome) bool { return o.functionError == "Unhandled" },
	"throttled":                   func(o outcome) bool { return o.throttled && o.throttleReason != "" && o.httpStatus == 429 },
	"throttled, code in the body": func(o outcome) bool { return o.throttled && o.throttleReason == "ConcurrentInvocationLimitExceeded" },
	"service error": func(o outcome) bool {
		return o.code == "ServiceException" && o.message == "oops" && o.httpStatus == 500
	},
	"not found": func(o outcome) bool { return o.code == "ResourceNotFoundException" && o.httpStatus == 404 },
}

func outcomeOf(err error) outcome {
	var o outcome
	if err == nil {
		return o
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		o.code, o.message = apiErr.ErrorCode(), apiErr.ErrorMessage()
	}
	var respErr *awshttp.ResponseError
	if errors.As(err, &respErr) {
		o.httpStatus = respErr.HTTPStatusCode()
	}
	var opErr *smithy.OperationError
	if !errors.As(err, &opErr) {
		o.code = "not an OperationError: " + err.Error()
	}
	return o
}
