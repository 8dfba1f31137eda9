package apitest

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/lambdamux"
)

// AddEventSeeds adds the details of the function's SQS samples (events/<prefix>-sqs-*.json: EventBridge
// events as the rule's queue delivers them) and a few broken details of each event it consumes.
func AddEventSeeds(f *testing.F, prefix string, names []string) {
	files, _ := filepath.Glob("../../events/" + prefix + "-sqs-*.json")
	if len(files) == 0 {
		f.Fatalf("no %s SQS samples", prefix)
	}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var batch events.SQSEvent
		if err := json.Unmarshal(raw, &batch); err != nil {
			f.Fatalf("%s: %v", file, err)
		}
		for _, msg := range batch.Records {
			var ev events.EventBridgeEvent
			if json.Unmarshal([]byte(msg.Body), &ev) != nil || !slices.Contains(names, ev.DetailType) {
				continue
			}
			f.Add(uint8(slices.Index(names, ev.DetailType)), []byte(ev.Detail))
		}
	}
	for i := range names {
		for _, detail := range []string{`{}`, `null`, `[]`, `"x"`, `{"reservationId":1}`, `{"orderId":"","reservationId":"","attempt":-1}`, `{`, ``} {
			f.Add(uint8(i), []byte(detail))
		}
	}
}

// Message IDs of the fuzzed batch.
const (
	fuzzMessage     = "msg-fuzz"
	fuzzDuplicate   = "msg-fuzz-duplicate"
	fuzzUnconsumed  = "msg-unconsumed"
	unconsumedEvent = "SomethingElse"
)

// EventBatch is the SQS batch a fuzz call stands for: the fuzzed event, the same message again (a
// duplicate delivery within one batch) and an event nobody consumes. The body is assembled as text, so a
// detail that is not JSON makes a malformed body, as a broken publisher would. The name index past the
// consumed names picks an event nobody consumes.
func EventBatch(names []string, name uint8, detail []byte) events.SQSEvent {
	detailType := unconsumedEvent
	if i := int(name) % (len(names) + 1); i < len(names) {
		detailType = names[i]
	}
	body := envelope("evt-fuzz", detailType, string(detail))
	return events.SQSEvent{Records: []events.SQSMessage{
		SQSMessage(fuzzMessage, body), SQSMessage(fuzzDuplicate, body),
		SQSMessage(fuzzUnconsumed, envelope("evt-unconsumed", unconsumedEvent, `{}`)),
	}}
}

func envelope(id, detailType, detail string) string {
	quoted, _ := json.Marshal(detailType) // a string always encodes
	return `{"version":"0","id":"` + id + `","detail-type":` + string(quoted) + `,"source":"calltaxi.fuzz",` +
		`"account":"123456789012","time":"2025-01-02T03:04:05Z","region":"us-east-1","resources":[],"detail":` + detail + `}`
}

// CheckBatch sends the batch through the function's top-level Lambda handler and checks what any batch
// must get: no error to Lambda (it would redeliver the whole batch), a batchItemFailures list naming only
// messages of the batch, a malformed body reported, an event the function does not consume acknowledged,
// and a duplicate of a handled message acknowledged too.
func CheckBatch(t *testing.T, handlers Handler, batch events.SQSEvent, consumed []string) {
	t.Helper()
	failed, err := Submit(handlers, batch)
	if err != nil {
		t.Fatalf("error returned to Lambda: %v", err)
	}
	if failed == nil {
		t.Fatal("response without a batchItemFailures list")
	}
	reported := map[string]bool{}
	for _, id := range failed {
		if !slices.ContainsFunc(batch.Records, func(m events.SQSMessage) bool { return m.MessageId == id }) {
			t.Fatalf("reported %q, which is not in the batch", id)
		}
		reported[id] = true
	}
	for _, msg := range batch.Records {
		var ev events.EventBridgeEvent
		switch {
		case json.Unmarshal([]byte(msg.Body), &ev) != nil || ev.DetailType == "" || len(ev.Detail) == 0:
			if !reported[msg.MessageId] {
				t.Fatalf("malformed body %q acknowledged: it would be lost instead of reaching the dead-letter queue", msg.Body)
			}
		case !slices.Contains(consumed, ev.DetailType) && reported[msg.MessageId]:
			t.Fatalf("%s: an event the function does not consume was reported", ev.DetailType)
		}
	}
	if !reported[fuzzMessage] && reported[fuzzDuplicate] {
		t.Fatalf("the duplicate of a handled message was reported: %s", batch.Records[0].Body)
	}
}

// SQSMessage is the message an EventBridge rule's queue delivers to the function for that body.
func SQSMessage(id, body string) events.SQSMessage {
	sum := md5.Sum([]byte(body))
	return events.SQSMessage{
		MessageId: id, ReceiptHandle: "receipt-" + id, Body: body, Md5OfBody: hex.EncodeToString(sum[:]),
		Attributes: map[string]string{
			"ApproximateReceiveCount": "1", "SentTimestamp": "1735787045000", "SenderId": "AIDAEVENTBRIDGE",
			"ApproximateFirstReceiveTimestamp": "1735787045010",
		},
		MessageAttributes: map[string]events.SQSMessageAttribute{},
		EventSource:       "aws:sqs", EventSourceARN: "arn:aws:sqs:us-east-1:123456789012:call-taxi-events", AWSRegion: "us-east-1",
	}
}

// SQSBatch wraps the events in one SQS batch, messages msg-1, msg-2, … in order.
func SQSBatch(t testing.TB, evs ...events.EventBridgeEvent) events.SQSEvent {
	t.Helper()
	batch := events.SQSEvent{Records: []events.SQSMessage{}}
	for i, ev := range evs {
		if ev.Version == "" {
			ev.Version, ev.AccountID, ev.Region, ev.Resources = "0", "123456789012", "us-east-1", []string{}
			ev.Time = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
		}
		if ev.ID == "" {
			ev.ID = fmt.Sprintf("bus-%d", i+1)
		}
		body, err := json.Marshal(ev)
		if err != nil {
			t.Fatalf("encode event %d: %v", i, err)
		}
		batch.Records = append(batch.Records, SQSMessage(fmt.Sprintf("msg-%d", i+1), string(body)))
	}
	return batch
}

// Submit invokes the function's top-level handler with the batch and returns the message ids it reported
// as failed (nil only when the answer had no batchItemFailures list).
func Submit(handlers Handler, batch events.SQSEvent) ([]string, error) {
	payload, err := json.Marshal(batch)
	if err != nil {
		return nil, fmt.Errorf("encode batch: %w", err)
	}
	out, err := handlers.Invoke(context.Background(), payload)
	if err != nil {
		return nil, err
	}
	var resp struct {
		BatchItemFailures []events.SQSBatchItemFailure `json:"batchItemFailures"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		return nil, fmt.Errorf("decode answer %s: %w", out, err)
	}
	if resp.BatchItemFailures == nil {
		return nil, nil
	}
	failed := []string{}
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	return failed, nil
}

// Deliver hands the events to the function as one SQS batch and returns an error naming the messages it
// reported as failed, or the function error.
func Deliver(t testing.TB, handlers Handler, evs ...events.EventBridgeEvent) error {
	t.Helper()
	failed, err := Submit(handlers, SQSBatch(t, evs...))
	if err != nil {
		return err
	}
	if len(failed) > 0 {
		return fmt.Errorf("messages reported as failed: %v", failed)
	}
	return nil
}

var streamEventNames = []string{"INSERT", "MODIFY", "REMOVE"}

// streamSample is the part of a stream sample the seeds take: each record's name and raw images.
type streamSample struct {
	Records []struct {
		EventName string `json:"eventName"`
		DynamoDB  struct {
			NewImage json.RawMessage `json:"NewImage"`
			OldImage json.RawMessage `json:"OldImage"`
		} `json:"dynamodb"`
	} `json:"Records"`
}

// StreamSeeds returns the records of the stream samples events/<prefix>-*stream.json.
func StreamSeeds(f *testing.F, prefix string) (names []uint8, newImages, oldImages [][]byte) {
	files, _ := filepath.Glob("../../events/" + prefix + "-*stream.json")
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var sample streamSample
		if err := json.Unmarshal(raw, &sample); err != nil {
			f.Fatalf("%s: %v", file, err)
		}
		for _, rec := range sample.Records {
			names = append(names, uint8(max(0, slices.Index(streamEventNames, rec.EventName))))
			newImages = append(newImages, rec.DynamoDB.NewImage)
			oldImages = append(oldImages, rec.DynamoDB.OldImage)
		}
	}
	if len(names) == 0 {
		f.Fatalf("no %s stream samples", prefix)
	}
	return names, newImages, oldImages
}

// StreamEvent decodes a one-record batch the way Lambda's runtime would; ok is false when the images are
// not even JSON of attribute values (Lambda would never deliver that).
func StreamEvent(name uint8, newImage, oldImage []byte) (events.DynamoDBEvent, bool) {
	change := map[string]any{"SequenceNumber": "100", "StreamViewType": "NEW_AND_OLD_IMAGES"}
	if len(newImage) > 0 {
		change["NewImage"] = json.RawMessage(newImage)
	}
	if len(oldImage) > 0 {
		change["OldImage"] = json.RawMessage(oldImage)
	}
	rec := map[string]any{"eventName": streamEventNames[int(name)%len(streamEventNames)], "eventSource": "aws:dynamodb", "dynamodb": change}
	raw, err := json.Marshal(map[string]any{"Records": []any{rec}})
	if err != nil {
		return events.DynamoDBEvent{}, false
	}
	var ev events.DynamoDBEvent
	if json.Unmarshal(raw, &ev) != nil {
		return events.DynamoDBEvent{}, false
	}
	return ev, true
}

// CheckStream runs the stream handler: it must not panic, and must not fail the invocation (a function
// error retries the whole batch); record-level failures are reported in the response instead.
func CheckStream(t *testing.T, handlers lambdamux.Handlers, ev events.DynamoDBEvent) {
	t.Helper()
	resp, err := handlers.Stream(context.Background(), ev)
	if err != nil {
		t.Fatalf("stream handler error: %v", err)
	}
	if resp.BatchItemFailures == nil {
		t.Fatal("response without a batchItemFailures list")
	}
}
