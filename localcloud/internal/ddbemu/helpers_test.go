package ddbemu

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/logging"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

func ordersSpec(name, viewType string) TableSpec {
	return TableSpec{
		Name:      name,
		KeySchema: []KeyElement{{AttributeName: "id", KeyType: "HASH"}},
		AttributeDefinitions: []AttributeDefinition{
			{AttributeName: "id", AttributeType: "S"}, {AttributeName: "customerId", AttributeType: "S"}, {AttributeName: "createdAt", AttributeType: "S"},
		},
		GlobalSecondaryIndexes: []IndexSpec{{
			IndexName:      "customerId-createdAt-index",
			KeySchema:      []KeyElement{{AttributeName: "customerId", KeyType: "HASH"}, {AttributeName: "createdAt", KeyType: "RANGE"}},
			ProjectionType: "ALL",
		}},
		StreamViewType: viewType,
	}
}

// startService runs a service behind an httptest server and returns an SDK client for it.
func startService(t *testing.T, opts Options, specs ...TableSpec) (*Service, *dynamodb.Client) {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = quietLogger()
	}
	svc, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = svc.Close() })
	if err := svc.CreateTables(specs); err != nil {
		t.Fatalf("CreateTables: %v", err)
	}
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	return svc, sdkClient(srv.URL)
}

func withLogger(l logging.Logger) func(*dynamodb.Options) {
	return func(o *dynamodb.Options) { o.Logger = l }
}

func sdkClient(url string, optFns ...func(*dynamodb.Options)) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(url),
		RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local"}, nil
		}),
	}, optFns...)
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func num(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }

// plainImage renders a record image as attribute → string/number text, for comparisons.
func plainImage(img map[string]events.DynamoDBAttributeValue) map[string]string {
	if img == nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range img {
		switch v.DataType() {
		case events.DataTypeString:
			out[k] = v.String()
		case events.DataTypeNumber:
			out[k] = v.Number()
		default:
			out[k] = "?"
		}
	}
	return out
}
