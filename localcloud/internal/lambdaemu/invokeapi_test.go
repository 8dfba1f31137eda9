package lambdaemu

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// newSDKClient points the real aws-sdk-go-v2 Lambda client at the service, retries disabled so
// each call is one HTTP request.
func newSDKClient(t *testing.T, s *Service) *lambda.Client {
	t.Helper()
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return lambda.New(lambda.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(srv.URL),
		RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local"}, nil
		}),
	})
}

func TestInvokeAPIThroughSDK(t *testing.T) {
	s := newTestService(t, Options{})
	one := 1
	registerTestFunction(t, s, "call-taxi-PaymentFunction", func(c *FunctionConfig) { c.ReservedConcurrency = &one })
	client := newSDKClient(t, s)
	ctx := context.Background()

	// Invoke API reference: FunctionName takes a name, a partial or full ARN, each optionally
	// qualified; X-Amz-Executed-Version is the version that ran (an alias resolves to its version).
	names := []struct{ name, qualifier, version string }{
		{"call-taxi-PaymentFunction", "", "$LATEST"},
		{"call-taxi-PaymentFunction:live", "", "1"},
		{"call-taxi-PaymentFunction", "live", "1"},
		{"call-taxi-PaymentFunction", "$LATEST", "$LATEST"},
		{"call-taxi-PaymentFunction:7", "", "7"},
		{"123456789012:function:call-taxi-PaymentFunction", "", "$LATEST"},
		{"arn:aws:lambda:us-east-1:123456789012:function:call-taxi-PaymentFunction:live", "", "1"},
	}
	for _, tc := range names {
		t.Run("RequestResponse "+tc.name+" qualifier "+tc.qualifier, func(t *testing.T) {
			in := &lambda.InvokeInput{
				FunctionName: aws.String(tc.name),
				Payload:      []byte(`{"action":"echo","message":"charge"}`),
			}
			if tc.qualifier != "" {
				in.Qualifier = aws.String(tc.qualifier)
			}
			out, err := client.Invoke(ctx, in)
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			var resp testResponse
			if err := json.Unmarshal(out.Payload, &resp); err != nil || resp.Echo != "charge" {
				t.Errorf("payload = %s (%v)", out.Payload, err)
			}
			if out.StatusCode != 200 || out.FunctionError != nil {
				t.Errorf("status=%d functionError=%v", out.StatusCode, aws.ToString(out.FunctionError))
			}
			if got := aws.ToString(out.ExecutedVersion); got != tc.version {
				t.Errorf("ExecutedVersion = %q, want %q", got, tc.version)
			}
		})
	}

	t.Run("function error", func(t *testing.T) {
		out, err := client.Invoke(ctx, &lambda.InvokeInput{
			FunctionName: aws.String("call-taxi-PaymentFunction"),
			Qualifier:    aws.String("live"),
			Payload:      []byte(`{"action":"error","message":"gateway down"}`),
		})
		if err != nil {
			t.Fatalf("Invoke: %v", err)
		}
		if aws.ToString(out.FunctionError) != "Unhandled" {
			t.Errorf("FunctionError = %q", aws.ToString(out.FunctionError))
		}
		var body struct{ ErrorType, ErrorMessage string }
		if err := json.Unmarshal(out.Payload, &body); err != nil || body.ErrorType != "errorString" || body.ErrorMessage != "gateway down" {
			t.Errorf("payload = %s", out.Payload)
		}
	})

	t.Run("DryRun", func(t *testing.T) {
		out, err := client.Invoke(ctx, &lambda.InvokeInput{
			FunctionName: aws.String("call-taxi-PaymentFunction"), InvocationType: types.InvocationTypeDryRun,
		})
		if err != nil || out.StatusCode != 204 {
			t.Fatalf("DryRun: status=%v err=%v", out, err)
		}
	})

	t.Run("Event", func(t *testing.T) {
		before := statsOf(t, s, "call-taxi-PaymentFunction").Invocations
		out, err := client.Invoke(ctx, &lambda.InvokeInput{
			FunctionName: aws.String("call-taxi-PaymentFunction"), InvocationType: types.InvocationTypeEvent,
			Payload: []byte(`{"action":"echo"}`),
		})
		if err != nil || out.StatusCode != 202 {
			t.Fatalf("Event: out=%v err=%v", out, err)
		}
		waitFor(t, "the queued event to run", func() bool {
			st := statsOf(t, s, "call-taxi-PaymentFunction")
			return st.Invocations == before+1 && st.ConcurrentInvokes == 0
		})
	})

	t.Run("unknown function", func(t *testing.T) {
		_, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("nope")})
		var nf *types.ResourceNotFoundException
		if !errors.As(err, &nf) {
			t.Fatalf("err = %v (%T), want ResourceNotFoundException", err, err)
		}
	})

	t.Run("invalid json payload", func(t *testing.T) {
		_, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("call-taxi-PaymentFunction"), Payload: []byte("{")})
		var bad *types.InvalidRequestContentException
		if !errors.As(err, &bad) {
			t.Fatalf("err = %v (%T), want InvalidRequestContentException", err, err)
		}
	})

	t.Run("throttled", func(t *testing.T) {
		slow := make(chan error, 1)
		go func() {
			_, err := client.Invoke(ctx, &lambda.InvokeInput{
				FunctionName: aws.String("call-taxi-PaymentFunction"), Payload: []byte(`{"action":"sleep","ms":1500}`),
			})
			slow <- err
		}()
		waitFor(t, "the slow invoke", func() bool { return statsOf(t, s, "call-taxi-PaymentFunction").ConcurrentInvokes == 1 })
		_, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("call-taxi-PaymentFunction"), Payload: []byte(`{"action":"echo"}`)})
		var tooMany *types.TooManyRequestsException
		if !errors.As(err, &tooMany) {
			t.Fatalf("err = %v (%T), want TooManyRequestsException", err, err)
		}
		if tooMany.Reason != types.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded || tooMany.ErrorMessage() != "Rate Exceeded." {
			t.Errorf("reason=%q message=%q", tooMany.Reason, tooMany.ErrorMessage())
		}
		if err := <-slow; err != nil {
			t.Errorf("slow invoke: %v", err)
		}
	})

	t.Run("stopped is throttled as reserved concurrency 0", func(t *testing.T) {
		if err := s.Stop("call-taxi-PaymentFunction"); err != nil {
			t.Fatal(err)
		}
		defer s.Start("call-taxi-PaymentFunction")
		_, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("call-taxi-PaymentFunction"), Payload: []byte(`{}`)})
		var tooMany *types.TooManyRequestsException
		if !errors.As(err, &tooMany) || tooMany.Reason != types.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded {
			t.Fatalf("err = %v (%T), want TooManyRequestsException %s", err, err, ReasonReservedConcurrency)
		}
	})

	t.Run("failing answers a function error", func(t *testing.T) {
		if err := s.Fail("call-taxi-PaymentFunction"); err != nil {
			t.Fatal(err)
		}
		defer s.Start("call-taxi-PaymentFunction")
		out, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("call-taxi-PaymentFunction"), Payload: []byte(`{}`)})
		if err != nil {
			t.Fatalf("Invoke: %v", err)
		}
		var body struct{ ErrorType string }
		if out.StatusCode != 200 || aws.ToString(out.FunctionError) != "Unhandled" ||
			json.Unmarshal(out.Payload, &body) != nil || body.ErrorType != "Runtime.ExitError" {
			t.Errorf("status=%d functionError=%q payload=%s", out.StatusCode, aws.ToString(out.FunctionError), out.Payload)
		}
	})
}

func TestInvokeAPITimeoutIsAFunctionError(t *testing.T) {
	s := newTestService(t, Options{})
	registerTestFunction(t, s, "fn", func(c *FunctionConfig) { c.Timeout = 300 * time.Millisecond })
	client := newSDKClient(t, s)
	out, err := client.Invoke(context.Background(), &lambda.InvokeInput{
		FunctionName: aws.String("fn"), Payload: []byte(`{"action":"sleep","ms":3000}`),
	})
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	var body struct{ ErrorType string }
	if aws.ToString(out.FunctionError) != "Unhandled" || json.Unmarshal(out.Payload, &body) != nil || body.ErrorType != "Sandbox.Timedout" {
		t.Errorf("functionError=%q payload=%s", aws.ToString(out.FunctionError), out.Payload)
	}
}

func TestParseFunctionName(t *testing.T) {
	tests := []struct{ in, name, qualifier string }{
		{"fn", "fn", ""},
		{"fn:live", "fn", "live"},
		{"fn:7", "fn", "7"},
		{"123456789012:function:fn", "fn", ""},
		{"123456789012:function:fn:live", "fn", "live"},
		{"arn:aws:lambda:us-east-1:123456789012:function:fn", "fn", ""},
		{"arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST", "fn", "$LATEST"},
	}
	for _, tc := range tests {
		name, qualifier := parseFunctionName(tc.in)
		if name != tc.name || qualifier != tc.qualifier {
			t.Errorf("parseFunctionName(%q) = %q, %q; want %q, %q", tc.in, name, qualifier, tc.name, tc.qualifier)
		}
	}
}
