package main

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/logging"
)

// Events consumes the reservation events the taxi context listens to.
type Events struct {
	service *Service
	logger  *slog.Logger
}

// Handle dispatches one EventBridge event. Store and publish failures are returned so EventBridge retries
// (the replay repairs a lost publish). A detail that cannot be decoded, or an event this function does not
// know, is logged and acknowledged: retrying a poison event can never succeed, and the DLQ is for
// transient failures.
func (h *Events) Handle(ctx context.Context, ev events.EventBridgeEvent) error {
	var meta contracts.Meta
	_ = json.Unmarshal(ev.Detail, &meta) // best effort, for the log context only
	requestID := ""
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		requestID = lc.AwsRequestID
	}
	ctx = logging.With(ctx, h.logger, requestID, meta.CorrelationID)
	log := logging.From(ctx).With("event", ev.DetailType, "eventId", meta.EventID)

	var err error
	switch ev.DetailType {
	case contracts.NameReservationConfirmed:
		err = dispatch(ctx, log, ev.Detail, func(e *contracts.ReservationConfirmed) bool {
			return e.ReservationID != "" && e.TaxiID != "" && e.Attempt > 0
		}, h.service.ReservationConfirmed)
	case contracts.NameReservationCanceled:
		err = dispatch(ctx, log, ev.Detail, func(e *contracts.ReservationCanceled) bool { return e.ReservationID != "" }, h.service.ReservationCanceled)
	default:
		log.Warn("ignoring an event this function does not consume", "source", ev.Source)
		return nil
	}
	if err != nil {
		log.Error("event handling failed, EventBridge will retry", "error", err.Error())
		return err
	}
	log.Info("event handled")
	return nil
}

// dispatch decodes the detail into T, drops a poison event (logged at ERROR) and runs the use case.
func dispatch[T any](ctx context.Context, log *slog.Logger, detail json.RawMessage, valid func(*T) bool, handle func(context.Context, *T) error) error {
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
