package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
)

func TestWithCarriesIDs(t *testing.T) {
	var buf bytes.Buffer
	ctx := With(context.Background(), New(&buf, "info"), "req-1", "corr-1")
	From(ctx).Info("hello")
	From(ctx).Debug("hidden")

	var line map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(buf.Bytes()), &line); err != nil {
		t.Fatalf("want exactly one JSON line, got %q: %v", buf.String(), err)
	}
	if line["requestId"] != "req-1" || line["correlationId"] != "corr-1" || line["msg"] != "hello" {
		t.Errorf("line = %v", line)
	}
	if CorrelationID(ctx) != "corr-1" {
		t.Errorf("CorrelationID = %q", CorrelationID(ctx))
	}
	if CorrelationID(context.Background()) != "" {
		t.Error("empty context should carry no correlation id")
	}
}
