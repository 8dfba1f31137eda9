package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"
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

// Lambda developer guide, "Log-level filtering": with LogFormat JSON, Lambda reads "level" and "timestamp"
// (RFC 3339) from each record a custom runtime writes.
func TestRecordsCarryLambdaLevelAndTimestamp(t *testing.T) {
	tests := []struct {
		name      string
		level     string
		log       func(*slog.Logger)
		wantLevel string
	}{
		{"info", "INFO", func(l *slog.Logger) { l.Info("hello", "time", "not the record's time") }, "INFO"},
		{"debug when enabled", "debug", func(l *slog.Logger) { l.Debug("details") }, "DEBUG"},
		{"warn", "INFO", func(l *slog.Logger) { l.Warn("careful") }, "WARN"},
		{"error in a group", "INFO", func(l *slog.Logger) { l.WithGroup("g").Error("failed", "k", 1) }, "ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tt.log(New(&buf, tt.level))
			var line map[string]any
			if err := json.Unmarshal(bytes.TrimSpace(buf.Bytes()), &line); err != nil {
				t.Fatalf("want one JSON line, got %q: %v", buf.String(), err)
			}
			ts, _ := line["timestamp"].(string)
			if _, err := time.Parse(time.RFC3339, ts); err != nil || !strings.HasSuffix(ts, "Z") {
				t.Errorf("timestamp %q is not RFC 3339 UTC: %v (line %v)", ts, err, line)
			}
			if line["level"] != tt.wantLevel {
				t.Errorf("level = %v, want %s", line["level"], tt.wantLevel)
			}
		})
	}
}
