package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/ddbtest"
	"github.com/calltaxi/call-taxi/shared/lambdamux"
	"github.com/calltaxi/call-taxi/shared/metrics"
)

const testPhone = "+821012345678"

type sent struct{ phone, text string }

// fakeSMS records the messages it accepted; it answers err to the next `failures` sends.
type fakeSMS struct {
	mu       sync.Mutex
	sent     []sent
	failures int
	err      error
}

func (f *fakeSMS) Send(_ context.Context, phone, text string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failures > 0 {
		f.failures--
		if f.err != nil {
			return f.err
		}
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

// fakeQueue is the SMS queue in memory: enqueued requests become SQS messages the test delivers.
type fakeQueue struct {
	mu       sync.Mutex
	enqueued []string // order ids
	delays   []int32
	retries  map[string]int32 // receipt handle → visibility set
	failSend bool
}

func (q *fakeQueue) Enqueue(_ context.Context, orderID string, delay int32) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.failSend {
		return errors.New("sqs unavailable")
	}
	q.enqueued = append(q.enqueued, orderID)
	q.delays = append(q.delays, delay)
	return nil
}

func (q *fakeQueue) Retry(_ context.Context, receiptHandle string, delay int32) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.retries == nil {
		q.retries = map[string]int32{}
	}
	q.retries[receiptHandle] = delay
	return nil
}

// take returns the enqueued requests as an SQS batch, emptying the queue.
func (q *fakeQueue) take() events.SQSEvent {
	q.mu.Lock()
	defer q.mu.Unlock()
	var ev events.SQSEvent
	for i, id := range q.enqueued {
		ev.Records = append(ev.Records, sqsMessage("m"+string(rune('a'+i)), `{"orderId":"`+id+`"}`, 1))
	}
	q.enqueued, q.delays = nil, nil
	return ev
}

func sqsMessage(id, body string, receives int) events.SQSMessage {
	return events.SQSMessage{
		MessageId: id, ReceiptHandle: "rh-" + id, Body: body, EventSource: "aws:sqs", AWSRegion: "us-east-1",
		EventSourceARN: "arn:aws:sqs:us-east-1:123456789012:call-taxi-notify-sms",
		Attributes:     map[string]string{"ApproximateReceiveCount": strconv.Itoa(receives)},
	}
}

type fixture struct {
	sms      *fakeSMS
	queue    *fakeQueue
	records  *Records
	limiter  *Limiter
	metrics  *bytes.Buffer
	handlers lambdamux.Handlers
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	client := ddbtest.New(t, ddbtest.Table{Name: "notifications", Hash: "key"})
	f := &fixture{sms: &fakeSMS{}, queue: &fakeQueue{}, records: NewRecords(client, "notifications", time.Hour, 30*time.Second), metrics: &bytes.Buffer{}}
	f.handlers = NewHandlers(f.records, f.queue, f.sms, f.limiter, metrics.New(f.metrics, "notify"), slog.New(slog.NewJSONHandler(io.Discard, nil)))
	return f
}

func (f *fixture) stream(t *testing.T, recs ...events.DynamoDBEventRecord) []string {
	t.Helper()
	resp, err := f.handlers.Stream(context.Background(), events.DynamoDBEvent{Records: recs})
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, fl := range resp.BatchItemFailures {
		out = append(out, fl.ItemIdentifier)
	}
	return out
}

func (f *fixture) send(t *testing.T, ev events.SQSEvent) []string {
	t.Helper()
	resp, err := f.handlers.SQS(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, fl := range resp.BatchItemFailures {
		out = append(out, fl.ItemIdentifier)
	}
	return out
}

func (f *fixture) record(t *testing.T, orderID string) Record {
	t.Helper()
	rec, found, err := f.records.Get(context.Background(), orderID)
	if err != nil || !found {
		t.Fatalf("record of %s: found %v, %v", orderID, found, err)
	}
	return rec
}

func (f *fixture) metric(name string) int {
	return strings.Count(f.metrics.String(), `"`+name+`":`)
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

func withLanguage(img map[string]events.DynamoDBAttributeValue, lang string) map[string]events.DynamoDBAttributeValue {
	img["language"] = events.NewStringAttribute(lang)
	return img
}

func record(eventName, seq string, oldImage, newImage map[string]events.DynamoDBAttributeValue) events.DynamoDBEventRecord {
	rec := events.DynamoDBEventRecord{EventName: eventName, EventSource: "aws:dynamodb"}
	rec.Change.SequenceNumber = seq
	rec.Change.OldImage = oldImage
	rec.Change.NewImage = newImage
	return rec
}
