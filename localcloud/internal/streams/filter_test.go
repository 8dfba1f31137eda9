package streams

import (
	"context"
	"strings"
	"testing"

	"github.com/calltaxi/call-taxi/localcloud/internal/eventbus"
)

func TestPatternsReadChange(t *testing.T) {
	tests := []struct {
		name     string
		patterns []string
		want     bool
	}{
		{name: "event name only", patterns: []string{`{"eventName":["INSERT","MODIFY"]}`}, want: false},
		{name: "no patterns", want: false},
		{name: "new image", patterns: []string{`{"eventName":["INSERT"]}`, `{"dynamodb":{"NewImage":{"id":{"S":["a"]}}}}`}, want: true},
		{name: "$or may nest it", patterns: []string{`{"$or":[{"eventName":["INSERT"]},{"dynamodb":{}}]}`}, want: true},
		{name: "not a JSON object", patterns: []string{`"S":"keep-1"`}, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ps [][]byte
			for _, p := range tt.patterns {
				ps = append(ps, []byte(p))
			}
			if got := patternsReadChange(ps); got != tt.want {
				t.Fatalf("patternsReadChange = %v, want %v", got, tt.want)
			}
		})
	}
}

// With EventBridge pattern semantics: filters on eventName and on the new image both still match.
func TestFiltersWithEventPatterns(t *testing.T) {
	tests := []struct {
		name    string
		filters []string
		want    string // ids delivered, in order
	}{
		{name: "eventName", filters: []string{`{"eventName":["INSERT"]}`}, want: "a,b,c"},
		{name: "eventName excludes", filters: []string{`{"eventName":["REMOVE"]}`}, want: ""},
		{name: "new image", filters: []string{`{"dynamodb":{"NewImage":{"id":{"S":["b"]}}}}`}, want: "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTable(t)
			tb.put("a", "b", "c")
			var filters [][]byte
			for _, f := range tt.filters {
				filters = append(filters, []byte(f))
			}
			inv := &fakeInvoker{}
			p := Start(context.Background(), Mapping{Name: "m", Function: "fn", Stream: tb.stream(),
				Matcher: eventbus.CachingMatcher(), Filters: filters, MaximumRetryAttempts: -1}, inv, nil, quietLogger())
			defer p.Stop()
			waitFor(t, "checkpoint at the end", func() bool { return p.Stats().Position == tb.stream().Latest() })
			var got []string
			for _, b := range inv.batches() {
				got = append(got, b...)
			}
			if strings.Join(got, ",") != tt.want {
				t.Fatalf("delivered %v, want %s", got, tt.want)
			}
		})
	}
}
