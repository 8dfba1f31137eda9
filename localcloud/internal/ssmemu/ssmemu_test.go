package ssmemu

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
)

// client is the real SDK client against the emulator, as a function in the local cloud has it.
func client(t *testing.T, svc *Service) *ssm.Client {
	t.Helper()
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	return ssm.New(ssm.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("local", "local", ""),
		RetryMaxAttempts: 1,
	})
}

func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// SSM API reference, GetParameter: "Get information about a single parameter by specifying the parameter
// name" — the value, its Type and Version, the ARN; an unknown name is ParameterNotFound, and
// "name:version" selects an earlier version (ParameterVersionNotFound when there is none).
func TestGetParameter(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	svc := New(Options{Region: "us-east-1", AccountID: "123456789012", Now: func() time.Time { return now }})
	c := client(t, svc)
	for _, v := range []string{"3800", "5000"} {
		if _, err := svc.Put(PutInput{Name: "/stack/min-taxi-price", Value: v, Type: TypeString, Overwrite: true}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name        string
		want        string
		wantVersion int64
		wantErr     string
	}{
		{"/stack/min-taxi-price", "5000", 2, ""},
		{"/stack/min-taxi-price:1", "3800", 1, ""},
		{"/stack/min-taxi-price:3", "", 0, "ParameterVersionNotFound"},
		{"/stack/missing", "", 0, "ParameterNotFound"},
	}
	for _, tt := range tests {
		out, err := c.GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String(tt.name)})
		if tt.wantErr != "" {
			if errorCode(err) != tt.wantErr {
				t.Errorf("%s: err = %v, want %s", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		p := out.Parameter
		if aws.ToString(p.Value) != tt.want || p.Version != tt.wantVersion || p.Type != types.ParameterTypeString ||
			aws.ToString(p.Name) != "/stack/min-taxi-price" || aws.ToString(p.ARN) != "arn:aws:ssm:us-east-1:123456789012:parameter/stack/min-taxi-price" ||
			!aws.ToTime(p.LastModifiedDate).Equal(now) {
			t.Errorf("%s: parameter = %+v", tt.name, p)
		}
	}
	// The SDK's modeled error type, which code can errors.As on.
	_, err := c.GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String("/stack/missing")})
	var nf *types.ParameterNotFound
	if !errors.As(err, &nf) {
		t.Errorf("err = %T %v, want *types.ParameterNotFound", err, err)
	}
}

// SSM API reference, PutParameter: "Add a parameter to the system"; an existing name without Overwrite
// is ParameterAlreadyExists; each overwrite returns the next Version; a value must match the parameter's
// AllowedPattern (ParameterPatternMismatchException); a name with "/" must be fully qualified.
func TestPutParameter(t *testing.T) {
	c := client(t, New(Options{}))
	ctx := context.Background()
	tests := []struct {
		name        string
		in          ssm.PutParameterInput
		wantVersion int64
		wantErr     string
	}{
		{"create", ssm.PutParameterInput{Name: aws.String("/s/p"), Value: aws.String("a"), Type: types.ParameterTypeString}, 1, ""},
		{"again without Overwrite", ssm.PutParameterInput{Name: aws.String("/s/p"), Value: aws.String("b"), Type: types.ParameterTypeString}, 0, "ParameterAlreadyExists"},
		{"overwrite", ssm.PutParameterInput{Name: aws.String("/s/p"), Value: aws.String("b"), Overwrite: aws.Bool(true)}, 2, ""},
		{"overwrite with the same value is a new version", ssm.PutParameterInput{Name: aws.String("/s/p"), Value: aws.String("b"), Overwrite: aws.Bool(true)}, 3, ""},
		{"create without a Type", ssm.PutParameterInput{Name: aws.String("/s/q"), Value: aws.String("a")}, 0, "ValidationException"},
		{"not fully qualified", ssm.PutParameterInput{Name: aws.String("s/p"), Value: aws.String("a"), Type: types.ParameterTypeString}, 0, "ValidationException"},
		{"reserved prefix", ssm.PutParameterInput{Name: aws.String("/aws/p"), Value: aws.String("a"), Type: types.ParameterTypeString}, 0, "ValidationException"},
		{"with a pattern", ssm.PutParameterInput{Name: aws.String("/s/n"), Value: aws.String("3800"), Type: types.ParameterTypeString, AllowedPattern: aws.String(`^\d+$`)}, 1, ""},
		{"pattern mismatch", ssm.PutParameterInput{Name: aws.String("/s/n"), Value: aws.String("abc"), Overwrite: aws.Bool(true)}, 0, "ParameterPatternMismatchException"},
	}
	for _, tt := range tests {
		out, err := c.PutParameter(ctx, &tt.in)
		if tt.wantErr != "" {
			if errorCode(err) != tt.wantErr {
				t.Errorf("%s: err = %v, want %s", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || out.Version != tt.wantVersion || out.Tier != types.ParameterTierStandard {
			t.Errorf("%s: PutParameter = %+v, %v; want version %d", tt.name, out, err, tt.wantVersion)
		}
	}
	got, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/s/p")})
	if err != nil || aws.ToString(got.Parameter.Value) != "b" || got.Parameter.Version != 3 {
		t.Errorf("after the puts: %+v, %v", got, err)
	}
	var exists *types.ParameterAlreadyExists
	if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/s/p"), Value: aws.String("c")}); !errors.As(err, &exists) ||
		!strings.Contains(err.Error(), "set the overwrite option") {
		t.Errorf("err = %v, want *types.ParameterAlreadyExists", err)
	}
}

// SSM API reference, GetParameters: the names found are Parameters, the others InvalidParameters (not an
// error); 1 to 10 names.
func TestGetParametersAndDescribe(t *testing.T) {
	svc := New(Options{})
	c := client(t, svc)
	ctx := context.Background()
	for _, name := range []string{"/s/a", "/s/b"} {
		if _, err := svc.Put(PutInput{Name: name, Value: "v" + name, Type: TypeString, Description: "d"}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := c.GetParameters(ctx, &ssm.GetParametersInput{Names: []string{"/s/a", "/s/missing", "/s/b"}})
	if err != nil || len(out.Parameters) != 2 || aws.ToString(out.Parameters[1].Value) != "v/s/b" || len(out.InvalidParameters) != 1 || out.InvalidParameters[0] != "/s/missing" {
		t.Errorf("GetParameters = %+v, %v", out, err)
	}
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = "/s/a"
	}
	if _, err := c.GetParameters(ctx, &ssm.GetParametersInput{Names: eleven}); errorCode(err) != "ValidationException" {
		t.Errorf("11 names: err = %v", err)
	}
	desc, err := c.DescribeParameters(ctx, &ssm.DescribeParametersInput{})
	if err != nil || len(desc.Parameters) != 2 || aws.ToString(desc.Parameters[0].Name) != "/s/a" || desc.Parameters[0].Version != 1 || aws.ToString(desc.Parameters[0].Description) != "d" {
		t.Errorf("DescribeParameters = %+v, %v", desc, err)
	}
	if _, err := c.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String("/s/a")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String("/s/a")}); errorCode(err) != "ParameterNotFound" {
		t.Errorf("second delete: err = %v", err)
	}
	if _, err := c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("/s/b"), Labels: []string{"x"}}); errorCode(err) != "UnknownOperationException" {
		t.Errorf("an operation not emulated: err = %v", err)
	}
}

// SSM API reference, ParameterMaxVersionLimitExceeded: "Parameter Store retains the 100 most recently
// created versions of a parameter ... deletes the oldest version when a new one is created"; the
// version numbers go on counting.
func TestParameterStoreRetainsTheNewest100Versions(t *testing.T) {
	c := client(t, New(Options{}))
	ctx := context.Background()
	for i := 1; i <= 103; i++ {
		out, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/s/v"), Value: aws.String(fmt.Sprintf("value %d", i)),
			Type: types.ParameterTypeString, Overwrite: aws.Bool(i > 1)})
		if err != nil || out.Version != int64(i) {
			t.Fatalf("put %d: version %d, %v", i, out.Version, err)
		}
	}
	tests := []struct {
		selector  string
		wantValue string
		wantErr   string
	}{
		{"", "value 103", ""},
		{":103", "value 103", ""},
		{":4", "value 4", ""},
		{":3", "", "ParameterVersionNotFound"},
		{":1", "", "ParameterVersionNotFound"},
		{":104", "", "ParameterVersionNotFound"},
	}
	for _, tt := range tests {
		t.Run("name"+tt.selector, func(t *testing.T) {
			got, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/s/v" + tt.selector)})
			if tt.wantErr != "" {
				if errorCode(err) != tt.wantErr {
					t.Errorf("err = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || aws.ToString(got.Parameter.Value) != tt.wantValue {
				t.Errorf("GetParameter = %+v, %v; want %q", got, err, tt.wantValue)
			}
		})
	}
}
