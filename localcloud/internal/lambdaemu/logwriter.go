package lambdaemu

import (
	"bytes"
	"io"
	"sync"
)

// maxLogLine forces out a line that never ends, so a runaway writer cannot grow the buffer.
const maxLogLine = 64 << 10

// syncWriter serialises whole lines from all environments onto one writer.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) writeLine(line []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _ = s.w.Write(line) // logging must never fail an invocation
}

// lineWriter prefixes every line a process writes with its function name.
type lineWriter struct {
	out    *syncWriter
	prefix []byte
	mu     sync.Mutex
	buf    []byte
}

func newLineWriter(out *syncWriter, function string) *lineWriter {
	return &lineWriter{out: out, prefix: []byte("[" + function + "] ")}
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		l.emit(l.buf[:i])
		l.buf = l.buf[i+1:]
	}
	if len(l.buf) > maxLogLine {
		l.emit(l.buf)
		l.buf = nil
	}
	return len(p), nil
}

// Flush writes a final line that had no newline.
func (l *lineWriter) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.emit(l.buf)
		l.buf = nil
	}
}

func (l *lineWriter) emit(line []byte) {
	out := make([]byte, 0, len(l.prefix)+len(line)+1)
	out = append(out, l.prefix...)
	out = append(out, line...)
	out = append(out, '\n')
	l.out.writeLine(out)
}
