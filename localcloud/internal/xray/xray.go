// Package xray carries an X-Ray trace header (X-Amzn-Trace-Id) from the caller of a synchronous invoke
// to the invocation, as Lambda propagates it, so one API request's AWS calls share one trace root.
package xray

import (
	"context"
	"strings"
)

type key struct{}

// WithTrace returns ctx carrying the trace header (unchanged when header is empty).
func WithTrace(ctx context.Context, header string) context.Context {
	if header == "" {
		return ctx
	}
	return context.WithValue(ctx, key{}, header)
}

// Trace returns the trace header ctx carries, or "".
func Trace(ctx context.Context) string {
	s, _ := ctx.Value(key{}).(string)
	return s
}

// Root returns the Root=... field of a trace header ("" when it has none).
func Root(header string) string {
	for field := range strings.SplitSeq(header, ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(field), "Root="); ok {
			return v
		}
	}
	return ""
}
