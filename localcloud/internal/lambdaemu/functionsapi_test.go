package lambdaemu

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// ListFunctions and GetFunction as in the Lambda API reference (API_ListFunctions,
// API_GetFunction, API_FunctionConfiguration), through the real SDK client.
func TestFunctionsAPIThroughSDK(t *testing.T) {
	s := newTestService(t, Options{})
	five := 5
	registerTestFunction(t, s, "call-taxi-PaymentFunction", func(c *FunctionConfig) {
		c.ReservedConcurrency = &five
		c.Timeout = 15 * time.Second
		c.MemoryMB = 256
		c.Architectures = []string{"arm64"}
	})
	registerTestFunction(t, s, "call-taxi-OrderFunction", nil)
	registerTestFunction(t, s, "call-taxi-NotifyFunction", nil)
	client := newSDKClient(t, s)
	ctx := context.Background()
	const paymentARN = "arn:aws:lambda:us-east-1:123456789012:function:call-taxi-PaymentFunction"

	t.Run("ListFunctions", func(t *testing.T) {
		out, err := client.ListFunctions(ctx, &lambda.ListFunctionsInput{})
		if err != nil {
			t.Fatalf("ListFunctions: %v", err)
		}
		var names []string
		for _, f := range out.Functions {
			names = append(names, aws.ToString(f.FunctionName))
		}
		want := []string{"call-taxi-NotifyFunction", "call-taxi-OrderFunction", "call-taxi-PaymentFunction"}
		if !slices.Equal(names, want) || out.NextMarker != nil {
			t.Fatalf("functions = %v (next %v), want %v", names, aws.ToString(out.NextMarker), want)
		}
		order := out.Functions[1]
		if order.Runtime != types.RuntimeProvidedal2023 || aws.ToString(order.Handler) != "bootstrap" ||
			aws.ToInt32(order.Timeout) != 5 || aws.ToInt32(order.MemorySize) != 128 ||
			order.State != types.StateActive || aws.ToString(order.Version) != "$LATEST" ||
			!slices.Equal(order.Architectures, []types.Architecture{types.ArchitectureX8664}) {
			t.Errorf("configuration = %+v", order)
		}
	})

	t.Run("ListFunctions paginates", func(t *testing.T) {
		var names []string
		pages := lambda.NewListFunctionsPaginator(client, &lambda.ListFunctionsInput{MaxItems: aws.Int32(2)})
		n := 0
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				t.Fatalf("page %d: %v", n, err)
			}
			n++
			for _, f := range page.Functions {
				names = append(names, aws.ToString(f.FunctionName))
			}
		}
		if n != 2 || len(names) != 3 || !slices.IsSorted(names) {
			t.Errorf("%d pages: %v", n, names)
		}
	})

	tests := []struct {
		name, qualifier, arn, version string
		reserved                      *int32
	}{
		{"call-taxi-PaymentFunction", "", paymentARN, "$LATEST", aws.Int32(5)},
		{paymentARN, "", paymentARN, "$LATEST", aws.Int32(5)},
		{"call-taxi-PaymentFunction", "live", paymentARN + ":1", "1", aws.Int32(5)},
		{"call-taxi-OrderFunction", "", "arn:aws:lambda:us-east-1:123456789012:function:call-taxi-OrderFunction", "$LATEST", nil},
	}
	for _, tc := range tests {
		t.Run("GetFunction "+tc.name+" "+tc.qualifier, func(t *testing.T) {
			in := &lambda.GetFunctionInput{FunctionName: aws.String(tc.name)}
			if tc.qualifier != "" {
				in.Qualifier = aws.String(tc.qualifier)
			}
			out, err := client.GetFunction(ctx, in)
			if err != nil {
				t.Fatalf("GetFunction: %v", err)
			}
			c := out.Configuration
			if aws.ToString(c.FunctionArn) != tc.arn || aws.ToString(c.Version) != tc.version || c.State != types.StateActive ||
				c.Runtime != types.RuntimeProvidedal2023 || aws.ToString(c.Handler) != "bootstrap" {
				t.Errorf("configuration = arn %s version %s state %s runtime %s handler %s",
					aws.ToString(c.FunctionArn), aws.ToString(c.Version), c.State, c.Runtime, aws.ToString(c.Handler))
			}
			switch {
			case tc.reserved == nil && out.Concurrency != nil:
				t.Errorf("Concurrency = %+v for a function without reserved concurrency", out.Concurrency)
			case tc.reserved != nil && (out.Concurrency == nil || aws.ToInt32(out.Concurrency.ReservedConcurrentExecutions) != *tc.reserved):
				t.Errorf("Concurrency = %+v, want %d", out.Concurrency, *tc.reserved)
			}
			if tc.reserved != nil && (aws.ToInt32(c.Timeout) != 15 || aws.ToInt32(c.MemorySize) != 256 ||
				!slices.Equal(c.Architectures, []types.Architecture{types.ArchitectureArm64})) {
				t.Errorf("timeout %d memory %d architectures %v", aws.ToInt32(c.Timeout), aws.ToInt32(c.MemorySize), c.Architectures)
			}
		})
	}

	t.Run("GetFunction unknown", func(t *testing.T) {
		_, err := client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("nope")})
		var nf *types.ResourceNotFoundException
		if !errors.As(err, &nf) {
			t.Fatalf("err = %v (%T), want ResourceNotFoundException", err, err)
		}
	})
}
