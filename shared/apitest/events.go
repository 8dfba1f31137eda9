package apitest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/lambdamux"
)

// AddEventSeeds adds the function's EventBridge samples (events/<prefix>-*.json) and a few broken details
// of each event it consumes.
func AddEventSeeds(f *testing.F, prefix string, names []string) {
	files, _ := filepath.Glob("../../events/" + prefix + "-*.json")
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var ev events.EventBridgeEvent
		if json.Unmarshal(raw, &ev) != nil || !slices.Contains(names, ev.DetailType) {
			continue
		}
		f.Add(uint8(slices.Index(names, ev.DetailType)), []byte(ev.Detail))
	}
	for i := range names {
		for _, detail := range []string{`{}`, `null`, `[]`, `"x"`, `{"reservationId":1}`, `{"orderId":"","reservationId":"","attempt":-1}`, `{`} {
			f.Add(uint8(i), []byte(detail))
		}
	}
}

// EventFor builds the EventBridge event; the index past the consumed names is an event nobody consumes.
func EventFor(names []string, name uint8, detail []byte) events.EventBridgeEvent {
	detailType := "SomethingElse"
	if i := int(name) % (len(names) + 1); i < len(names) {
		detailType = names[i]
	}
	return events.EventBridgeEvent{Version: "0", ID: "evt-fuzz", DetailType: detailType, Source: "calltaxi.fuzz", Detail: detail}
}

// CheckEvent runs the consumer: an undecodable detail or an event the function does not consume is
// acknowledged (retrying a poison event can never succeed); a panic fails the fuzz run by itself.
func CheckEvent(t *testing.T, handlers lambdamux.Handlers, ev events.EventBridgeEvent, consumed []string) {
	t.Helper()
	err := handlers.EventBridge(context.Background(), ev)
	if err != nil && (!json.Valid(ev.Detail) || !slices.Contains(consumed, ev.DetailType)) {
		t.Fatalf("%s %q: poison event not acknowledged: %v", ev.DetailType, ev.Detail, err)
	}
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
