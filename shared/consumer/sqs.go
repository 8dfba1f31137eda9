package consumer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/logging"
)

// HandleSQS is the handler of the consumer's SQS event source mapping, which must be configured with
// FunctionResponseTypes [ReportBatchItemFailures]. Each message body is the EventBridge event (version,
// id, detail-type, source, …, detail) that the rule put on the queue.
//
// The answer is a partial batch response (Lambda developer guide, "Handling errors for an SQS event source
// in Lambda", section "Implementing partial batch responses"): the messageId of every message whose
// handling failed, so only those become visible again and the others are deleted. A poison message is
// reported too: it can never succeed, and after the queue's maxReceiveCount receives its redrive policy
// moves it to the dead-letter queue, where it can be inspected and redriven. HandleSQS never returns an
// error, because a function error would make every message of the batch visible again, handled or not.
//
// Messages are handled in order, each on its own: a failure does not hold back the later ones. No handler
// depends on the order of one booking's events, since each decides from the row it keeps (a cancel that
// overtakes the create leaves a tombstone, an answer for a stale attempt changes nothing), so a failed
// message redelivered after a later one has been handled ends in the same state as in order. Nor is an
// event id remembered: a message may arrive twice (SQS delivers at least once, and the outbox republishes
// a change with the same id after a failed PutEvents), and every handler is idempotent on its own row
// through conditional writes.
func (c Consumer) HandleSQS(ctx context.Context, batch events.SQSEvent) (events.SQSEventResponse, error) {
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for _, msg := range batch.Records {
		if err := c.handleMessage(ctx, msg); err != nil {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
		}
	}
	return resp, nil
}

// handleMessage decodes and runs one message, logging its outcome under its message and event ids.
func (c Consumer) handleMessage(ctx context.Context, msg events.SQSMessage) error {
	ev, err := decodeBody(msg.Body)
	var meta contracts.Meta
	_ = json.Unmarshal(ev.Detail, &meta) // best effort, for the log context only
	logger := c.logger().With("messageId", msg.MessageId, "eventId", meta.EventID, "busEventId", ev.ID,
		"event", ev.DetailType, "receiveCount", msg.Attributes["ApproximateReceiveCount"])
	ctx = logging.With(ctx, logger, requestID(ctx), meta.CorrelationID)
	if err == nil {
		// Past the deadline every call would fail: report the rest of the batch without starting it.
		if err = ctx.Err(); err != nil {
			err = fmt.Errorf("not started: %w", err)
		} else {
			err = c.handle(ctx, ev)
		}
	}
	switch {
	case errors.Is(err, ErrPoison):
		logging.From(ctx).Error("poison event reported: the queue moves it to its dead-letter queue after maxReceiveCount receives", "error", err.Error())
	case err != nil:
		logging.From(ctx).Error("event handling failed, reported for redelivery", "error", err.Error())
	}
	return err
}

// decodeBody reads a message body as the EventBridge event it carries; on failure what could be read is
// still returned, for the log.
func decodeBody(body string) (events.EventBridgeEvent, error) {
	var ev events.EventBridgeEvent
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		return ev, fmt.Errorf("%w: message body is not an EventBridge event: %w", ErrPoison, err)
	}
	if ev.DetailType == "" || len(ev.Detail) == 0 {
		return ev, fmt.Errorf("%w: message body has no detail-type or no detail", ErrPoison)
	}
	return ev, nil
}

func requestID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return lc.AwsRequestID
	}
	return ""
}
