package lambdamux

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestDispatchByShape(t *testing.T) {
	var got string
	h := Handlers{
		API: func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			got = "api " + req.RouteKey
			return events.APIGatewayV2HTTPResponse{StatusCode: 200}, nil
		},
		SQS: func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
			got = "sqs " + ev.Records[0].MessageId
			if ev.Records[0].MessageId == "bad" {
				return events.SQSEventResponse{}, errors.New("bad")
			}
			return events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}, nil
		},
		Stream: func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
			got = "stream " + ev.Records[0].Change.SequenceNumber
			return events.DynamoDBEventResponse{}, nil
		},
		Direct: func(ctx context.Context, payload json.RawMessage) (any, error) {
			got = "direct"
			return map[string]string{"ok": "yes"}, nil
		},
		Schedule: func(ctx context.Context, ev events.EventBridgeEvent) error {
			got = "schedule " + ev.Resources[0]
			if ev.ID == "bad" {
				return errors.New("bad")
			}
			return nil
		},
	}
	tests := []struct {
		payload, want string
		wantErr       bool
	}{
		{`{"version":"2.0","routeKey":"GET /x","requestContext":{}}`, "api GET /x", false},
		{`{"Records":[{"messageId":"m1","eventSource":"aws:sqs","body":"{}"}]}`, "sqs m1", false},
		{`{"Records":[{"messageId":"bad","eventSource":"aws:sqs","body":"{}"}]}`, "sqs bad", true},
		{`{"Records":[{"eventName":"INSERT","eventSource":"aws:dynamodb","dynamodb":{"SequenceNumber":"7"}}]}`, "stream 7", false},
		{`{"Records":[{"eventName":"INSERT","dynamodb":{"SequenceNumber":"8"}}]}`, "stream 8", false},
		{`{"detail-type":"OrderPlaced","source":"calltaxi.order","detail":{}}`, "", true}, // EventBridge delivers through the queue only
		{`{"version":"0","id":"e1","detail-type":"Scheduled Event","source":"aws.events","account":"123456789012","time":"2026-11-30T00:00:00Z","region":"ap-northeast-2","resources":["arn:aws:events:ap-northeast-2:123456789012:rule/sweep"],"detail":{}}`, "schedule arn:aws:events:ap-northeast-2:123456789012:rule/sweep", false},
		{`{"id":"bad","detail-type":"Scheduled Event","source":"aws.events","resources":["r"],"detail":{}}`, "schedule r", true},
		{`{"detail-type":"Scheduled Event","source":"calltaxi.order","detail":{}}`, "", true}, // only aws.events schedules
		{`{"action":"charge"}`, "direct", false},
		{`[1,2]`, "", true},
	}
	for _, tt := range tests {
		got = ""
		_, err := h.Invoke(context.Background(), []byte(tt.payload))
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("%s → %q, %v", tt.payload, got, err)
		}
	}
	if _, err := (Handlers{}).Invoke(context.Background(), []byte(`{"routeKey":"GET /x"}`)); !errors.Is(err, ErrUnknownPayload) {
		t.Errorf("no handler: err = %v", err)
	}
}

func TestSQSBatchAnswer(t *testing.T) {
	tests := []struct {
		name, payload, want string
		h                   Handlers
	}{
		{"partial batch response", `{"Records":[{"messageId":"m1","eventSource":"aws:sqs"},{"messageId":"m2","eventSource":"aws:sqs"}]}`,
			`{"batchItemFailures":[{"itemIdentifier":"m2"}]}`, Handlers{SQS: func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
				return events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: ev.Records[1].MessageId}}}, nil
			}}},
		{"empty batch without a stream goes to the queue", `{"Records":[]}`, `{"batchItemFailures":[]}`,
			Handlers{SQS: func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
				return events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}, nil
			}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := tt.h.Invoke(context.Background(), []byte(tt.payload))
			if err != nil || string(out) != tt.want {
				t.Errorf("answer %s, %v; want %s", out, err, tt.want)
			}
		})
	}
	if _, err := (Handlers{Stream: func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		return events.DynamoDBEventResponse{}, nil
	}}).Invoke(context.Background(), []byte(`{"Records":[{"messageId":"m1","eventSource":"aws:sqs"}]}`)); !errors.Is(err, ErrUnknownPayload) {
		t.Errorf("SQS batch to a stream-only function: err = %v", err)
	}
}
