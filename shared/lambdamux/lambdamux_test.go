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
		EventBridge: func(ctx context.Context, ev events.EventBridgeEvent) error {
			got = "bus " + ev.DetailType
			if ev.DetailType == "Bad" {
				return errors.New("bad")
			}
			return nil
		},
		Stream: func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
			got = "stream " + ev.Records[0].Change.SequenceNumber
			return events.DynamoDBEventResponse{}, nil
		},
		Direct: func(ctx context.Context, payload json.RawMessage) (any, error) {
			got = "direct"
			return map[string]string{"ok": "yes"}, nil
		},
	}
	tests := []struct {
		payload, want string
		wantErr       bool
	}{
		{`{"version":"2.0","routeKey":"GET /x","requestContext":{}}`, "api GET /x", false},
		{`{"detail-type":"OrderPlaced","source":"calltaxi.order","detail":{}}`, "bus OrderPlaced", false},
		{`{"detail-type":"Bad","detail":{}}`, "bus Bad", true},
		{`{"Records":[{"eventName":"INSERT","dynamodb":{"SequenceNumber":"7"}}]}`, "stream 7", false},
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
