package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/ddbtest"
	"github.com/calltaxi/call-taxi/shared/idempotency"
	"github.com/calltaxi/call-taxi/shared/metrics"
)

const testPhone = "+821012345678"

type sent struct{ phone, text string }

// fakeSMS records the messages it accepted; it refuses the next `failures` ones (containing failOn).
type fakeSMS struct {
	mu       sync.Mutex
	sent     []sent
	failures int
	failOn   string
}

func (f *fakeSMS) Send(_ context.Context, phone, text string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failures > 0 && strings.Contains(text, f.failOn) {
		f.failures--
		return errors.New("sms provider unavailable")
	}
	f.sent = append(f.sent, sent{phone, text})
	return nil
}

func (f *fakeSMS) texts() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, s := range f.sent {
		out = append(out, s.text)
	}
	return out
}

type fixture struct {
	sms     *fakeSMS
	claims  *idempotency.Store
	metrics *bytes.Buffer
	handler func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error)
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	client := ddbtest.New(t, ddbtest.Table{Name: "notifications", Hash: "key"})
	f := &fixture{sms: &fakeSMS{}, claims: idempotency.New(client, "notifications", time.Hour, 30*time.Second), metrics: &bytes.Buffer{}}
	f.handler = NewHandlers(f.sms, f.claims, metrics.New(f.metrics, "notify"), slog.New(slog.NewJSONHandler(io.Discard, nil))).Stream
	return f
}

func (f *fixture) smsSentMetrics() int {
	return strings.Count(f.metrics.String(), `"SMSSent":1`)
}

// image renders a MyPagesTable row as a stream image with the given history.
func image(orderID, phone string, statuses ...string) map[string]events.DynamoDBAttributeValue {
	history := make([]events.DynamoDBAttributeValue, 0, len(statuses))
	for _, s := range statuses {
		history = append(history, events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{
			"status": events.NewStringAttribute(s),
			"at":     events.NewStringAttribute("2026-03-01T09:00:00.000Z"),
		}))
	}
	img := map[string]events.DynamoDBAttributeValue{
		"orderId":       events.NewStringAttribute(orderID),
		"orderType":     events.NewStringAttribute("prime"),
		"fare":          events.NewNumberAttribute("5700"),
		"taxiName":      events.NewStringAttribute("Seoul Prime 7"),
		"correlationId": events.NewStringAttribute("corr-" + orderID),
		"history":       events.NewListAttribute(history),
	}
	if phone != "" {
		img["phone"] = events.NewStringAttribute(phone)
	}
	if len(statuses) > 0 {
		img["status"] = events.NewStringAttribute(statuses[len(statuses)-1])
	}
	return img
}

func record(eventName, seq string, oldImage, newImage map[string]events.DynamoDBAttributeValue) events.DynamoDBEventRecord {
	rec := events.DynamoDBEventRecord{EventName: eventName, EventSource: "aws:dynamodb"}
	rec.Change.SequenceNumber = seq
	rec.Change.OldImage = oldImage
	rec.Change.NewImage = newImage
	return rec
}
