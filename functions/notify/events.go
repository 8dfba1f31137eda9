package main

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/streamrec"
)

// StreamHandler turns MyPagesTable stream records into SMS.
type StreamHandler struct {
	notifier *Notifier
	logger   *slog.Logger
}

// NewStreamHandler returns the stream handler.
func NewStreamHandler(notifier *Notifier, logger *slog.Logger) *StreamHandler {
	return &StreamHandler{notifier: notifier, logger: logger}
}

// correlated is the correlation id a view row carries, for the logs.
type correlated struct {
	CorrelationID string `dynamodbav:"correlationId"`
}

// batchWorkers bounds how many bookings of one batch are notified at the same time.
const batchWorkers = 8

// Handle sends the batch's SMS, different bookings concurrently and each booking's records in stream
// order, so a booking's messages go out in the order its statuses changed. At a booking's first failing
// record that booking stops; the lowest failed record and every later one are reported, and messages of
// other bookings that were already sent are skipped on the retry by their idempotency claims.
func (h *StreamHandler) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	requestID := ""
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		requestID = lc.AwsRequestID
	}
	return streamrec.ProcessByKey(ctx, ev.Records, batchWorkers, func(rec events.DynamoDBEventRecord) string {
		return streamrec.StringAttr(rec.Change.NewImage, "orderId")
	}, func(ctx context.Context, rec events.DynamoDBEventRecord) error {
		return h.handleRecord(ctx, requestID, rec)
	}), nil
}

func (h *StreamHandler) handleRecord(ctx context.Context, requestID string, rec events.DynamoDBEventRecord) error {
	if rec.EventName != "INSERT" && rec.EventName != "MODIFY" {
		return nil
	}
	var newImg, oldImg Image
	var corr correlated
	if err := decodeImages(rec, &newImg, &oldImg, &corr); err != nil {
		// A malformed image can never succeed on retry; blocking the shard would stall every booking.
		h.logger.Error("skipping undecodable mypage record", "sequenceNumber", rec.Change.SequenceNumber, "error", err.Error())
		return nil
	}
	ctx = logging.With(ctx, h.logger, requestID, corr.CorrelationID)
	if err := h.notifier.Notify(ctx, newImg, ToNotify(oldImg, newImg)); err != nil {
		logging.From(ctx).Error("notify", "orderId", newImg.OrderID, "error", err.Error())
		return err
	}
	return nil
}

func decodeImages(rec events.DynamoDBEventRecord, newImg, oldImg *Image, corr *correlated) error {
	if err := streamrec.Unmarshal(rec.Change.NewImage, newImg); err != nil {
		return err
	}
	if err := streamrec.Unmarshal(rec.Change.NewImage, corr); err != nil {
		return err
	}
	if len(rec.Change.OldImage) == 0 {
		return nil
	}
	return streamrec.Unmarshal(rec.Change.OldImage, oldImg)
}
