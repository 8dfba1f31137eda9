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

// apiOrProbe decodes an HTTP API event and the probe's fields in one pass, so an API event (the hot
// path) is not decoded twice. None of the probe's keys is a field of the API event.
type apiOrProbe struct {
	events.APIGatewayV2HTTPRequest
	Source     string `json:"source"`
	DetailType string `json:"detail-type"`
	Records    []struct {
		EventSource string `json:"eventSource"`
	} `json:"Records"`
}

// decodeProbe returns the probe and, when the payload decoded cleanly as an API event too, that event.
// A payload that does not (another trigger's, whose fields clash with the API event's) is probed alone.
func decodeProbe(payload []byte) (probe, *events.APIGatewayV2HTTPRequest, error) {
	var both apiOrProbe
	if json.Unmarshal(payload, &both) == nil {
		p := probe{RouteKey: both.RouteKey, Source: both.Source, DetailType: both.DetailType, Records: both.Records}
		return p, &both.APIGatewayV2HTTPRequest, nil
	}
	var p probe
	if err := json.Unmarshal(payload, &p); err != nil {
		return probe{}, nil, fmt.Errorf("lambdamux: payload is not a JSON object: %w", err)
	}
	return p, nil, nil
}

// Invoke implements lambda.Handler.
func (h Handlers) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	p, api, err := decodeProbe(payload)
	if err != nil {
		return nil, err
	}
	var out any
	switch {
	case p.RouteKey != "" && h.API != nil:
		if api == nil {
			var req events.APIGatewayV2HTTPRequest
			if err = json.Unmarshal(payload, &req); err != nil {
				return nil, err
			}
			api = &req
		}
		out, err = h.API(ctx, *api)
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
