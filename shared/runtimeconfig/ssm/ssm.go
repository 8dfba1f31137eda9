// Package ssm is the part of the AWS SDK's SSM client that runtimeconfig uses, GetParameter, with the
// SDK client's shape (NewFromConfig, GetParameterInput, GetParameterOutput).
//
// Why not the SDK's ssm client: its package initialises the schema of every SSM operation and shape
// at start-up, about 1.2 MB of each bootstrap that reads a parameter. This client keeps what the SDK
// client does for this one call (AWS JSON 1.1, SigV4): the endpoint (AWS_ENDPOINT_URL_SSM and
// AWS_ENDPOINT_URL through the aws.Config, FIPS, dual-stack, else the region's partition), the
// signature, the retryer the aws.Config chooses (standard, 3 attempts, by default) and the error values
// (smithy.APIError with the service's code, inside *awshttp.ResponseError and *smithy.OperationError).
// The tests compare its requests, retries and errors with the SDK client's.
package ssm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Client calls Parameter Store.
type Client struct {
	endpoint string
	err      error // resolving the endpoint failed: every call returns it
	region   string
	creds    aws.CredentialsProvider
	client   aws.HTTPClient
	retryer  aws.Retryer
	signer   *v4.Signer
	now      func() time.Time
}

// NewFromConfig returns a client over cfg, configured as the SDK's ssm.NewFromConfig(cfg) would be.
func NewFromConfig(cfg aws.Config) *Client {
	c := &Client{region: cfg.Region, creds: cfg.Credentials, client: cfg.HTTPClient, retryer: resolveRetryer(cfg),
		signer: v4.NewSigner(), now: time.Now}
	if c.client == nil {
		c.client = awshttp.NewBuildableClient()
	}
	if endpoint, err := resolveEndpoint(cfg); err != nil {
		c.err = err
	} else {
		c.endpoint, c.err = operationURL(endpoint)
	}
	return c
}

// GetParameterInput names the parameter to read.
type GetParameterInput struct {
	Name *string `json:",omitempty"`
}

// GetParameterOutput is the parameter read.
type GetParameterOutput struct {
	Parameter *Parameter
}

// Parameter is what runtimeconfig uses of a parameter.
type Parameter struct {
	Name    *string
	Value   *string
	Version int64
}

// GetParameter reads a parameter (SSM API reference, GetParameter).
func (c *Client) GetParameter(ctx context.Context, in *GetParameterInput) (*GetParameterOutput, error) {
	if in == nil {
		in = &GetParameterInput{}
	}
	out := &GetParameterOutput{}
	if err := c.call(ctx, "GetParameter", in, out); err != nil {
		return nil, err
	}
	return out, nil
}

// call is the SDK's retry loop (aws/retry's Attempt middleware) around one operation.
func (c *Client) call(ctx context.Context, op string, in, out any) error {
	opErr := func(err error) error {
		return &smithy.OperationError{ServiceID: "SSM", OperationName: op, Err: err}
	}
	if c.err != nil {
		return opErr(fmt.Errorf("failed to resolve service endpoint, %w", c.err))
	}
	body, err := json.Marshal(in)
	if err != nil {
		return opErr(&smithy.SerializationError{Err: err})
	}
	releaseRetry := func(error) error { return nil }
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return opErr(err)
		}
		releaseAttempt, err := attemptToken(ctx, c.retryer)
		if err != nil {
			return opErr(fmt.Errorf("failed to get retry Send token, %w", err))
		}
		err = c.send(ctx, op, body, out)
		_ = releaseRetry(err)
		_ = releaseAttempt(err)
		if err == nil {
			return nil
		}
		if !c.retryer.IsErrorRetryable(err) {
			return opErr(err)
		}
		if most := c.retryer.MaxAttempts(); most > 0 && attempt >= most {
			return opErr(&retry.MaxAttemptsError{Attempt: attempt, Err: err})
		}
		var tokenErr error
		if releaseRetry, tokenErr = c.retryer.GetRetryToken(ctx, err); tokenErr != nil {
			return opErr(errors.Join(err, tokenErr))
		}
		delay, err := c.retryer.RetryDelay(attempt, err)
		if err != nil {
			return opErr(err)
		}
		select {
		case <-ctx.Done():
			return opErr(&aws.RequestCanceledError{Err: ctx.Err()})
		case <-time.After(delay):
		}
	}
}

// attemptToken is the retryer's token for an attempt, as the SDK's retry middleware takes it.
func attemptToken(ctx context.Context, r aws.Retryer) (func(error) error, error) {
	if v2, ok := r.(aws.RetryerV2); ok {
		return v2.GetAttemptToken(ctx)
	}
	return r.GetInitialToken(), nil
}

// send makes one attempt.
func (c *Client) send(ctx context.Context, op string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return &smithy.SerializationError{Err: err}
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AmazonSSM."+op)
	req.Header.Set("User-Agent", aws.SDKName+"/"+aws.SDKVersion+" api/ssm")
	if c.creds == nil {
		return errors.New("no credentials in the aws.Config")
	}
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("failed to retrieve credentials, %w", err)
	}
	sum := sha256.Sum256(body)
	if err := c.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "ssm", c.region, c.now().UTC()); err != nil {
		return fmt.Errorf("failed to sign request, %w", err)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		err = &smithyhttp.RequestSendError{Err: err}
		if ctx.Err() != nil {
			err = &smithy.CanceledError{Err: err}
		}
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return &smithy.DeserializationError{Err: fmt.Errorf("failed to read response body, %w", err)}
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return &awshttp.ResponseError{
			ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: resp}, Err: apiError(resp, data)},
			RequestID:     resp.Header.Get("X-Amzn-Requestid"),
		}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &smithy.DeserializationError{Err: fmt.Errorf("failed to decode response body, %w", err)}
	}
	return nil
}

// apiError reads an AWS JSON error: the code from X-Amzn-ErrorType or the body's __type (or code),
// without namespace or suffix, as smithy-go's awsjson protocol does.
func apiError(resp *http.Response, body []byte) error {
	var info struct {
		Type    string `json:"__type"`
		Code    any
		Message string
	}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &info); err != nil {
			return &smithy.DeserializationError{Err: fmt.Errorf("failed to decode response body, %w", err), Snapshot: body}
		}
	}
	code := resp.Header.Get("X-Amzn-ErrorType")
	if code == "" {
		code = info.Type
	}
	if s, ok := info.Code.(string); code == "" && ok {
		code = s
	}
	if code == "" {
		code = "UnknownError"
	}
	if i := strings.Index(code, ":"); i >= 0 {
		code = code[:i]
	}
	if i := strings.Index(code, "#"); i >= 0 {
		code = code[i+1:]
	}
	msg := info.Message
	if msg == "" {
		msg = "UnknownError"
	}
	return &smithy.GenericAPIError{Code: code, Message: msg}
}

// resolveRetryer is the retryer ssm.NewFromConfig(cfg) would use.
func resolveRetryer(cfg aws.Config) aws.Retryer {
	var r aws.Retryer
	switch {
	case cfg.Retryer != nil:
		r = cfg.Retryer()
	case cfg.RetryMode == aws.RetryModeAdaptive:
		r = retry.NewAdaptiveMode()
	default:
		r = retry.NewStandard()
	}
	if cfg.RetryMaxAttempts != 0 {
		r = retry.AddWithMaxAttempts(r, cfg.RetryMaxAttempts)
	}
	return r
}

// The partitions of the SDK's endpoint rules (internal/endpoints/awsrulesfn): a region outside every
// other partition is in aws.
var partitions = []struct {
	region               *regexp.Regexp
	dnsSuffix, dualStack string
	plainFIPS            bool // FIPS without dual-stack is ssm.<region>.amazonaws.com
}{
	{regexp.MustCompile(`^cn\-\w+\-\d+$`), "amazonaws.com.cn", "api.amazonwebservices.com.cn", false},
	{regexp.MustCompile(`^eusc\-(de)\-\w+\-\d+$`), "amazonaws.eu", "api.amazonwebservices.eu", false},
	{regexp.MustCompile(`^us\-iso\-\w+\-\d+$`), "c2s.ic.gov", "api.aws.ic.gov", false},
	{regexp.MustCompile(`^us\-isob\-\w+\-\d+$`), "sc2s.sgov.gov", "api.aws.scloud", false},
	{regexp.MustCompile(`^eu\-isoe\-\w+\-\d+$`), "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk", false},
	{regexp.MustCompile(`^us\-isof\-\w+\-\d+$`), "csp.hci.ic.gov", "api.aws.hci.ic.gov", false},
	{regexp.MustCompile(`^us\-gov\-\w+\-\d+$`), "amazonaws.com", "api.aws", true},
}

// resolveEndpoint is the URL the SSM client's endpoint rules give for cfg.
func resolveEndpoint(cfg aws.Config) (string, error) {
	fips := firstFound(cfg, func(p interface {
		GetUseFIPSEndpoint(context.Context) (aws.FIPSEndpointState, bool, error)
	}) (bool, bool, error) {
		v, found, err := p.GetUseFIPSEndpoint(context.Background())
		return v == aws.FIPSEndpointStateEnabled, found, err
	})
	dualStack := firstFound(cfg, func(p interface {
		GetUseDualStackEndpoint(context.Context) (aws.DualStackEndpointState, bool, error)
	}) (bool, bool, error) {
		v, found, err := p.GetUseDualStackEndpoint(context.Background())
		return v == aws.DualStackEndpointStateEnabled, found, err
	})
	if base, ok := configuredEndpoint(cfg); ok {
		switch {
		case fips:
			return "", errors.New("endpoint rule error, Invalid Configuration: FIPS and custom endpoint are not supported")
		case dualStack:
			return "", errors.New("endpoint rule error, Invalid Configuration: Dualstack and custom endpoint are not supported")
		}
		return base, nil
	}
	if cfg.Region == "" {
		return "", errors.New("endpoint rule error, Invalid Configuration: Missing Region")
	}
	dnsSuffix, dualStackSuffix, plainFIPS := "amazonaws.com", "api.aws", false
	for _, p := range partitions {
		if p.region.MatchString(cfg.Region) {
			dnsSuffix, dualStackSuffix, plainFIPS = p.dnsSuffix, p.dualStack, p.plainFIPS
			break
		}
	}
	host := "ssm"
	if fips && !(plainFIPS && !dualStack) {
		host = "ssm-fips"
	}
	if dualStack {
		dnsSuffix = dualStackSuffix
	}
	return "https://" + host + "." + cfg.Region + "." + dnsSuffix, nil
}

// operationURL is where the SDK sends an AWS JSON operation: the endpoint, its path joined with "/".
func operationURL(endpoint string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", fmt.Errorf("failed to parse uri: %s", endpoint)
	}
	u.Path = smithyhttp.JoinPath(u.Path, "/")
	return u.String(), nil
}

// configuredEndpoint is the base endpoint ssm.NewFromConfig takes from cfg: AWS_ENDPOINT_URL_SSM (from
// the config sources, unless they say to ignore configured endpoints) over cfg.BaseEndpoint.
func configuredEndpoint(cfg aws.Config) (string, bool) {
	type ignorer interface {
		GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error)
	}
	type serviceEndpoint interface {
		GetServiceBaseEndpoint(context.Context, string) (string, bool, error)
	}
	for _, s := range cfg.ConfigSources {
		if p, ok := s.(ignorer); ok {
			if v, found, _ := p.GetIgnoreConfiguredEndpoints(context.Background()); found {
				if v {
					return aws.ToString(cfg.BaseEndpoint), cfg.BaseEndpoint != nil
				}
				break
			}
		}
	}
	for _, s := range cfg.ConfigSources {
		if p, ok := s.(serviceEndpoint); ok {
			if v, found, err := p.GetServiceBaseEndpoint(context.Background(), "SSM"); err != nil || found {
				if found && err == nil {
					return v, true
				}
				break
			}
		}
	}
	return aws.ToString(cfg.BaseEndpoint), cfg.BaseEndpoint != nil
}

// firstFound is the answer of the first config source that has one, as the SDK's clients ask them.
func firstFound[P any](cfg aws.Config, ask func(P) (bool, bool, error)) bool {
	for _, s := range cfg.ConfigSources {
		if p, ok := s.(P); ok {
			if v, found, err := ask(p); err != nil || found {
				return err == nil && v
			}
		}
	}
	return false
}
