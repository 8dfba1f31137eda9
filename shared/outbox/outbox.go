// Package outbox publishes a context's domain events from its own table's DynamoDB stream: the table is
// the transactional outbox. A write that changes an item's state is the only thing a request path does;
// the stream record of that write (DynamoDB guarantees one, in order per item, for 24 hours) is turned
// into the events the change means and put on the bus by the context's own function, through its stream
// event source mapping. So no change is acknowledged without its event following, at least once, in
// order per item — even when PutEvents fails for a while and the customer who caused it walks away.
//
// Event ids are derived from the stream record (table + sequence number + event name): every redelivery
// of the same change publishes the same ids, so consumers can tell a duplicate from a new event.
package outbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/bus"
	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/streamrec"
)

// Derive maps one stream record of the context's table to the domain events its change means (none for
// a change nobody outside needs to hear about). It must be a pure function of the record: redeliveries
// must derive the same events. A malformed record is an error.
type Derive func(rec events.DynamoDBEventRecord) ([]contracts.Event, error)

// Handler publishes the events of a table's stream records.
type Handler struct {
	derive    Derive
	publisher bus.Publisher
	logger    *slog.Logger
}

// NewHandler returns the stream handler of a context's outbox.
func NewHandler(derive Derive, publisher bus.Publisher, logger *slog.Logger) *Handler {
	return &Handler{derive: derive, publisher: publisher, logger: logger}
}

// Handle publishes every record's events in order. At the first record that fails (a malformed record
// or a failed PutEvents) it stops and reports that record: AWS retries the shard from the lowest
// reported SequenceNumber ("Configuring partial batch response with DynamoDB and Lambda"), so events
// keep their per-item order and nothing after the failure is published twice before it.
func (h *Handler) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	var failures streamrec.Failures
	for i, rec := range ev.Records {
		if err := h.publish(ctx, rec); err != nil {
			h.logger.ErrorContext(ctx, "outbox: publishing a change failed; the stream will deliver it again",
				"sequenceNumber", rec.Change.SequenceNumber, "eventName", rec.EventName, "error", err.Error())
			for _, later := range ev.Records[i:] {
				failures.Add(later)
			}
			break
		}
	}
	return failures.Response(), nil
}

func (h *Handler) publish(ctx context.Context, rec events.DynamoDBEventRecord) error {
	evs, err := h.derive(rec)
	if err != nil {
		return fmt.Errorf("derive events: %w", err)
	}
	if len(evs) == 0 {
		return nil
	}
	occurred := rec.Change.ApproximateCreationDateTime.Time
	if occurred.IsZero() {
		occurred = time.Now()
	}
	for _, e := range evs {
		m := e.Base()
		m.EventID = EventID(rec, e.EventName())
		m.OccurredAt = occurred.UTC()
		if m.CorrelationID == "" {
			m.CorrelationID = stringAttr(rec.Change.NewImage, "correlationId")
		}
	}
	ctx = logging.With(ctx, h.logger, "", evs[0].Base().CorrelationID)
	if err := h.publisher.Publish(ctx, evs...); err != nil {
		return fmt.Errorf("publish %d event(s): %w", len(evs), err)
	}
	return nil
}

// EventID is the id of the event named name that record rec means: the same for every delivery of rec.
func EventID(rec events.DynamoDBEventRecord, name string) string {
	table := rec.EventSourceArn
	if i := strings.Index(table, "/stream/"); i >= 0 {
		table = table[:i]
	}
	sum := sha256.Sum256([]byte(table + "\x00" + rec.Change.SequenceNumber + "\x00" + name))
	return hex.EncodeToString(sum[:10])
}

// stringAttr reads a string attribute of an image, "" when absent or not a string.
func stringAttr(image map[string]events.DynamoDBAttributeValue, name string) string {
	v, ok := image[name]
	if !ok || v.DataType() != events.DataTypeString {
		return ""
	}
	return v.String()
}
