package lambdaemu

import (
	"bytes"
	"strings"
	"testing"
)

func TestLineWriterPrefixesWholeLines(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		want   string
	}{
		{"one line", []string{"hello\n"}, "[fn] hello\n"},
		{"split across writes", []string{"hel", "lo\nwor", "ld\n"}, "[fn] hello\n[fn] world\n"},
		{"unterminated tail flushed", []string{"a\nb"}, "[fn] a\n[fn] b\n"},
		{"empty line kept", []string{"\n"}, "[fn] \n"},
		{"overlong line forced out", []string{strings.Repeat("x", maxLogLine+1)}, "[fn] " + strings.Repeat("x", maxLogLine+1) + "\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			w := newLineWriter(&syncWriter{w: &out}, "fn")
			for _, s := range tc.writes {
				if n, err := w.Write([]byte(s)); err != nil || n != len(s) {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			w.Flush()
			if out.String() != tc.want {
				t.Errorf("got %q, want %q", out.String(), tc.want)
			}
		})
	}
}
