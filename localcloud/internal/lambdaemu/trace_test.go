package lambdaemu

import (
	"strings"
	"testing"
)

func TestContinueTraceKeepsTheCallersRoot(t *testing.T) {
	own := newTraceID()
	if got := continueTrace(own, ""); got != own {
		t.Errorf("no caller: got %q, want %q", got, own)
	}
	got := continueTrace(own, "Root=1-5f000000-abc;Parent=def;Sampled=1")
	if !strings.HasPrefix(got, "Root=1-5f000000-abc;Parent=") || !strings.HasSuffix(got, own[strings.Index(own, ";"):]) {
		t.Errorf("got %q", got)
	}
}
