package xray

import (
	"context"
	"testing"
)

func TestRootAndContext(t *testing.T) {
	for header, want := range map[string]string{
		"Root=1-5f-abc;Parent=def;Sampled=0": "1-5f-abc",
		"Parent=def; Root=1-5f-abc":          "1-5f-abc",
		"Parent=def":                         "",
		"":                                   "",
	} {
		if got := Root(header); got != want {
			t.Errorf("Root(%q) = %q, want %q", header, got, want)
		}
	}
	ctx := context.Background()
	if WithTrace(ctx, "") != ctx || Trace(ctx) != "" {
		t.Error("an empty header must leave the context alone")
	}
	if got := Trace(WithTrace(ctx, "Root=1-x")); got != "Root=1-x" {
		t.Errorf("Trace = %q", got)
	}
}
