// Package lambdainvoke is the one Lambda call order makes, a synchronous Invoke, with the shape of the
// SDK client's (NewFromConfig, InvokeInput, InvokeOutput, *TooManyRequestsException).
//
// Why not the SDK's lambda client: its package builds the schema of every Lambda operation and shape at
// start-up, 0.7 ms and 0.67 MB of every order cold start (GODEBUG=inittrace=1), the largest single init
// of the slowest-starting function. This client keeps what the SDK client does for this call as order
// configures it (RetryMaxAttempts 1: one attempt): the endpoint (awsendpoint), the REST request, the SigV4
// signature, the X-Amzn-Trace-Id the SDK's recursion detection adds inside Lambda, and the error values
// (smithy.APIError with the service's code inside *awshttp.ResponseError and *smithy.OperationError;
// *TooManyRequestsException for a throttle). The tests compare its requests and outcomes with the SDK
// client's.
package lambdainvoke

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/encoding/httpbinding"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/calltaxi/call-taxi/shared/awsendpoint"
)

var endpointRules = awsendpoint.Service{ID: "Lambda", Host: "lambda"}

// Client invokes functions.
type Client struct {
	endpoint string
	err      error // resolving the endpoint failed: every call returns it
	region   string
	creds    aws.CredentialsProvider
	client   aws.HTTPClient
	signer   *v4.Signer
	now      func() time.Time
}

// NewFromConfig returns a client over cfg, as the SDK's lambda.NewFromConfig(cfg) with RetryMaxAttempts 1.
func NewFromConfig(cfg aws.Config) *Client {
	c := &Client{region: cfg.Region, creds: cfg.Credentials, client: cfg.HTTPClient, signer: v4.NewSigner(), now: time.Now}
	if c.client == nil {
		c.client = awshttp.NewBuildableClient()
	}
	c.endpoint, c.err = awsendpoint.Resolve(cfg, endpointRules)
	return c
}

// InvokeInput is a synchronous (RequestResponse) invoke.
type InvokeInput struct {
	FunctionName *string
	Qualifier    *string // version or alias; nil = $LATEST
	Payload      []byte
}

// InvokeOutput is the function's answer.
type InvokeOutput struct {
	StatusCode      int32
	FunctionError   *string // set when the function failed: its payload is the error
	ExecutedVersion *string
	Payload         []byte
}

// TooManyRequestsException is the throttle (HTTP 429), with why (Reason, e.g.
// ReservedFunctionConcurrentInvocationLimitExceeded).
type TooManyRequestsException struct {
	Message           *string
	Type              *string
	Reason            string
	RetryAfterSeconds *string
}

func (e *TooManyRequestsException) Error() string {
	return fmt.Sprintf("%s: %s", e.ErrorCode(), e.ErrorMessage())
}

// ErrorMessage is the service's message.
func (e *TooManyRequestsException) ErrorMessage() string { return aws.ToString(e.Message) }

// ErrorCode is the exception's name.
func (e *TooManyRequestsException) ErrorCode() string { return "TooManyRequestsException" }

// ErrorFault: a throttle is the client's.
func (e *TooManyRequestsException) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }

// Invoke runs the function and waits for its answer (Lambda API reference, Invoke).
func (c *Client) Invoke(ctx context.Context, in *InvokeInput) (*InvokeOutput, error) {
	out, err := c.send(ctx, in)
	if err != nil {
		return nil, &smithy.OperationError{ServiceID: "Lambda", OperationName: "Invoke", Err: err}
	}
	return out, nil
}

func (c *Client) send(ctx context.Context, in *InvokeInput) (*InvokeOutput, error) {
	if c.err != nil {
		return nil, fmt.Errorf("failed to resolve service endpoint, %w", c.err)
	}
	if in == nil || aws.ToString(in.FunctionName) == "" {
		return nil, &smithy.SerializationError{Err: errors.New("input member FunctionName must not be empty")}
	}
	req, err := c.request(ctx, in)
	if err != nil {
		return nil, err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		err = &smithyhttp.RequestSendError{Err: err}
		if ctx.Err() != nil {
			err = &smithy.CanceledError{Err: err}
		}
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, &smithy.DeserializationError{Err: fmt.Errorf("failed to read response body, %w", err)}
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return nil, &awshttp.ResponseError{
			ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: resp}, Err: apiError(resp, data)},
			RequestID:     resp.Header.Get("X-Amzn-Requestid"),
		}
	}
	out := &InvokeOutput{StatusCode: int32(resp.StatusCode), Payload: data}
	if v := resp.Header.Get("X-Amz-Function-Error"); v != "" {
		out.FunctionError = aws.String(v)
	}
	if v := resp.Header.Get("X-Amz-Executed-Version"); v != "" {
		out.ExecutedVersion = aws.String(v)
	}
	return out, nil
}

// request is the signed POST /2015-03-31/functions/{FunctionName}/invocations.
func (c *Client) request(ctx context.Context, in *InvokeInput) (*http.Request, error) {
	u, err := url.Parse(c.endpoint)
	if err != nil {
		return nil, fmt.Errorf("failed to parse uri: %s", c.endpoint)
	}
	name, base := aws.ToString(in.FunctionName), u.EscapedPath()
	u.Path = smithyhttp.JoinPath(u.Path, "/2015-03-31/functions/"+name+"/invocations")
	u.RawPath = smithyhttp.JoinPath(base, "/2015-03-31/functions/"+httpbinding.EscapePath(name, true)+"/invocations")
	if in.Qualifier != nil {
		u.RawQuery = "Qualifier=" + url.QueryEscape(*in.Qualifier)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(in.Payload))
	if err != nil {
		return nil, &smithy.SerializationError{Err: err}
	}
	req.ContentLength = int64(len(in.Payload))
	if len(in.Payload) > 0 {
		req.Header.Set("Content-Type", "application/octet-stream")
	}
	req.Header.Set("X-Amz-Invocation-Type", "RequestResponse")
	req.Header.Set("User-Agent", aws.SDKName+"/"+aws.SDKVersion+" api/lambda")
	setTraceHeader(req)
	if c.creds == nil {
		return nil, errors.New("no credentials in the aws.Config")
	}
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("failed to retrieve credentials, %w", err)
	}
	sum := sha256.Sum256(in.Payload)
	if err := c.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "lambda", c.region, c.now().UTC()); err != nil {
		return nil, fmt.Errorf("failed to sign request, %w", err)
	}
	return req, nil
}

// setTraceHeader is the SDK's recursion detection: inside Lambda, a call carries the invocation's trace
// (_X_AMZN_TRACE_ID, which the runtime sets per invocation), percent-encoded.
func setTraceHeader(req *http.Request) {
	_, inLambda := os.LookupEnv("AWS_LAMBDA_FUNCTION_NAME")
	trace, ok := os.LookupEnv("_X_AMZN_TRACE_ID")
	if !inLambda || !ok {
		return
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(trace); i++ {
		c := trace[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(`-=;:+&[]{}"',`, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	req.Header.Set("X-Amzn-Trace-Id", b.String())
}
