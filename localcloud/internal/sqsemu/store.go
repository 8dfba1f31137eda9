package sqsemu

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Persistence: one append-only JSON-lines log per queue, Dir/sqs/<queue>.log. Every change is
// written to the log before the call that made it returns (so a message acknowledged to a sender
// survives a crash of the local cloud); on start each log is replayed and rewritten compacted. Messages
// in flight when the local cloud stopped are visible again after a restart.

const (
	recConfig  = "q" // queue attributes
	recSend    = "s" // a message enqueued
	recReceive = "r" // a message received: its receive count and first receive time
	recDelete  = "d" // a message deleted, expired or moved out
	recPurge   = "p" // every message deleted
	logSuffix  = ".log"
)

type record struct {
	T       string       `json:"t"`
	Cfg     *queueConfig `json:"cfg,omitempty"`
	Created int64        `json:"created,omitempty"`
	M       *storedMsg   `json:"m,omitempty"`
	ID      string       `json:"id,omitempty"`
	RC      int          `json:"rc,omitempty"`
	First   int64        `json:"first,omitempty"`
}

type storedMsg struct {
	ID        string                      `json:"id"`
	Body      string                      `json:"body"`
	Attrs     map[string]MessageAttribute `json:"attrs,omitempty"`
	Sender    string                      `json:"sender,omitempty"`
	Sent      int64                       `json:"sent"`
	VisibleAt int64                       `json:"visibleAt"`
	RC        int                         `json:"rc,omitempty"`
	First     int64                       `json:"first,omitempty"`
	DLQSource string                      `json:"dlqSource,omitempty"`
}

func storeMessage(m *message) *storedMsg {
	sm := &storedMsg{
		ID: m.id, Body: m.body, Attrs: m.attrs, Sender: m.sender, Sent: m.sent.UnixMilli(),
		VisibleAt: m.visibleAt.UnixMilli(), RC: m.recvCount, DLQSource: m.dlqSource,
	}
	if !m.firstRecv.IsZero() {
		sm.First = m.firstRecv.UnixMilli()
	}
	return sm
}

func (s *Service) logPath(name string) string { return filepath.Join(s.dir, name+logSuffix) }

func (s *Service) load() error {
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return fmt.Errorf("create dir: %w", err)
	}
	files, err := filepath.Glob(filepath.Join(s.dir, "*"+logSuffix))
	if err != nil {
		return fmt.Errorf("list queue logs: %w", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), logSuffix)
		q, err := s.replay(name, file)
		if err != nil {
			return err
		}
		if q == nil {
			continue
		}
		s.queues[name] = q
		if err := s.rewrite(q); err != nil {
			return err
		}
	}
	return nil
}

// replay rebuilds a queue from its log; a torn last line (crash mid-append) is skipped.
func (s *Service) replay(name, file string) (*queue, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("open queue log: %w", err)
	}
	defer f.Close()
	now := s.now()
	var q *queue
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 8*MaxMessageSize)
	for line := 1; sc.Scan(); line++ {
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			s.log.Warn("skipping unreadable queue log line", "file", file, "line", line, "error", err.Error())
			continue
		}
		if r.T == recConfig && r.Cfg != nil {
			if q == nil {
				q = newQueue(name, *r.Cfg, time.UnixMilli(r.Created))
			}
			q.cfg = *r.Cfg
			continue
		}
		if q == nil {
			s.log.Warn("queue log line before the queue's attributes; skipped", "file", file, "line", line)
			continue
		}
		switch r.T {
		case recSend:
			if r.M == nil {
				continue
			}
			m := restoreMessage(r.M)
			if old, ok := q.byID[m.id]; ok {
				old.deleted = true
			}
			q.msgs = append(q.msgs, m)
			q.byID[m.id] = m
		case recReceive:
			if m, ok := q.byID[r.ID]; ok {
				m.recvCount = r.RC
				m.firstRecv = time.UnixMilli(r.First)
				m.visibleAt = now // in-flight messages are visible again after a restart
			}
		case recDelete:
			if m, ok := q.byID[r.ID]; ok {
				m.deleted = true
				delete(q.byID, r.ID)
			}
		case recPurge:
			q.msgs, q.byID = nil, map[string]*message{}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read queue log %s: %w", file, err)
	}
	if q == nil {
		return nil, nil
	}
	live := make([]*message, 0, len(q.byID))
	for _, m := range q.msgs {
		if m.deleted {
			continue
		}
		// AWS time restarts with the local cloud's clock: keep nothing in the future beyond what AWS allows.
		if m.sent.After(now) {
			m.sent = now
		}
		if m.recvCount > 0 && m.visibleAt.After(now) {
			m.visibleAt = now
		}
		if m.visibleAt.After(now.Add(MaxDelay)) {
			m.visibleAt = now
		}
		live = append(live, m)
	}
	q.msgs = live
	return q, nil
}

func restoreMessage(sm *storedMsg) *message {
	m := &message{
		id: sm.ID, body: sm.Body, md5Body: md5Hex([]byte(sm.Body)), attrs: sm.Attrs, sender: sm.Sender,
		sent: time.UnixMilli(sm.Sent), visibleAt: time.UnixMilli(sm.VisibleAt), recvCount: sm.RC,
		dlqSource: sm.DLQSource,
	}
	if sm.First != 0 {
		m.firstRecv = time.UnixMilli(sm.First)
	}
	if m.recvCount > 0 {
		m.visibleAt = time.Time{} // in flight before the restart: visible again
	}
	m.md5Attrs = md5OfAttributes(m.attrs)
	return m
}

// rewrite replaces q's log with its current state (written to a temporary file, synced, renamed) and
// leaves the log open for appending.
func (s *Service) rewrite(q *queue) error {
	if s.dir == "" {
		return nil
	}
	if q.file != nil {
		_ = q.file.Close()
		q.file = nil
	}
	path := s.logPath(q.name)
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("compact queue log: %w", err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	cfg := q.cfg
	werr := enc.Encode(record{T: recConfig, Cfg: &cfg, Created: q.created.UnixMilli()})
	n := 1
	for _, m := range q.msgs {
		if werr != nil {
			break
		}
		if !m.deleted {
			werr = enc.Encode(record{T: recSend, M: storeMessage(m)})
			n++
		}
	}
	werr = errors.Join(werr, w.Flush(), f.Sync(), f.Close())
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("compact queue log %s: %w", path, werr)
	}
	q.records = n
	return s.openFile(q)
}

func (s *Service) openFile(q *queue) error {
	if s.dir == "" || q.file != nil {
		return nil
	}
	f, err := os.OpenFile(s.logPath(q.name), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("open queue log: %w", err)
	}
	q.file = f
	return nil
}

// appendRecord writes one change to q's log; a write error is logged (the change stays in memory).
func (s *Service) appendRecord(q *queue, r record) {
	if q.file == nil {
		return
	}
	line, err := json.Marshal(r)
	if err == nil {
		_, err = q.file.Write(append(line, '\n'))
	}
	if err != nil {
		s.log.Error("persist queue change", "queue", q.name, "error", err.Error())
		return
	}
	q.records++
}

// maybeCompact rewrites a log that has grown to several times the queue's live messages.
func (s *Service) maybeCompact(q *queue) {
	if q.file == nil || q.records < 1024 || q.records < 4*(len(q.byID)+1) {
		return
	}
	if err := s.rewrite(q); err != nil {
		s.log.Error("compact queue log", "queue", q.name, "error", err.Error())
	}
}
