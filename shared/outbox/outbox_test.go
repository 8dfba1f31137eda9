package outbox_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/bus/bustest"
	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/outbox"
)

const streamArn = "arn:aws:dynamodb:us-east-1:000000000000:table/Orders/stream/2026-11-30T00:00:00.000"

func record(seq, status string) events.DynamoDBEventRecord {
	return events.DynamoDBEventRecord{
		EventName:      "MODIFY",
		EventSourceArn: streamArn,
		Change: events.DynamoDBStreamRecord{
			SequenceNumber:              seq,
			ApproximateCreationDateTime: events.SecondsEpochTime{Time: time.Unix(1_800_000_000, 0)},
			NewImage: map[string]events.DynamoDBAttributeValue{
				"id":            events.NewStringAttribute("o-" + seq),
				"status":        events.NewStringAttribute(status),
				"correlationId": events.NewStringAttribute("corr-" + seq),
			},
		},
	}
}

// derivePaid: a record whose new status is PAID means OrderPlaced; BROKEN is a malformed record.
func derivePaid(rec events.DynamoDBEventRecord) ([]contracts.Event, error) {
	switch rec.Change.NewImage["status"].String() {
	case "PAID":
		return []contracts.Event{&contracts.OrderPlaced{OrderID: rec.Change.NewImage["id"].String()}}, nil
	case "BROKEN":
		return nil, errors.New("malformed")
	}
	return nil, nil
}

func TestHandle(t *testing.T) {
	tests := []struct {
		name          string
		statuses      []string
		failPublish   bool
		wantPublished []string // order ids
		wantFailed    []string // sequence numbers
	}{
		{"every change with an event is published in order", []string{"PAID", "PENDING_PAYMENT", "PAID"}, false, []string{"o-1", "o-3"}, nil},
		{"a failed PutEvents reports that record and every later one", []string{"PAID", "PAID", "PAID"}, true, nil, []string{"1", "2", "3"}},
		{"a malformed record stops the batch there", []string{"PAID", "BROKEN", "PAID"}, false, []string{"o-1"}, []string{"2", "3"}},
		{"no events, nothing published", []string{"PENDING_PAYMENT"}, false, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &bustest.Recorder{}
			rec.Fail = tt.failPublish
			h := outbox.NewHandler(derivePaid, rec, slog.New(slog.NewJSONHandler(io.Discard, nil)))
			var batch events.DynamoDBEvent
			for i, s := range tt.statuses {
				batch.Records = append(batch.Records, record(string(rune('1'+i)), s))
			}
			resp, err := h.Handle(context.Background(), batch)
			if err != nil {
				t.Fatal(err)
			}
			var failed []string
			for _, f := range resp.BatchItemFailures {
				failed = append(failed, f.ItemIdentifier)
			}
			if !equal(failed, tt.wantFailed) {
				t.Errorf("failed = %v, want %v", failed, tt.wantFailed)
			}
			var published []string
			for _, e := range rec.Events() {
				published = append(published, e.(*contracts.OrderPlaced).OrderID)
			}
			if !equal(published, tt.wantPublished) {
				t.Errorf("published = %v, want %v", published, tt.wantPublished)
			}
		})
	}
}

// Redelivering the same stream record publishes the same event id and envelope, so a consumer can tell
// a duplicate from a new event.
func TestRedeliveryPublishesTheSameEventID(t *testing.T) {
	rec := &bustest.Recorder{}
	h := outbox.NewHandler(derivePaid, rec, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	batch := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{record("7", "PAID")}}
	for range 2 {
		if _, err := h.Handle(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	}
	evs := rec.Events()
	if len(evs) != 2 {
		t.Fatalf("published %d events, want 2", len(evs))
	}
	first, second := evs[0].Base(), evs[1].Base()
	if first.EventID == "" || first.EventID != second.EventID {
		t.Errorf("event ids %q and %q, want one stable id", first.EventID, second.EventID)
	}
	if first.CorrelationID != "corr-7" || !first.OccurredAt.Equal(time.Unix(1_800_000_000, 0)) {
		t.Errorf("envelope = %+v, want the record's correlation id and creation time", first)
	}
	if other := outbox.EventID(record("8", "PAID"), "OrderPlaced"); other == first.EventID {
		t.Error("two different records gave the same event id")
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
