// Package consumer runs a context's event subscriptions the same way everywhere: an EventBridge rule puts
// each event on the context's SQS queue, the function's event source mapping hands the messages over in
// batches (sqs.go), every event's log carries its correlation id, its detail is decoded into its contract
// type, and a failure is reported so the queue redelivers the event (the replay repairs a lost publish).
package consumer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/logging"
)

// ErrPoison marks an event that can never be handled: a body or detail that does not decode, or a detail
// without its required fields. It is reported like any failure, so the queue's redrive policy moves it to
// the dead-letter queue for inspection instead of it being dropped.
var ErrPoison = errors.New("poison event")

// Route handles one detail-type.
type Route func(ctx context.Context, detail json.RawMessage) error

// On decodes the detail into T and runs handle when valid accepts it.
func On[T any](valid func(*T) bool, handle func(context.Context, *T) error) Route {
	return func(ctx context.Context, detail json.RawMessage) error {
		ev, err := contracts.Decode[T](detail)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrPoison, err)
		}
		if !valid(&ev) {
			return fmt.Errorf("%w: %T without its required fields", ErrPoison, ev)
		}
		return handle(ctx, &ev)
	}
}

// Consumer dispatches EventBridge events on their detail-type.
type Consumer struct {
	Logger *slog.Logger
	Routes map[string]Route
}

func (c Consumer) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.Default()
	}
	return c.Logger
}

// handle runs one event; ctx carries the event's logger.
func (c Consumer) handle(ctx context.Context, ev events.EventBridgeEvent) error {
	route, ok := c.Routes[ev.DetailType]
	if !ok {
		logging.From(ctx).Warn("ignoring an event this function does not consume", "source", ev.Source)
		return nil
	}
	if err := route(ctx, ev.Detail); err != nil {
		return err
	}
	logging.From(ctx).Info("event handled")
	return nil
}
