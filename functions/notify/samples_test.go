package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// TestSampleEvents runs every events/notify-*.json (the `sam local invoke -e` samples) through the
// function's top-level handler.
func TestSampleEvents(t *testing.T) {
	files, err := filepath.Glob("../../events/notify-*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("sample events: %v %v", files, err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			payload, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			f := newFixture(t)
			out, err := f.handlers.Invoke(context.Background(), payload)
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			var resp events.DynamoDBEventResponse
			if err := json.Unmarshal(out, &resp); err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("response %s (%v)", out, err)
			}
			if len(f.queue.enqueued) == 0 {
				t.Fatal("the sample queued no SMS")
			}
			// The queue's messages, through the same top-level handler, text the customer.
			sqsPayload, err := json.Marshal(f.queue.take())
			if err != nil {
				t.Fatal(err)
			}
			if out, err := f.handlers.Invoke(context.Background(), sqsPayload); err != nil || !bytes.Contains(out, []byte(`"batchItemFailures":[]`)) {
				t.Fatalf("SQS batch: %s %v", out, err)
			}
			if len(f.sms.texts()) == 0 {
				t.Error("the sample sent no SMS")
			}
		})
	}
}
