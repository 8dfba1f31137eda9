package snsemu

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"slices"
)

// OutboxWindow is how many of the newest outbox messages a Service keeps in memory (read when it is
// created). With a Dir, older ones are read from the outbox file when a page asks for them; without one
// they are gone.
var OutboxWindow = 1000

// outboxIndexEvery: the file offset of every outboxIndexEvery-th line is kept, so a page of old messages
// starts reading at most that many lines before its first one (and skips them undecoded).
var outboxIndexEvery = 256

const maxOutboxLine = 4 << 20

// outbox is the SMS outbox. A message's position is its line number (from 0) in the outbox file, so
// positions survive restarts. A line that does not decode to a message (edited by hand) keeps its
// position and is left out of pages.
type outbox struct {
	path    string // "" = memory only
	window  int
	every   int
	recent  []Message // positions first..total-1; the zero Message for an unreadable line
	first   int
	total   int
	size    int64   // bytes of the file
	offsets []int64 // offsets[i]: where line i*every starts
}

func newOutbox(path string) outbox {
	return outbox{path: path, window: max(OutboxWindow, 1), every: max(outboxIndexEvery, 1)}
}

// load indexes the outbox file and decodes its last window lines. A torn last line (a crash during an
// append; its Publish was never answered) is cut off, so that the next append starts a line of its own.
func (o *outbox) load(logger *slog.Logger) error {
	f, err := os.OpenFile(o.path, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open sms outbox: %w", err)
	}
	defer f.Close()
	buf := make([]byte, 256<<10)
	var read int64 // bytes read so far
	for {
		n, rerr := f.Read(buf)
		for chunk := buf[:n]; ; {
			i := bytes.IndexByte(chunk, '\n')
			if i < 0 {
				break
			}
			if o.total%o.every == 0 {
				o.offsets = append(o.offsets, o.size)
			}
			o.total++
			o.size = read + int64(n-len(chunk)+i+1)
			chunk = chunk[i+1:]
		}
		read += int64(n)
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return fmt.Errorf("read sms outbox: %w", rerr)
		}
	}
	if read > o.size {
		logger.Warn("sns: dropping a torn last outbox line", "line", o.total+1, "bytes", read-o.size)
		if err := f.Truncate(o.size); err != nil {
			return fmt.Errorf("cut the torn last line of the sms outbox: %w", err)
		}
	}
	o.first = max(o.total-o.window, 0)
	if o.first == o.total {
		return nil
	}
	start, skip := o.seek(o.first)
	o.recent, err = readLines(o.path, start, skip, o.total-o.first)
	if err != nil {
		return err
	}
	for i, m := range o.recent {
		if m.MessageID == "" {
			logger.Warn("sns: skipping unreadable outbox line", "line", o.first+i+1)
		}
	}
	return nil
}

// seek is where to start reading the file for line pos: the indexed line at or before it, and how
// many lines to skip from there.
func (o *outbox) seek(pos int) (start int64, skip int) {
	return o.offsets[pos/o.every], pos % o.every
}

// write appends m to the file; a failed write is cut off again, so the file holds whole lines only.
func (o *outbox) write(m Message) (int64, error) {
	line, err := json.Marshal(m)
	if err != nil {
		return 0, fmt.Errorf("encode outbox entry: %w", err)
	}
	line = append(line, '\n')
	f, err := os.OpenFile(o.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return 0, fmt.Errorf("open sms outbox: %w", err)
	}
	_, werr := f.Write(line)
	if werr != nil {
		werr = errors.Join(werr, f.Truncate(o.size))
	}
	if err := errors.Join(werr, f.Close()); err != nil {
		return 0, fmt.Errorf("write sms outbox: %w", err)
	}
	return int64(len(line)), nil
}

// add records m, written to the file as a line of n bytes, at the next position.
func (o *outbox) add(m Message, n int64) {
	if o.path != "" && o.total%o.every == 0 {
		o.offsets = append(o.offsets, o.size)
	}
	o.size += n
	o.total++
	o.recent = append(o.recent, m)
	if len(o.recent) > o.window {
		o.recent[0] = Message{}
		o.recent = o.recent[1:]
		o.first++
	}
}

// readLines decodes count lines of the outbox file from start, after skipping skip lines undecoded.
// An unreadable line is the zero Message.
func readLines(path string, start int64, skip, count int) ([]Message, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open sms outbox: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(io.NewSectionReader(f, start, math.MaxInt64-start))
	sc.Buffer(make([]byte, 0, 64<<10), maxOutboxLine)
	msgs := make([]Message, 0, count)
	for ; len(msgs) < count && sc.Scan(); skip-- {
		if skip > 0 {
			continue
		}
		var m Message
		if json.Unmarshal(sc.Bytes(), &m) != nil {
			m = Message{}
		}
		msgs = append(msgs, m)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read sms outbox: %w", err)
	}
	if len(msgs) < count {
		return nil, fmt.Errorf("read sms outbox: %d lines short (was the file changed?)", count-len(msgs))
	}
	return msgs, nil
}

// MessagesPage returns up to limit outbox messages from position after on, oldest first, and the
// position of the next page (-1: none); a page is shorter when some of its lines are unreadable.
// Positions are lines of the outbox file: the same across restarts. Only the newest OutboxWindow
// messages are in memory; an older page is read from the file. Without a Dir, positions below the
// window are gone: a page from one starts at the window's oldest message.
func (s *Service) MessagesPage(after, limit int) ([]Message, int, error) {
	s.mu.Lock()
	o := &s.outbox
	after = max(after, 0)
	if o.path == "" {
		after = max(after, o.first)
	}
	if after >= o.total {
		s.mu.Unlock()
		return nil, -1, nil
	}
	end := o.total
	if limit := max(limit, 1); limit < o.total-after {
		end = after + limit
	}
	var recent []Message
	if end > o.first {
		recent = slices.Clone(o.recent[max(after, o.first)-o.first : end-o.first])
	}
	fileEnd := min(end, o.first)
	var start int64
	var skip int
	if after < fileEnd {
		start, skip = o.seek(after)
	}
	path, total := o.path, o.total
	s.mu.Unlock()

	// The lines before the window are whole and never change, so they are read without the lock.
	var page []Message
	if after < fileEnd {
		var err error
		if page, err = readLines(path, start, skip, fileEnd-after); err != nil {
			return nil, -1, err
		}
	}
	page = slices.DeleteFunc(append(page, recent...), func(m Message) bool { return m.MessageID == "" })
	if end == total {
		return page, -1, nil
	}
	return page, end, nil
}

// Messages returns the whole outbox, oldest first (without a Dir, the newest OutboxWindow). It reads
// and decodes the whole outbox file: for tests only; the control plane pages with MessagesPage.
func (s *Service) Messages() []Message {
	msgs, _, err := s.MessagesPage(0, math.MaxInt)
	if err != nil {
		panic(err)
	}
	return msgs
}
