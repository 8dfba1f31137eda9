package ddbemu

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

const (
	walFileName     = "writes.jsonl"
	walSyncInterval = 100 * time.Millisecond
)

// walEntry is one line of the log: a successful write request, verbatim.
type walEntry struct {
	Op   string          `json:"op"`
	Body json.RawMessage `json:"body"`
}

// writeLog is an append-only JSONL file. Every entry reaches the OS with one
// write(2) before the client gets its answer (a crashed process loses nothing
// it acknowledged); fsync runs in batches every 100 ms and on close.
type writeLog struct {
	path string
	log  *slog.Logger

	mu    sync.Mutex
	f     *os.File
	dirty bool

	stop chan struct{}
	done chan struct{}
}

// openWriteLog opens (creating) the log dir/name, cuts off a torn last line left by a
// crash, and returns the length of the valid prefix.
func openWriteLog(dir, name string, log *slog.Logger) (*writeLog, int64, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, 0, fmt.Errorf("create %s: %w", dir, err)
	}
	path := filepath.Join(dir, name)
	valid, err := validPrefix(path)
	if err != nil {
		return nil, 0, err
	}
	if info, statErr := os.Stat(path); statErr == nil && info.Size() > valid {
		log.Warn("dropping torn tail of log", "path", path, "bytes", info.Size()-valid)
		if err := os.Truncate(path, valid); err != nil {
			return nil, 0, fmt.Errorf("truncate %s: %w", path, err)
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, 0, fmt.Errorf("open %s: %w", path, err)
	}
	l := &writeLog{path: path, log: log, f: f, stop: make(chan struct{}), done: make(chan struct{})}
	go l.syncLoop()
	return l, valid, nil
}

// validPrefix returns how many leading bytes of the file are complete, decodable lines.
func validPrefix(path string) (int64, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	var valid int64
	err = scanEntries(f, -1, func(_ walEntry, end int64) error {
		valid = end
		return nil
	})
	if err != nil && !errors.Is(err, errTornEntry) {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	return valid, nil
}

var errTornEntry = errors.New("torn log entry")

// scanEntries calls fn for each complete entry within the first limit bytes
// (limit < 0 = all), with the offset just after the entry.
func scanEntries(r io.Reader, limit int64, fn func(e walEntry, end int64) error) error {
	if limit >= 0 {
		r = io.LimitReader(r, limit)
	}
	br := bufio.NewReaderSize(r, 1<<16)
	var offset int64
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			var e walEntry
			if jerr := json.Unmarshal(bytes.TrimSpace(line), &e); jerr != nil || e.Op == "" {
				return errTornEntry
			}
			offset += int64(len(line))
			if ferr := fn(e, offset); ferr != nil {
				return ferr
			}
			continue
		}
		if errors.Is(err, io.EOF) {
			if len(line) > 0 {
				return errTornEntry
			}
			return nil
		}
		return err
	}
}

// append writes one entry; the body must be valid JSON.
func (l *writeLog) append(op string, body []byte) error {
	line, err := json.Marshal(walEntry{Op: op, Body: body})
	if err != nil {
		return fmt.Errorf("encode log entry: %w", err)
	}
	line = append(line, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return fmt.Errorf("append to closed log")
	}
	if _, err := l.f.Write(line); err != nil {
		return fmt.Errorf("append to %s: %w", l.path, err)
	}
	l.dirty = true
	return nil
}

// replay feeds the first limit bytes of the log to apply, returning the entry count.
func (l *writeLog) replay(limit int64, apply func(op string, body []byte)) (int, error) {
	f, err := os.Open(l.path)
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", l.path, err)
	}
	defer f.Close()
	n := 0
	err = scanEntries(f, limit, func(e walEntry, _ int64) error {
		apply(e.Op, e.Body)
		n++
		return nil
	})
	return n, err
}

// rewrite atomically replaces the log with the given entries.
func (l *writeLog) rewrite(entries []walEntry) error {
	tmp := l.path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("create %s: %w", tmp, err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, e := range entries {
		if err := enc.Encode(e); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", tmp, err)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("flush %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := os.Rename(tmp, l.path); err != nil {
		return fmt.Errorf("replace %s: %w", l.path, err)
	}
	nf, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("reopen %s: %w", l.path, err)
	}
	_ = l.f.Close()
	l.f, l.dirty = nf, false
	return nil
}

func (l *writeLog) syncLoop() {
	defer close(l.done)
	t := time.NewTicker(walSyncInterval)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			if err := l.sync(); err != nil {
				l.log.Error("sync dynamodb log", "err", err)
			}
		}
	}
}

func (l *writeLog) sync() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil || !l.dirty {
		return nil
	}
	l.dirty = false
	return l.f.Sync()
}

// close stops the sync loop, fsyncs and closes the file.
func (l *writeLog) close() error {
	close(l.stop)
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Sync()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	if err != nil {
		return fmt.Errorf("close %s: %w", l.path, err)
	}
	return nil
}
