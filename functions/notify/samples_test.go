package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/ddbtest"
	"github.com/calltaxi/call-taxi/shared/idempotency"
	"github.com/calltaxi/call-taxi/shared/metrics"
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
			client := ddbtest.New(t, ddbtest.Table{Name: "notifications", Hash: "key"})
			sms := &fakeSMS{}
			handlers := NewHandlers(sms, idempotency.New(client, "notifications", time.Hour, 30*time.Second),
				metrics.New(&bytes.Buffer{}, "notify"), slog.New(slog.NewJSONHandler(io.Discard, nil)))
			out, err := handlers.Invoke(context.Background(), payload)
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			var resp events.DynamoDBEventResponse
			if err := json.Unmarshal(out, &resp); err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("response %s (%v)", out, err)
			}
			if len(sms.texts()) == 0 {
				t.Error("the sample sent no SMS")
			}
		})
	}
}
