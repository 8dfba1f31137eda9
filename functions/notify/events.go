package main

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/streamrec"
	"github.com/calltaxi/call-taxi/shared/validate"
)

// announceWindow is how long (seconds) a status waits for the next before its text goes: statuses reached
// within it (PAID and RESERVED usually arrive milliseconds apart) are announced in one text.
const announceWindow = 3

// StreamHandler reads the MyPagesTable stream and decides what to say: each new customer-visible status
// is recorded as pending on the booking's notification record and the booking is put on the SMS queue.
// It never calls SNS, so neither SMS throttling nor an SMS outage holds up the stream.
type StreamHandler struct {
	records *Records
	queue   Queue
	logger  *slog.Logger
}

// NewStreamHandler returns the stream handler.
func NewStreamHandler(records *Records, queue Queue, logger *slog.Logger) *StreamHandler {
	return &StreamHandler{records: records, queue: queue, logger: logger}
}

// correlated is the correlation id a view row carries, for the logs.
type correlated struct {
	CorrelationID string `dynamodbav:"correlationId"`
}

// batchWorkers bounds how many bookings of one batch are handled at the same time.
const batchWorkers = 8

// Handle handles the batch, different bookings concurrently and each booking's records in stream order.
// At a booking's first failing record that booking stops; the lowest failed record and every later one
// are reported, and the retry records nothing twice (pending statuses are a set).
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
	log := logging.From(ctx)
	var statuses []string
	for _, e := range ToNotify(oldImg, newImg) {
		if Announced(e.Status) {
			statuses = append(statuses, e.Status)
		}
	}
	if len(statuses) == 0 || newImg.OrderID == "" {
		return nil
	}
	if !validate.E164(newImg.Phone) {
		// Retrying cannot produce a phone number: tell the logs, not the customer.
		log.Warn("booking has no valid E.164 phone; SMS skipped", "orderId", newImg.OrderID, "statuses", len(statuses))
		return nil
	}
	newImg.Language = Language(newImg.Language, newImg.Phone)
	if err := h.records.AddPending(ctx, newImg, statuses); err != nil {
		log.Error("notify", "orderId", newImg.OrderID, "error", err.Error())
		return err
	}
	if err := h.queue.Enqueue(ctx, newImg.OrderID, announceWindow); err != nil {
		log.Error("notify", "orderId", newImg.OrderID, "error", err.Error())
		return err
	}
	log.Info("SMS queued", "orderId", newImg.OrderID, "statuses", statuses)
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
