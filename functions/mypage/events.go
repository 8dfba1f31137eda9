package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/calltaxi/call-taxi/shared/ddbitem"
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/streamrec"
)

// StreamHandler projects Orders, Payments and Reservations stream records into the view.
type StreamHandler struct {
	svc    *Service
	logger *slog.Logger
	now    func() time.Time
}

// NewStreamHandler returns the stream handler.
func NewStreamHandler(svc *Service, logger *slog.Logger) *StreamHandler {
	return &StreamHandler{svc: svc, logger: logger, now: time.Now}
}

// batchWorkers bounds how many orders of one batch are projected at the same time.
const batchWorkers = 8

// Handle projects the batch's records, different orders concurrently and each order's records in stream
// order. At an order's first failing record that order stops; the lowest failed record and every later
// one are reported, so the retry starts there. Records of other orders after it that did succeed come
// back and are skipped as stale by the version checks.
func (h *StreamHandler) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	requestID := ""
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		requestID = lc.AwsRequestID
	}
	return streamrec.ProcessByKey(ctx, ev.Records, batchWorkers, recordOrderID, func(ctx context.Context, rec events.DynamoDBEventRecord) error {
		return h.handleRecord(ctx, requestID, rec)
	}), nil
}

// recordOrderID is the order a source row belongs to: its orderId, or the id of an order row ("" if
// neither is there; such a record is handled on its own).
func recordOrderID(rec events.DynamoDBEventRecord) string {
	if id := streamrec.StringAttr(rec.Change.NewImage, "orderId"); id != "" {
		return id
	}
	return streamrec.StringAttr(rec.Change.NewImage, "id")
}

func (h *StreamHandler) handleRecord(ctx context.Context, requestID string, rec events.DynamoDBEventRecord) error {
	if rec.EventName == "REMOVE" || len(rec.Change.NewImage) == 0 {
		return nil // rows are never deleted by the domain; a delete says nothing about the booking
	}
	var src SourceRecord
	if err := streamrec.Unmarshal(rec.Change.NewImage, &src); err != nil {
		// A malformed image can never succeed on retry; blocking the shard would stall every booking.
		h.logger.Error("skipping undecodable stream record", "sequenceNumber", rec.Change.SequenceNumber, "error", err.Error())
		return nil
	}
	if src.Entity == EntityOrder && src.OrderID == "" {
		src.OrderID = src.ID
	}
	ctx = logging.With(ctx, h.logger, requestID, src.CorrelationID)
	log := logging.From(ctx)
	if !KnownEntity(src.Entity) || src.OrderID == "" {
		log.Warn("skipping stream record that is not an order, payment or reservation", "entity", src.Entity, "sequenceNumber", rec.Change.SequenceNumber)
		return nil
	}
	changed, err := h.svc.Project(ctx, src, h.recordTime(src, rec))
	if err != nil {
		log.Error("project stream record", "entity", src.Entity, "orderId", src.OrderID, "version", src.Version, "error", err.Error())
		return err
	}
	log.Debug("projected stream record", "entity", src.Entity, "orderId", src.OrderID, "version", src.Version, "changed", changed)
	return nil
}

// recordTime is when the source row was written: its updatedAt, else the stream's own timestamp.
func (h *StreamHandler) recordTime(src SourceRecord, rec events.DynamoDBEventRecord) string {
	if src.UpdatedAt != "" {
		return src.UpdatedAt
	}
	if t := rec.Change.ApproximateCreationDateTime.Time; !t.IsZero() {
		return t.UTC().Format(ddbitem.TimeLayout)
	}
	return h.now().UTC().Format(ddbitem.TimeLayout)
}
