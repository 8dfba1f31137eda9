// Package logging gives every function the same slog JSON logger, carrying the Lambda request id and the
// correlation id that follows a booking across the payment invoke, events and stream records.
package logging

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
)

type ctxKey struct{}

// New returns a JSON logger at the level named by LOG_LEVEL-style text (DEBUG, INFO, WARN, ERROR).
//
// Each record carries "timestamp" (RFC 3339, UTC) and "level": with LoggingConfig LogFormat JSON, Lambda
// filters a custom runtime's logs by ApplicationLogLevel using exactly these two fields (Lambda developer
// guide, "Log-level filtering"); slog's default "time" key is not documented to count.
func New(w io.Writer, level string) *slog.Logger {
	if w == nil {
		w = os.Stdout
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		lv = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: lv, ReplaceAttr: lambdaFields}))
}

// TimestampLayout is RFC 3339 with milliseconds, as Lambda writes its own JSON log records.
const TimestampLayout = "2006-01-02T15:04:05.000Z07:00"

func lambdaFields(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey && a.Value.Kind() == slog.KindTime {
		return slog.String("timestamp", a.Value.Time().UTC().Format(TimestampLayout))
	}
	return a
}

// With returns ctx carrying logger enriched with the request and correlation ids.
func With(ctx context.Context, logger *slog.Logger, requestID, correlationID string) context.Context {
	l := logger
	if requestID != "" {
		l = l.With("requestId", requestID)
	}
	if correlationID != "" {
		l = l.With("correlationId", correlationID)
	}
	return context.WithValue(context.WithValue(ctx, ctxKey{}, l), correlationKey{}, correlationID)
}

type correlationKey struct{}

// From returns the logger stored in ctx, or the default logger.
func From(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(ctxKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// CorrelationID returns the correlation id stored in ctx ("" if none).
func CorrelationID(ctx context.Context) string {
	s, _ := ctx.Value(correlationKey{}).(string)
	return s
}

// Exit logs why a function cannot start and ends the process: a Lambda without its configuration or
// its clients must not take requests. main joins every configuration problem into err (errors.Join), so
// all are reported at once.
func Exit(logger *slog.Logger, what string, err error) {
	logger.Error(what, "error", err.Error())
	os.Exit(1)
}
