package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/ddbtest"
	"github.com/calltaxi/call-taxi/shared/idempotency"
	"github.com/calltaxi/call-taxi/shared/lambdamux"
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/metrics"
)

// FuzzNotifyStream feeds any MyPagesTable stream images (new and old) to the SMS sender.
func FuzzNotifyStream(f *testing.F) {
	client := ddbtest.New(f, ddbtest.Table{Name: "notifications", Hash: "key"})
	claims := idempotency.New(client, "notifications", time.Hour, 30*time.Second)
	handlers := NewHandlers(&fakeSMS{}, claims, metrics.New(io.Discard, "notify"), logging.New(io.Discard, "ERROR"))

	names, newImages, oldImages := streamSeeds(f, "notify")
	for i := range names {
		f.Add(names[i], newImages[i], oldImages[i])
	}
	for _, img := range []string{
		`{"orderId":{"S":"o-1"},"phone":{"S":"+821012345678"},"status":{"S":"CANCELED"},"history":{"L":[{"M":{"status":{"S":"CANCELED"}}}]}}`,
		`{"orderId":{"S":"o-2"},"phone":{"S":"not a phone"},"status":{"S":"PAID"},"history":{"L":[{"S":"PAID"}]}}`,
		`{"orderId":{"S":""},"status":{"S":"??"},"fare":{"N":"-1"},"history":{"M":{}}}`,
		`{"orderId":{"N":"1"},"history":{"NULL":true}}`,
	} {
		f.Add(uint8(1), []byte(img), []byte(`{"orderId":{"S":"o-1"},"status":{"S":"PAID"}}`))
	}
	f.Fuzz(func(t *testing.T, name uint8, newImage, oldImage []byte) {
		if ev, ok := streamEvent(name, newImage, oldImage); ok {
			checkStream(t, handlers, ev)
		}
	})
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

// streamSeeds returns the records of the stream samples events/<prefix>-*stream.json.
func streamSeeds(f *testing.F, prefix string) (names []uint8, newImages, oldImages [][]byte) {
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

// streamEvent decodes a one-record batch the way Lambda's runtime would; ok is false when the images are
// not even JSON of attribute values (Lambda would never deliver that).
func streamEvent(name uint8, newImage, oldImage []byte) (events.DynamoDBEvent, bool) {
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

// checkStream runs the stream handler: it must not panic, and must not fail the invocation (a function
// error retries the whole batch); record-level failures are reported in the response instead.
func checkStream(t *testing.T, handlers lambdamux.Handlers, ev events.DynamoDBEvent) {
	t.Helper()
	resp, err := handlers.Stream(context.Background(), ev)
	if err != nil {
		t.Fatalf("stream handler error: %v", err)
	}
	if resp.BatchItemFailures == nil {
		t.Fatal("response without a batchItemFailures list")
	}
}
