// Package lambdamux lets one function serve several triggers (HTTP API, an SQS queue of EventBridge events,
// DynamoDB Streams, an EventBridge schedule, direct invoke) by looking at the shape of the payload, as a Lambda that owns a bounded
// context must.
package lambdamux

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// Handlers are the triggers a function accepts; nil ones are refused.
type Handlers struct {
	API    func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
	SQS    func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) // the queue of the context's EventBridge rule
	Stream func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error)
	Direct func(ctx context.Context, payload json.RawMessage) (any, error) // Lambda Invoke from another context
	// Schedule receives a SAM Schedule event (an EventBridge rule's "Scheduled Event" from aws.events).
	Schedule func(ctx context.Context, ev events.EventBridgeEvent) error
}

var _ lambda.Handler = Handlers{}

// ErrUnknownPayload is returned for a payload no handler accepts.
var ErrUnknownPayload = errors.New("lambdamux: payload matches no trigger of this function")

type probe struct {
	RouteKey   string `json:"routeKey"`
	Source     string `json:"source"`
	DetailType string `json:"detail-type"`
	Records    []struct {
		EventSource string `json:"eventSource"`
	} `json:"Records"`
}

// fromSQS tells a batch of SQS messages (eventSource aws:sqs) from a stream's by its first record. Lambda
// never sends an empty batch; one goes to the SQS handler unless the function has a stream.
func (p probe) fromSQS(h Handlers) bool {
	if len(p.Records) == 0 {
		return h.Stream == nil
	}
	return p.Records[0].EventSource == "aws:sqs"
}

// isScheduled tells the event an EventBridge schedule sends ("Scheduled Event" from aws.events); any
// other EventBridge event reaches a function only through its queue.
func (p probe) isScheduled() bool {
	return p.Source == "aws.events" && p.DetailType == "Scheduled Event"
}

// Invoke implements lambda.Handler.
func (h Handlers) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var p probe
	if err := json.Unmarshal(payload, &p); err != nil {
		return nil, fmt.Errorf("lambdamux: payload is not a JSON object: %w", err)
	}
	var (
		out any
		err error
	)
	switch {
	case p.RouteKey != "" && h.API != nil:
		var req events.APIGatewayV2HTTPRequest
		if err = json.Unmarshal(payload, &req); err == nil {
			out, err = h.API(ctx, req)
		}
	case p.Records != nil && p.fromSQS(h) && h.SQS != nil:
		var ev events.SQSEvent
		if err = json.Unmarshal(payload, &ev); err == nil {
			out, err = h.SQS(ctx, ev)
		}
	case p.Records != nil && !p.fromSQS(h) && h.Stream != nil:
		var ev events.DynamoDBEvent
		if err = json.Unmarshal(payload, &ev); err == nil {
			out, err = h.Stream(ctx, ev)
		}
	case p.isScheduled() && h.Schedule != nil:
		var ev events.EventBridgeEvent
		if err = json.Unmarshal(payload, &ev); err == nil {
			err = h.Schedule(ctx, ev)
		}
		out = struct{}{}
	case h.Direct != nil && p.RouteKey == "" && p.DetailType == "" && p.Records == nil:
		out, err = h.Direct(ctx, payload)
	default:
		return nil, ErrUnknownPayload
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(out)
}
