// Package dlq is the local cloud's dead-letter queue store: the SQS queues that EventBridge rule targets
// (and, if configured, asynchronous invokes) drop undeliverable events into. Messages are kept in memory and,
// when a directory is given, appended to one JSON-lines file per queue so they survive a restart.
package dlq

import (
	"bufio"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Message is one dead-lettered message. Body is the original JSON when the body was JSON, else a JSON string.
type Message struct {
	ID         string            `json:"id"`
	Queue      string            `json:"queue"`
	Body       json.RawMessage   `json:"body"`
	Attributes map[string]string `json:"attributes,omitempty"`
	At         time.Time         `json:"at"`
}

// Store holds every queue's messages; it is safe for concurrent use.
type Store struct {
	dir    string
	logger *slog.Logger

	mu     sync.Mutex
	queues map[string][]Message
}

const fileSuffix = ".jsonl"

// New returns a store. dir "" keeps messages in memory only; otherwise dir is created if needed and every
// existing *.jsonl file in it is loaded.
func New(dir string) (*Store, error) {
	s := &Store{dir: dir, logger: slog.Default(), queues: map[string][]Message{}}
	if dir == "" {
		return s, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create dlq dir: %w", err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*"+fileSuffix))
	if err != nil {
		return nil, fmt.Errorf("list dlq files: %w", err)
	}
	for _, file := range files {
		if err := s.load(file); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Store) load(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("open dlq file: %w", err)
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for line := 1; scanner.Scan(); line++ {
		if len(strings.TrimSpace(scanner.Text())) == 0 {
			continue
		}
		var m Message
		if err := json.Unmarshal(scanner.Bytes(), &m); err != nil {
			// A torn last line (crash mid-append) must not stop the local cloud from starting.
			s.logger.Warn("dlq: skipping unreadable line", "file", file, "line", line, "error", err.Error())
			continue
		}
		if m.Queue == "" {
			m.Queue = strings.TrimSuffix(filepath.Base(file), fileSuffix)
		}
		s.queues[m.Queue] = append(s.queues[m.Queue], m)
	}
	if err := scanner.Err(); err != nil {
		return fmt.Errorf("read dlq file %s: %w", file, err)
	}
	return nil
}

// Put stores a message. It never fails: a file write error is logged and the message is kept in memory.
func (s *Store) Put(queue string, body []byte, attributes map[string]string) {
	m := Message{
		ID:         newID(),
		Queue:      queue,
		Body:       bodyJSON(body),
		Attributes: cloneMap(attributes),
		At:         time.Now().UTC(),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queues[queue] = append(s.queues[queue], m)
	s.logger.Warn("dlq: message dead-lettered", "queue", queue, "messageId", m.ID, "attributes", m.Attributes)
	if s.dir == "" {
		return
	}
	if err := s.appendToFile(m); err != nil {
		s.logger.Error("dlq: persist message", "queue", queue, "error", err.Error())
	}
}

func (s *Store) appendToFile(m Message) error {
	line, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode message: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(s.dir, fileName(m.Queue)), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("open queue file: %w", err)
	}
	_, werr := f.Write(append(line, '\n'))
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		return fmt.Errorf("write queue file: %w", err)
	}
	return nil
}

// List returns a copy of the queue's messages, oldest first.
func (s *Store) List(queue string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.queues[queue]))
	for i, m := range s.queues[queue] {
		m.Attributes = cloneMap(m.Attributes)
		out[i] = m
	}
	return out
}

// Queues returns every known queue with its depth.
func (s *Store) Queues() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.queues))
	for q, msgs := range s.queues {
		out[q] = len(msgs)
	}
	return out
}

// QueueNames returns the known queue names, sorted.
func (s *Store) QueueNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.queues))
	for q := range s.queues {
		names = append(names, q)
	}
	sort.Strings(names)
	return names
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// fileName maps a queue name (possibly an ARN) to a safe file name; the queue name itself is stored in
// every line, so the mapping need not be reversible.
func fileName(queue string) string {
	name := unsafeFileChars.ReplaceAllString(queue, "_")
	if name == "" || strings.Trim(name, ".") == "" {
		name = "_"
	}
	return name + fileSuffix
}

func bodyJSON(body []byte) json.RawMessage {
	if json.Valid(body) {
		return json.RawMessage(append([]byte(nil), body...))
	}
	quoted, _ := json.Marshal(string(body)) // marshalling a string cannot fail
	return quoted
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
