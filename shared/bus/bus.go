// Package bus publishes domain events to the EventBridge bus.
package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/ids"
	"github.com/calltaxi/call-taxi/shared/logging"
)

// Publisher is the port every publishing context depends on.
type Publisher interface {
	Publish(ctx context.Context, events ...contracts.Event) error
}

// PutEventsAPI is the one EventBridge call the adapter needs.
type PutEventsAPI interface {
	PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, opts ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

// EventBridge publishes to one bus.
type EventBridge struct {
	client  PutEventsAPI
	busName string
	now     func() time.Time
}

var _ Publisher = (*EventBridge)(nil)

// NewEventBridge returns a publisher to the named bus.
func NewEventBridge(client PutEventsAPI, busName string) *EventBridge {
	return &EventBridge{client: client, busName: busName, now: time.Now}
}

// maxEntries is PutEvents' per-call limit.
const maxEntries = 10

// Publish stamps each event's envelope (id, time, correlation id from ctx) where empty and puts them all.
// Any entry that fails fails the call: the caller (a context's outbox stream handler, shared/outbox)
// reports the stream record as failed, and the stream delivers it again with the same event ids.
func (p *EventBridge) Publish(ctx context.Context, evs ...contracts.Event) error {
	for start := 0; start < len(evs); start += maxEntries {
		batch := evs[start:min(start+maxEntries, len(evs))]
		entries := make([]types.PutEventsRequestEntry, 0, len(batch))
		for _, ev := range batch {
			Stamp(ctx, ev, p.now())
			detail, err := json.Marshal(ev)
			if err != nil {
				return fmt.Errorf("encode %s: %w", ev.EventName(), err)
			}
			entries = append(entries, types.PutEventsRequestEntry{
				EventBusName: aws.String(p.busName),
				Source:       aws.String(ev.EventSource()),
				DetailType:   aws.String(ev.EventName()),
				Detail:       aws.String(string(detail)),
			})
		}
		out, err := p.client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
		if err != nil {
			return fmt.Errorf("put events: %w", err)
		}
		if out.FailedEntryCount > 0 {
			var errs []error
			for i, e := range out.Entries {
				if e.ErrorCode != nil {
					errs = append(errs, fmt.Errorf("%s: %s %s", batch[i].EventName(), aws.ToString(e.ErrorCode), aws.ToString(e.ErrorMessage)))
				}
			}
			return fmt.Errorf("put events: %d failed: %w", out.FailedEntryCount, errors.Join(errs...))
		}
		for _, ev := range batch {
			logging.From(ctx).Info("event published", "event", ev.EventName(), "eventId", ev.Base().EventID)
		}
	}
	return nil
}

// Stamp fills an event's empty envelope fields.
func Stamp(ctx context.Context, ev contracts.Event, now time.Time) {
	m := ev.Base()
	if m.EventID == "" {
		m.EventID = ids.New()
	}
	if m.OccurredAt.IsZero() {
		m.OccurredAt = now.UTC()
	}
	if m.CorrelationID == "" {
		m.CorrelationID = logging.CorrelationID(ctx)
	}
}
