// Package awsconfig builds the one AWS SDK configuration every function shares, from the environment
// Lambda gives a function: the execution role's credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN) and AWS_REGION. AWS_ENDPOINT_URL_<SERVICE> (set by the local cloud) and
// AWS_ENDPOINT_URL redirect any client without a line of "local" code.
//
// Why not config.LoadDefaultConfig: it links every credential provider a function never uses on Lambda
// (SSO, SSO OIDC, STS, sign-in, IMDS, container and process credentials, shared config files), 1.6 to
// 2.0 MB of each bootstrap. What it reads from the environment that applies to a function is read here
// the same way (the same variables, precedence, defaults and errors): region, static credentials,
// configured endpoints (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>,
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS), AWS_USE_FIPS_ENDPOINT, AWS_USE_DUALSTACK_ENDPOINT,
// AWS_MAX_ATTEMPTS and AWS_RETRY_MODE.
package awsconfig

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/logging"
)

// credentialsSource is the name config.LoadDefaultConfig gives credentials read from the environment.
const credentialsSource = "EnvConfigCredentials"

// Load returns the configuration the environment describes. Without an access key pair it fails: no
// request could be signed.
func Load(context.Context) (aws.Config, error) {
	src, err := readEnv()
	if err != nil {
		return aws.Config{}, fmt.Errorf("load aws config: %w", err)
	}
	creds := aws.Credentials{
		AccessKeyID:     firstEnv("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY"),
		SecretAccessKey: firstEnv("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY"),
		Source:          credentialsSource,
	}
	if !creds.HasKeys() {
		return aws.Config{}, errors.New("load aws config: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set")
	}
	creds.SessionToken = os.Getenv("AWS_SESSION_TOKEN")
	creds.AccountID = os.Getenv("AWS_ACCOUNT_ID")

	cfg := aws.Config{
		Region: firstEnv("AWS_REGION", "AWS_DEFAULT_REGION"),
		Credentials: aws.NewCredentialsCache(credentials.StaticCredentialsProvider{
			Value: creds, Source: []aws.CredentialSource{aws.CredentialSourceEnvVars},
		}),
		Logger:        logging.NewStandardLogger(os.Stderr),
		ConfigSources: []any{src},
		DefaultsMode:  aws.DefaultsModeLegacy,
		// config.LoadDefaultConfig's defaults for what the environment leaves unset.
		RequestMinCompressSizeBytes: 10240,
		AccountIDEndpointMode:       aws.AccountIDEndpointModePreferred,
		RequestChecksumCalculation:  aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation:  aws.ResponseChecksumValidationWhenSupported,
	}
	if v := os.Getenv("AWS_ENDPOINT_URL"); v != "" && !src.ignoreEndpoints {
		cfg.BaseEndpoint = aws.String(v)
	}
	if v := os.Getenv("AWS_MAX_ATTEMPTS"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return aws.Config{}, fmt.Errorf("load aws config: invalid value AWS_MAX_ATTEMPTS=%s: %w", v, err)
		}
		cfg.RetryMaxAttempts = int(n)
	}
	if v := os.Getenv("AWS_RETRY_MODE"); v != "" {
		mode, err := aws.ParseRetryMode(v)
		if err != nil {
			return aws.Config{}, fmt.Errorf("load aws config: invalid AWS_RETRY_MODE value: %w", err)
		}
		cfg.RetryMode = mode
	}
	return cfg, nil
}

// envSource answers the SDK clients' questions about configured endpoints (they look for these methods
// on aws.Config.ConfigSources), as config's EnvConfig does.
type envSource struct {
	ignoreEndpoints, ignoreSet bool
	fips                       aws.FIPSEndpointState
	dualStack                  aws.DualStackEndpointState
}

func readEnv() (envSource, error) {
	var src envSource
	var err error
	if src.ignoreEndpoints, src.ignoreSet, err = envBool("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"); err != nil {
		return src, err
	}
	fips, fipsSet, err := envBool("AWS_USE_FIPS_ENDPOINT")
	if err != nil {
		return src, err
	}
	if fipsSet {
		src.fips = aws.FIPSEndpointStateDisabled
		if fips {
			src.fips = aws.FIPSEndpointStateEnabled
		}
	}
	dualStack, dualStackSet, err := envBool("AWS_USE_DUALSTACK_ENDPOINT")
	if err != nil {
		return src, err
	}
	if dualStackSet {
		src.dualStack = aws.DualStackEndpointStateDisabled
		if dualStack {
			src.dualStack = aws.DualStackEndpointStateEnabled
		}
	}
	return src, nil
}

// GetServiceBaseEndpoint is AWS_ENDPOINT_URL_<service id in upper case, spaces as underscores>.
func (envSource) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	v := os.Getenv("AWS_ENDPOINT_URL_" + strings.ReplaceAll(strings.ToUpper(sdkID), " ", "_"))
	return v, v != "", nil
}

// GetIgnoreConfiguredEndpoints is AWS_IGNORE_CONFIGURED_ENDPOINT_URLS.
func (s envSource) GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error) {
	return s.ignoreEndpoints, s.ignoreSet, nil
}

// GetUseFIPSEndpoint is AWS_USE_FIPS_ENDPOINT.
func (s envSource) GetUseFIPSEndpoint(context.Context) (aws.FIPSEndpointState, bool, error) {
	return s.fips, s.fips != aws.FIPSEndpointStateUnset, nil
}

// GetUseDualStackEndpoint is AWS_USE_DUALSTACK_ENDPOINT.
func (s envSource) GetUseDualStackEndpoint(context.Context) (aws.DualStackEndpointState, bool, error) {
	return s.dualStack, s.dualStack != aws.DualStackEndpointStateUnset, nil
}

// envBool reads true or false (any case); unset or empty is not set, anything else an error.
func envBool(key string) (value, set bool, err error) {
	v := os.Getenv(key)
	switch {
	case v == "":
		return false, false, nil
	case strings.EqualFold(v, "true"):
		return true, true, nil
	case strings.EqualFold(v, "false"):
		return false, true, nil
	}
	return false, false, fmt.Errorf("invalid value for environment variable, %s=%s, need true or false", key, v)
}

func firstEnv(keys ...string) string {
	for _, k := range keys {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return ""
}
