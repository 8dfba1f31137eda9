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
	walSyncInterval = 100 * time.Millisecond
)

// walEntry is one line of the log: a successful write request, verbatim.
type walEntry struct {
	Op   string          `json:"op"`
	N    uint64          `json:"n,omitempty"` // stream log: the record's counter
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
	size  int64 // bytes in the file
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
	l := &writeLog{path: path, log: log, f: f, size: valid, stop: make(chan struct{}), done: make(chan struct{})}
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
	_, err := l.appendEntry(walEntry{Op: op, Body: body})
	return err
}

// appendEntry writes one entry and returns the offset it starts at.
func (l *writeLog) appendEntry(e walEntry) (int64, error) {
	line, err := json.Marshal(e)
	if err != nil {
		return 0, fmt.Errorf("encode log entry: %w", err)
	}
	line = append(line, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return 0, fmt.Errorf("append to closed log")
	}
	off := l.size
	n, err := l.f.Write(line)
	l.size += int64(n)
	if err != nil {
		return 0, fmt.Errorf("append to %s: %w", l.path, err)
	}
	l.dirty = true
	return off, nil
}

// sizeNow is the file's length.
func (l *writeLog) sizeNow() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.size
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

// walOpItems is the log entry of an item write: the images it leaves, one per item.
const walOpItems = "Items"

// walItem is one item of a walOpItems entry: the item after the write, or the key it deleted.
// The item is logged as the table stores it (Packed, with the CRC-32 of the packer's dictionary)
// once the table has a packer, so replay does not repack it (itempack.go); the item that makes the
// table's packer (its first) is logged as DynamoDB JSON (Item), and replay makes the same packer
// from it. Logs of earlier versions hold only Item.
type walItem struct {
	Table  string          `json:"t"`
	Item   json.RawMessage `json:"i,omitempty"`
	Packed []byte          `json:"p,omitempty"`
	Dict   uint32          `json:"d,omitempty"`
	Key    json.RawMessage `json:"k,omitempty"`
}

// logItems persists the images of one write (one line, so a transaction is all or nothing).
// Callers hold s.mu shared and the write locks of the tables involved.
func (s *Service) logItems(items []walItem) error {
	if s.wal == nil {
		return nil
	}
	body, err := json.Marshal(items)
	if err != nil {
		return fmt.Errorf("encode log entry: %w", err)
	}
	if err := s.wal.append(walOpItems, body); err != nil {
		return fmt.Errorf("persist dynamodb write: %w", err)
	}
	return nil
}

// replayItems applies a walOpItems entry. Callers hold s.mu exclusively.
func (s *Service) replayItems(body []byte) error {
	var items []walItem
	if err := json.Unmarshal(body, &items); err != nil {
		return fmt.Errorf("decode log entry: %w", err)
	}
	for _, it := range items {
		t := s.tables[it.Table]
		if t == nil {
			continue
		}
		var err error
		switch {
		case len(it.Packed) > 0:
			err = t.store.loadPacked(it.Packed, it.Dict)
		case len(it.Item) > 0:
			err = t.store.load(it.Item)
		default:
			var key rawItem
			if err = json.Unmarshal(it.Key, &key); err == nil {
				err = t.store.remove(key)
			}
		}
		if err != nil {
			return fmt.Errorf("table %s: %w", it.Table, err)
		}
	}
	return nil
}
