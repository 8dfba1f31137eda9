// Package consumer runs a context's EventBridge subscriptions the same way everywhere: the log carries
// the event's correlation id, the detail is decoded into its contract type, a poison event is logged and
// acknowledged, and a failure is returned so EventBridge retries (the replay repairs a lost publish).
package consumer

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/logging"
)

// Route handles one detail-type.
type Route func(ctx context.Context, log *slog.Logger, detail json.RawMessage) error

// On decodes the detail into T and runs handle when valid accepts it. A detail that cannot be decoded or
// lacks its required fields is dropped: retrying a poison event can never succeed, and the dead-letter
// queue is for transient failures.
func On[T any](valid func(*T) bool, handle func(context.Context, *T) error) Route {
	return func(ctx context.Context, log *slog.Logger, detail json.RawMessage) error {
		ev, err := contracts.Decode[T](detail)
		if err != nil {
			log.Error("dropping malformed event", "error", err.Error())
			return nil
		}
		if !valid(&ev) {
			log.Error("dropping event without its required fields")
			return nil
		}
		return handle(ctx, &ev)
	}
}

// Consumer dispatches EventBridge events on their detail-type.
type Consumer struct {
	Logger *slog.Logger
	Routes map[string]Route
}

// Handle is the EventBridge trigger's handler.
func (c Consumer) Handle(ctx context.Context, ev events.EventBridgeEvent) error {
	var meta contracts.Meta
	_ = json.Unmarshal(ev.Detail, &meta) // best effort, for the log context only
	requestID := ""
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		requestID = lc.AwsRequestID
	}
	logger := c.Logger
	if logger == nil {
		logger = slog.Default()
	}
	ctx = logging.With(ctx, logger, requestID, meta.CorrelationID)
	log := logging.From(ctx).With("event", ev.DetailType, "eventId", meta.EventID)

	route, ok := c.Routes[ev.DetailType]
	if !ok {
		log.Warn("ignoring an event this function does not consume", "source", ev.Source)
		return nil
	}
	if err := route(ctx, log, ev.Detail); err != nil {
		log.Error("event handling failed, EventBridge will retry", "error", err.Error())
		return err
	}
	log.Info("event handled")
	return nil
}
