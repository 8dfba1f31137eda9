package snsemu

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// smallOutbox makes Services keep window messages in memory and index every every-th line, for the test.
func smallOutbox(t testing.TB, window, every int) {
	w, e := OutboxWindow, outboxIndexEvery
	OutboxWindow, outboxIndexEvery = window, every
	t.Cleanup(func() { OutboxWindow, outboxIndexEvery = w, e })
}

func newService(t testing.TB, dir string) *Service {
	t.Helper()
	s, err := New(Options{Dir: dir, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func testMessage(pos int) Message {
	return Message{MessageID: fmt.Sprint("m", pos), PhoneNumber: "+821012345678", Message: fmt.Sprint("text ", pos),
		At: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}
}

func recordN(t testing.TB, s *Service, from, to int) {
	t.Helper()
	for pos := from; pos < to; pos++ {
		if err := s.record(testMessage(pos)); err != nil {
			t.Fatal(err)
		}
	}
}

func ids(msgs []Message) string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.MessageID)
	}
	return strings.Join(out, ",")
}

// idRange is "m<from>,...,m<to-1>".
func idRange(from, to int) string {
	var out []string
	for pos := from; pos < to; pos++ {
		out = append(out, fmt.Sprint("m", pos))
	}
	return strings.Join(out, ",")
}

// 35 messages, 10 in memory (positions 25..34), the file indexed every 4 lines.
func TestMessagesPage(t *testing.T) {
	smallOutbox(t, 10, 4)
	dir := t.TempDir()
	running := newService(t, dir)
	recordN(t, running, 0, 35)
	restarted := newService(t, dir)
	memoryOnly := newService(t, "")
	recordN(t, memoryOnly, 0, 35)

	tests := []struct {
		name         string
		svc          *Service
		after, limit int
		want         string
		wantNext     int
	}{
		{"inside the window", running, 30, 3, idRange(30, 33), 33},
		{"window to the end", running, 31, 10, idRange(31, 35), -1},
		{"across the window boundary", running, 22, 6, idRange(22, 28), 28},
		{"from the file, first line", running, 0, 5, idRange(0, 5), 5},
		{"from the file, between index points", running, 7, 3, idRange(7, 10), 10},
		{"from the file, up to the window", running, 21, 4, idRange(21, 25), 25},
		{"everything", running, 0, 1000, idRange(0, 35), -1},
		{"negative after", running, -3, 2, idRange(0, 2), 2},
		{"past the end", running, 35, 5, "", -1},
		{"limit 0 is 1", running, 3, 0, "m3", 4},

		{"restarted: inside the window", restarted, 30, 3, idRange(30, 33), 33},
		{"restarted: across the window boundary", restarted, 22, 6, idRange(22, 28), 28},
		{"restarted: from the file", restarted, 7, 3, idRange(7, 10), 10},
		{"restarted: everything", restarted, 0, 1000, idRange(0, 35), -1},

		{"memory only: inside the window", memoryOnly, 30, 3, idRange(30, 33), 33},
		{"memory only: below the window starts at it", memoryOnly, 0, 5, idRange(25, 30), 30},
		{"memory only: across the window boundary", memoryOnly, 22, 6, idRange(25, 31), 31},
		{"memory only: everything left", memoryOnly, 0, 1000, idRange(25, 35), -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, next, err := tt.svc.MessagesPage(tt.after, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(page); got != tt.want || next != tt.wantNext {
				t.Errorf("page %s next %d, want %s next %d", got, next, tt.want, tt.wantNext)
			}
		})
	}
	for name, s := range map[string]*Service{"running": running, "restarted": restarted, "memory only": memoryOnly} {
		if o := &s.outbox; o.first != 25 || o.total != 35 || ids(o.recent) != idRange(25, 35) {
			t.Errorf("%s: in memory %s (positions %d..%d)", name, ids(o.recent), o.first, o.total-1)
		}
	}
	if got := ids(restarted.Messages()); got != idRange(0, 35) {
		t.Errorf("Messages() = %s", got)
	}
	// Positions carry on after a restart.
	recordN(t, restarted, 35, 37)
	if page, next, err := newService(t, dir).MessagesPage(34, 10); err != nil || ids(page) != idRange(34, 37) || next != -1 {
		t.Errorf("after a restart and 2 more: %s next %d (%v)", ids(page), next, err)
	}
}

// Whatever the history, memory holds the newest OutboxWindow messages and one file offset per
// outboxIndexEvery lines.
func TestOutboxMemoryBounded(t *testing.T) {
	const window, every = 100, 16
	smallOutbox(t, window, every)
	for _, dir := range []string{t.TempDir(), ""} {
		s := newService(t, dir)
		recordN(t, s, 0, 10*window)
		o := &s.outbox
		if len(o.recent) != window || cap(o.recent) > 2*window || ids(o.recent) != idRange(9*window, 10*window) {
			t.Errorf("dir %q: %d messages in memory (capacity %d), want the newest %d", dir, len(o.recent), cap(o.recent), window)
		}
		wantOffsets := 0
		if dir != "" {
			wantOffsets = 10 * window / every
			if 10*window%every != 0 {
				wantOffsets++
			}
		}
		if len(o.offsets) != wantOffsets {
			t.Errorf("dir %q: %d file offsets, want %d", dir, len(o.offsets), wantOffsets)
		}
		if dir != "" {
			if got := len(newService(t, dir).outbox.recent); got != window {
				t.Errorf("loaded %d messages into memory, want %d", got, window)
			}
		}
	}
}

func TestOutboxFileDamage(t *testing.T) {
	smallOutbox(t, 3, 2)
	line := func(pos int) string {
		b, err := json.Marshal(testMessage(pos))
		if err != nil {
			t.Fatal(err)
		}
		return string(b) + "\n"
	}
	tests := []struct {
		name     string
		file     string
		want     string // all messages after loading
		wantPos  int    // the position of the next message
		wantFile string // "" = the file as it was
	}{
		{"torn last line", line(0) + line(1) + line(2) + line(3) + line(4) + `{"messageId":"m5","mess`,
			idRange(0, 5), 5, line(0) + line(1) + line(2) + line(3) + line(4)},
		{"torn only line", `{"messageId":"m0"`, "", 0, "-"},
		{"unreadable line below the window", line(0) + "not json\n" + line(2) + line(3) + line(4) + line(5),
			"m0,m2,m3,m4,m5", 6, ""},
		{"unreadable line in the window", line(0) + line(1) + line(2) + "{}\n" + "\n" + line(5),
			"m0,m1,m2,m5", 6, ""},
		{"empty file", "", "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, OutboxFileName)
			if err := os.WriteFile(path, []byte(tt.file), 0o644); err != nil {
				t.Fatal(err)
			}
			s := newService(t, dir)
			if got := ids(s.Messages()); got != tt.want {
				t.Errorf("loaded %s, want %s", got, tt.want)
			}
			want := tt.wantFile
			switch want {
			case "":
				want = tt.file
			case "-":
				want = ""
			}
			if b, err := os.ReadFile(path); err != nil || string(b) != want {
				t.Errorf("file %q (%v), want %q", b, err, want)
			}
			recordN(t, s, tt.wantPos, tt.wantPos+1)
			last := fmt.Sprint("m", tt.wantPos)
			for _, svc := range []*Service{s, newService(t, dir)} {
				if page, _, err := svc.MessagesPage(tt.wantPos, 1); err != nil || ids(page) != last {
					t.Errorf("page at %d = %s (%v), want %s", tt.wantPos, ids(page), err, last)
				}
				if got := svc.Messages(); len(got) == 0 || got[len(got)-1].MessageID != last {
					t.Errorf("messages %s, want them to end with %s", ids(got), last)
				}
			}
		})
	}
}

// A Publish that cannot be written to the outbox file is answered with an InternalError and not recorded.
func TestOutboxWriteFailure(t *testing.T) {
	dir := t.TempDir()
	svc, client := newTestClient(t, dir)
	if err := os.Mkdir(filepath.Join(dir, OutboxFileName), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := client.Publish(context.Background(), &sns.PublishInput{PhoneNumber: aws.String("+821012345678"), Message: aws.String("hi")})
	if got := apiCode(err); !strings.HasPrefix(got, "InternalError: ") {
		t.Errorf("err %q, want InternalError", got)
	}
	if page, next, err := svc.MessagesPage(0, 10); len(page) != 0 || next != -1 || err != nil {
		t.Errorf("outbox %+v next %d (%v)", page, next, err)
	}
}

// A page from the oldest part of a 100,000-message outbox file, starting as far as it can from an index point.
func BenchmarkMessagesPageOld(b *testing.B) {
	dir := b.TempDir()
	f, err := os.Create(filepath.Join(dir, OutboxFileName))
	if err != nil {
		b.Fatal(err)
	}
	enc := json.NewEncoder(f)
	for pos := range 100_000 {
		if err := enc.Encode(testMessage(pos)); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	s := newService(b, dir)
	after := outboxIndexEvery - 1
	b.ResetTimer()
	for range b.N {
		page, _, err := s.MessagesPage(after, 100)
		if err != nil || len(page) != 100 || page[0].MessageID != fmt.Sprint("m", after) {
			b.Fatalf("page %s (%v)", ids(page), err)
		}
	}
}
