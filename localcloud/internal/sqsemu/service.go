// Package sqsemu is the local cloud's Amazon SQS: standard queues with AWS's at-least-once delivery,
// visibility timeouts, receipt handles, redrive policies (dead-letter queues), retention, delays, long
// polling and dead-letter queue redrive (StartMessageMoveTask), served over the AWS JSON protocol that the
// AWS SDK for Go v2 and the AWS CLI speak, and through a Go API for the Lambda event source mapping
// (sqsesm) and the local control endpoints.
//
// Every AWS-defined wait (visibility timeout, retention, delay, long-poll wait) runs on an
// *awsclock.Clock, and every timestamp (SentTimestamp, ApproximateFirstReceiveTimestamp) is AWS time.
//
// Semantics follow the Amazon SQS Developer Guide; each rule names its page. Only standard queues are
// emulated: FIFO queues are refused with UnsupportedOperation.
package sqsemu

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/calltaxi/call-taxi/localcloud/internal/awsclock"
)

// Limits and defaults from the Amazon SQS Developer Guide, "Amazon SQS message quotas" and
// "Amazon SQS queue quotas", and the API Reference for CreateQueue / ReceiveMessage.
const (
	DefaultVisibilityTimeout      = 30 * time.Second
	MaxVisibilityTimeout          = 12 * time.Hour
	DefaultMessageRetentionPeriod = 4 * 24 * time.Hour
	MinMessageRetentionPeriod     = time.Minute
	MaxMessageRetentionPeriod     = 14 * 24 * time.Hour
	MaxDelay                      = 15 * time.Minute
	MaxWaitTime                   = 20 * time.Second
	// MaxMessageSize is the current SQS limit: CreateQueue's MaximumMessageSize is "an integer from
	// 1,024 bytes (1 KiB) to 1,048,576 bytes (1 MiB). Default: 1,048,576 bytes (1 MiB)" (API Reference,
	// CreateQueue, as shipped with aws-sdk-go-v2/service/sqs v1.53.0; it was 256 KiB until August 2025).
	MaxMessageSize     = 1 << 20
	MinMessageSize     = 1024
	MaxReceiveMessages = 10
	MaxBatchEntries    = 10
	MaxMessageAttrs    = 10
	MaxMaxReceiveCount = 1000
	purgeInterval      = 60 * time.Second
	maxMoveTasksListed = 10
)

// Options configures a Service.
type Options struct {
	Dir               string // "" = memory only; otherwise queues persist under Dir/sqs
	Logger            *slog.Logger
	Region, AccountID string // defaults us-east-1 and 000000000000
	Clock             *awsclock.Clock
}

// QueueSpec describes a standard queue. Zero durations take AWS's defaults (visibility 30 s, retention
// 4 days, delay 0, receive wait 0).
type QueueSpec struct {
	Name                                                                            string
	VisibilityTimeout, MessageRetentionPeriod, DelaySeconds, ReceiveMessageWaitTime time.Duration
	DeadLetterTarget                                                                string // queue name, URL or ARN ("" = no redrive policy)
	MaxReceiveCount                                                                 int    // redrive policy's maxReceiveCount (1–1000)
	MaximumMessageSize                                                              int    // bytes; 0 = 1 MiB
}

// MessageAttribute is a message attribute (String, Number or Binary, optionally with a custom suffix
// such as "String.json").
type MessageAttribute struct {
	DataType    string `json:"DataType"`
	StringValue string `json:"StringValue,omitempty"`
	BinaryValue []byte `json:"BinaryValue,omitempty"`
}

// Received is one message as ReceiveMessage returns it.
type Received struct {
	MessageID              string
	ReceiptHandle          string
	Body                   string
	MD5OfBody              string
	MD5OfMessageAttributes string // "" when the message has no attributes
	// Attributes are the message system attributes: SenderId, SentTimestamp, ApproximateReceiveCount,
	// ApproximateFirstReceiveTimestamp and, for a dead-lettered message, DeadLetterQueueSourceArn.
	Attributes        map[string]string
	MessageAttributes map[string]MessageAttribute
}

// Message is a snapshot of a stored message, for listing.
type Message struct {
	MessageID                string
	Body                     string
	MessageAttributes        map[string]MessageAttribute
	SentTimestamp            time.Time // AWS time
	ApproximateReceiveCount  int
	FirstReceiveTimestamp    time.Time // zero until first received
	VisibleAt                time.Time // AWS time at which it is (or was) visible
	InFlight                 bool      // received and not yet visible again
	Delayed                  bool      // never received and still inside its delay
	DeadLetterQueueSourceArn string    // set when moved here by a redrive policy
}

// Service is the SQS emulator; it is safe for concurrent use.
type Service struct {
	dir     string
	log     *slog.Logger
	region  string
	account string
	clock   *awsclock.Clock

	mu     sync.Mutex
	queues map[string]*queue
	tasks  map[string]*moveTask // by task handle
	closed bool
	wg     sync.WaitGroup // move tasks
	stop   chan struct{}
}

type queueConfig struct {
	VisibilityTimeout      time.Duration `json:"visibilityTimeout"`
	MessageRetentionPeriod time.Duration `json:"messageRetentionPeriod"`
	DelaySeconds           time.Duration `json:"delaySeconds"`
	ReceiveMessageWaitTime time.Duration `json:"receiveMessageWaitTime"`
	DeadLetterTarget       string        `json:"deadLetterTarget,omitempty"` // queue name
	MaxReceiveCount        int           `json:"maxReceiveCount,omitempty"`
	MaximumMessageSize     int           `json:"maximumMessageSize"`
}

func defaultConfig() queueConfig {
	return queueConfig{
		VisibilityTimeout:      DefaultVisibilityTimeout,
		MessageRetentionPeriod: DefaultMessageRetentionPeriod,
		MaximumMessageSize:     MaxMessageSize,
	}
}

type queue struct {
	name         string
	cfg          queueConfig
	created      time.Time
	lastModified time.Time
	msgs         []*message // send order; deleted entries are dropped lazily
	byID         map[string]*message
	removed      int
	notify       chan struct{} // closed and replaced when a message may have become visible
	lastPurge    time.Time
	file         *os.File
	records      int // records in file
}

type message struct {
	id, body, md5Body string
	attrs             map[string]MessageAttribute
	md5Attrs          string
	sender            string
	sent              time.Time
	firstRecv         time.Time
	recvCount         int
	visibleAt         time.Time
	handle            string // receipt handle of the latest receive ("" = never received)
	receivedAt        time.Time
	dlqSource         string
	deleted           bool
}

// New starts a service; with opts.Dir set it loads (and compacts) the queues saved there.
func New(opts Options) (*Service, error) {
	s := &Service{
		dir: opts.Dir, log: opts.Logger, region: opts.Region, account: opts.AccountID, clock: opts.Clock,
		queues: map[string]*queue{}, tasks: map[string]*moveTask{}, stop: make(chan struct{}),
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.log = s.log.With("component", "sqs")
	if s.region == "" {
		s.region = "us-east-1"
	}
	if s.account == "" {
		s.account = "000000000000"
	}
	if s.dir != "" {
		s.dir = filepath.Join(s.dir, "sqs")
		if err := s.load(); err != nil {
			return nil, fmt.Errorf("sqs: load %s: %w", s.dir, err)
		}
	}
	return s, nil
}

// Close stops move tasks and closes the queue files. The service must not be used afterwards.
func (s *Service) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.stop)
	s.mu.Unlock()
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, q := range s.queues {
		if q.file != nil {
			errs = append(errs, q.file.Close())
			q.file = nil
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqs: close: %w", err)
	}
	return nil
}

// Region and AccountID are the service's region and account.
func (s *Service) Region() string    { return s.region }
func (s *Service) AccountID() string { return s.account }

// ARN is the queue's ARN (arn:aws:sqs:<region>:<account>:<name>); queue may be a name, URL or ARN.
func (s *Service) ARN(queue string) string {
	return "arn:aws:sqs:" + s.region + ":" + s.account + ":" + QueueName(queue)
}

// URL is the queue's URL as GetQueueUrl returns it for a request to host.
func (s *Service) URL(host, queue string) string {
	return "http://" + host + "/" + s.account + "/" + QueueName(queue)
}

// QueueName extracts a queue name from a name, a queue URL (http://host/account/name) or an ARN
// (arn:aws:sqs:region:account:name).
func QueueName(ref string) string {
	switch {
	case strings.HasPrefix(ref, "arn:"):
		return ref[strings.LastIndex(ref, ":")+1:]
	case strings.Contains(ref, "://"):
		if u, err := url.Parse(ref); err == nil {
			return strings.Trim(u.Path[strings.LastIndex(strings.TrimRight(u.Path, "/"), "/")+1:], "/")
		}
	}
	return ref
}

var queueNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

func (s *Service) now() time.Time { return s.clock.Now() }

// CreateQueue creates a queue, or updates an existing queue's attributes to spec (the local cloud
// re-creates its queues from the template on every start). Unlike the CreateQueue action it does not
// require the dead-letter target to exist yet.
func (s *Service) CreateQueue(spec QueueSpec) error {
	cfg := defaultConfig()
	if spec.VisibilityTimeout != 0 {
		cfg.VisibilityTimeout = spec.VisibilityTimeout
	}
	if spec.MessageRetentionPeriod != 0 {
		cfg.MessageRetentionPeriod = spec.MessageRetentionPeriod
	}
	cfg.DelaySeconds = spec.DelaySeconds
	cfg.ReceiveMessageWaitTime = spec.ReceiveMessageWaitTime
	if spec.MaximumMessageSize != 0 {
		cfg.MaximumMessageSize = spec.MaximumMessageSize
	}
	if spec.DeadLetterTarget != "" {
		cfg.DeadLetterTarget = QueueName(spec.DeadLetterTarget)
		cfg.MaxReceiveCount = spec.MaxReceiveCount
	}
	name := QueueName(spec.Name)
	if err := validateConfig(name, cfg); err != nil {
		return fmt.Errorf("sqs: create queue %q: %w", spec.Name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if q, ok := s.queues[name]; ok {
		if q.cfg != cfg {
			q.cfg = cfg
			q.lastModified = s.now()
			s.appendRecord(q, record{T: recConfig, Cfg: &cfg, Created: q.created.UnixMilli()})
		}
		return nil
	}
	if _, err := s.createLocked(name, cfg); err != nil {
		return fmt.Errorf("sqs: create queue %q: %w", spec.Name, err)
	}
	return nil
}

func validateConfig(name string, cfg queueConfig) error {
	switch {
	case strings.HasSuffix(name, ".fifo"):
		return errUnsupported("FIFO queues are not emulated")
	case !queueNamePattern.MatchString(name):
		return errInvalidParameter("QueueName", name, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	case cfg.VisibilityTimeout < 0 || cfg.VisibilityTimeout > MaxVisibilityTimeout:
		return errInvalidAttributeValue("VisibilityTimeout")
	case cfg.MessageRetentionPeriod < MinMessageRetentionPeriod || cfg.MessageRetentionPeriod > MaxMessageRetentionPeriod:
		return errInvalidAttributeValue("MessageRetentionPeriod")
	case cfg.DelaySeconds < 0 || cfg.DelaySeconds > MaxDelay:
		return errInvalidAttributeValue("DelaySeconds")
	case cfg.ReceiveMessageWaitTime < 0 || cfg.ReceiveMessageWaitTime > MaxWaitTime:
		return errInvalidAttributeValue("ReceiveMessageWaitTimeSeconds")
	case cfg.MaximumMessageSize < MinMessageSize || cfg.MaximumMessageSize > MaxMessageSize:
		return errInvalidAttributeValue("MaximumMessageSize")
	case cfg.DeadLetterTarget != "" && (cfg.MaxReceiveCount < 1 || cfg.MaxReceiveCount > MaxMaxReceiveCount):
		return errInvalidAttributeValue("RedrivePolicy")
	case cfg.DeadLetterTarget == name:
		return errInvalidAttributeValue("RedrivePolicy")
	}
	return nil
}

func (s *Service) createLocked(name string, cfg queueConfig) (*queue, error) {
	now := s.now()
	q := newQueue(name, cfg, now)
	if err := s.openFile(q); err != nil {
		return nil, err
	}
	s.queues[name] = q
	s.appendRecord(q, record{T: recConfig, Cfg: &cfg, Created: now.UnixMilli()})
	return q, nil
}

func newQueue(name string, cfg queueConfig, now time.Time) *queue {
	return &queue{
		name: name, cfg: cfg, created: now, lastModified: now,
		byID: map[string]*message{}, notify: make(chan struct{}),
	}
}

// DeleteQueue deletes a queue and its messages.
func (s *Service) DeleteQueue(queue string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(queue)
	if err != nil {
		return fmt.Errorf("sqs: delete queue: %w", err)
	}
	delete(s.queues, q.name)
	close(q.notify)
	q.notify = make(chan struct{})
	if q.file != nil {
		_ = q.file.Close()
		q.file = nil
		if err := os.Remove(s.logPath(q.name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("sqs: delete queue file: %w", err)
		}
	}
	return nil
}

// QueueNames lists the queues, sorted.
func (s *Service) QueueNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.queues))
	for n := range s.queues {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (s *Service) lookup(ref string) (*queue, error) {
	q, ok := s.queues[QueueName(ref)]
	if !ok {
		return nil, errNoQueue(ref)
	}
	return q, nil
}

// Send sends one message; attrs may be nil. It returns the message ID.
func (s *Service) Send(queue, body string, attrs map[string]MessageAttribute, delay time.Duration) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(queue)
	if err != nil {
		return "", fmt.Errorf("sqs: send: %w", err)
	}
	m, err := s.sendLocked(q, body, attrs, delay)
	if err != nil {
		return "", fmt.Errorf("sqs: send to %s: %w", q.name, err)
	}
	return m.id, nil
}

// sendLocked validates and enqueues a message; delay < 0 means the queue's DelaySeconds.
func (s *Service) sendLocked(q *queue, body string, attrs map[string]MessageAttribute, delay time.Duration) (*message, error) {
	if delay < 0 {
		delay = q.cfg.DelaySeconds
	}
	if delay > MaxDelay {
		return nil, errInvalidParameter("DelaySeconds", strconv.Itoa(int(delay/time.Second)), "must be between 0 and 900")
	}
	if err := validateMessage(body, attrs, q.cfg.MaximumMessageSize); err != nil {
		return nil, err
	}
	now := s.now()
	m := &message{
		id: newUUID(), body: body, md5Body: md5Hex([]byte(body)), attrs: cloneAttrs(attrs),
		sender: s.account, sent: now, visibleAt: now.Add(delay),
	}
	m.md5Attrs = md5OfAttributes(m.attrs)
	s.enqueueLocked(q, m)
	return m, nil
}

func (s *Service) enqueueLocked(q *queue, m *message) {
	q.msgs = append(q.msgs, m)
	q.byID[m.id] = m
	s.appendRecord(q, record{T: recSend, M: storeMessage(m)})
	s.signal(q)
}

func (s *Service) signal(q *queue) {
	close(q.notify)
	q.notify = make(chan struct{})
}

// validateMessage applies "Amazon SQS message quotas": allowed characters, 1 byte minimum, the
// queue's maximum size (body plus attribute names, types and values), at most 10 attributes.
func validateMessage(body string, attrs map[string]MessageAttribute, maxSize int) error {
	if body == "" {
		return errMissingParameter("MessageBody")
	}
	if !validChars(body) {
		return errInvalidMessageContents()
	}
	if len(attrs) > MaxMessageAttrs {
		return errInvalidParameter("MessageAttributes", strconv.Itoa(len(attrs)), "Number of message attributes ["+strconv.Itoa(len(attrs))+"] exceeds the allowed maximum [10].")
	}
	size := messageSize(body, attrs)
	for name, a := range attrs {
		if name == "" || len(name) > 256 || !attrNamePattern.MatchString(name) || strings.HasPrefix(strings.ToLower(name), "aws.") ||
			strings.HasPrefix(strings.ToLower(name), "amazon.") || strings.Contains(name, "..") {
			return errInvalidParameter("MessageAttributes", name, "invalid attribute name")
		}
		base, _, _ := strings.Cut(a.DataType, ".")
		switch base {
		case "String", "Number":
			if a.StringValue == "" {
				return errInvalidParameter("MessageAttributes."+name, "", "Message attribute '"+name+"' must contain a non-empty value of type '"+base+"'")
			}
			if !validChars(a.StringValue) {
				return errInvalidParameter("MessageAttributes."+name, "", "contains invalid characters")
			}
		case "Binary":
			if len(a.BinaryValue) == 0 {
				return errInvalidParameter("MessageAttributes."+name, "", "Message attribute '"+name+"' must contain a non-empty value of type 'Binary'")
			}
		default:
			return errInvalidParameter("MessageAttributes."+name, a.DataType, "The type of message attribute '"+name+"' is invalid")
		}
	}
	if size > maxSize {
		return errInvalidParameter("MessageBody", "", fmt.Sprintf("Message must be shorter than %d bytes.", maxSize))
	}
	return nil
}

var attrNamePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

func messageSize(body string, attrs map[string]MessageAttribute) int {
	n := len(body)
	for name, a := range attrs {
		n += len(name) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
	return n
}

// validChars: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
func validChars(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		switch {
		case r == 0x9 || r == 0xA || r == 0xD:
		case r >= 0x20 && r <= 0xD7FF:
		case r >= 0xE000 && r <= 0xFFFD:
		case r >= 0x10000 && r <= 0x10FFFF:
		default:
			return false
		}
	}
	return true
}

// Put is the dead-letter adapter (same signature as dlq.Store.Put): it sends body to queue with
// attributes as String message attributes. It never fails: a missing queue is created with AWS's
// defaults, and errors are logged.
func (s *Service) Put(queue string, body []byte, attributes map[string]string) {
	var attrs map[string]MessageAttribute
	if len(attributes) > 0 {
		attrs = make(map[string]MessageAttribute, len(attributes))
		for k, v := range attributes {
			if v == "" {
				continue
			}
			attrs[k] = MessageAttribute{DataType: "String", StringValue: v}
		}
	}
	name := QueueName(queue)
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.queues[name]
	if !ok {
		if err := validateConfig(name, defaultConfig()); err != nil {
			s.log.Error("dead-letter put: no such queue, and the name is not a valid queue name; message dropped", "queue", queue, "error", err.Error())
			return
		}
		var err error
		if q, err = s.createLocked(name, defaultConfig()); err != nil {
			s.log.Error("dead-letter put: create queue", "queue", name, "error", err.Error())
			return
		}
		s.log.Warn("dead-letter put: created missing queue with default attributes", "queue", name)
	}
	m, err := s.sendLocked(q, string(body), attrs, -1)
	if err != nil {
		s.log.Error("dead-letter put: message refused", "queue", name, "bytes", len(body), "error", err.Error())
		return
	}
	s.log.Warn("message dead-lettered", "queue", name, "messageId", m.id, "attributes", attributes)
}

// Receive returns up to max (1–10) visible messages without waiting; visibility <= 0 uses the queue's
// visibility timeout.
func (s *Service) Receive(queue string, max int, visibility time.Duration) ([]Received, error) {
	if visibility <= 0 {
		visibility = -1
	}
	out, err := s.receive(context.Background(), queue, max, visibility, 0)
	if err != nil {
		return nil, fmt.Errorf("sqs: receive from %s: %w", queue, err)
	}
	return out, nil
}

// ReceiveWait long-polls like ReceiveMessage with WaitTimeSeconds: it returns as soon as a message
// is available, or empty after wait (AWS time, at most 20 s), or ctx's error if ctx ends first.
func (s *Service) ReceiveWait(ctx context.Context, queue string, max int, visibility, wait time.Duration) ([]Received, error) {
	if visibility <= 0 {
		visibility = -1
	}
	out, err := s.receive(ctx, queue, max, visibility, wait)
	if err != nil {
		return nil, fmt.Errorf("sqs: receive from %s: %w", queue, err)
	}
	return out, nil
}

// receive implements ReceiveMessage; visibility < 0 means the queue's default, wait < 0 the queue's
// ReceiveMessageWaitTimeSeconds ("Amazon SQS short and long polling").
func (s *Service) receive(ctx context.Context, ref string, max int, visibility, wait time.Duration) ([]Received, error) {
	if max < 1 || max > MaxReceiveMessages {
		return nil, errInvalidParameter("MaxNumberOfMessages", strconv.Itoa(max), "Must be between 1 and 10, if provided.")
	}
	if visibility > MaxVisibilityTimeout {
		return nil, errInvalidParameter("VisibilityTimeout", strconv.Itoa(int(visibility/time.Second)), "Must be between 0 and 43200, if provided.")
	}
	if wait > MaxWaitTime {
		return nil, errInvalidParameter("WaitTimeSeconds", strconv.Itoa(int(wait/time.Second)), "Must be >= 0 and <= 20, if provided.")
	}
	var deadline time.Time
	for {
		s.mu.Lock()
		q, err := s.lookup(ref)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		if deadline.IsZero() {
			if wait < 0 {
				wait = q.cfg.ReceiveMessageWaitTime
			}
			deadline = time.Now().Add(s.clock.Wall(wait))
		}
		now := s.now()
		out := s.receiveLocked(q, max, visibility, now)
		notify, next := q.notify, q.nextVisible(now)
		s.mu.Unlock()
		if len(out) > 0 {
			return out, nil
		}
		remaining := time.Until(deadline)
		if remaining <= 0 {
			return nil, nil
		}
		if !next.IsZero() {
			remaining = min(remaining, s.clock.Wall(next.Sub(now))+time.Millisecond)
		}
		t := time.NewTimer(remaining)
		select {
		case <-notify:
		case <-t.C:
		case <-s.stop:
			t.Stop()
			return nil, nil
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
		t.Stop()
	}
}

func (s *Service) receiveLocked(q *queue, max int, visibility time.Duration, now time.Time) []Received {
	if visibility < 0 {
		visibility = q.cfg.VisibilityTimeout
	}
	s.expireLocked(q, now)
	var out []Received
	for _, m := range q.msgs {
		if len(out) == max {
			break
		}
		if m.deleted || m.visibleAt.After(now) {
			continue
		}
		// "Using dead-letter queues in Amazon SQS": when the ReceiveCount for a message exceeds the
		// maxReceiveCount for a queue, Amazon SQS moves the message to a dead-letter queue — here on the
		// receive attempt that would exceed it.
		if q.cfg.DeadLetterTarget != "" && m.recvCount >= q.cfg.MaxReceiveCount {
			s.deadLetterLocked(q, m)
			continue
		}
		m.recvCount++
		if m.firstRecv.IsZero() {
			m.firstRecv = now
		}
		m.handle = newHandle(q.name, m.id)
		m.receivedAt = now
		m.visibleAt = now.Add(visibility)
		s.appendRecord(q, record{T: recReceive, ID: m.id, RC: m.recvCount, First: m.firstRecv.UnixMilli()})
		out = append(out, m.received())
	}
	q.tidy()
	s.maybeCompact(q)
	return out
}

// deadLetterLocked moves m to its queue's dead-letter queue, keeping its message ID, body, attributes,
// SentTimestamp ("Setting-up dead-letter queue retention in Amazon SQS": for standard queues the
// enqueue timestamp is unchanged) and receive count, and recording DeadLetterQueueSourceArn.
func (s *Service) deadLetterLocked(q *queue, m *message) {
	target := q.cfg.DeadLetterTarget
	dq, ok := s.queues[target]
	if !ok {
		var err error
		if dq, err = s.createLocked(target, defaultConfig()); err != nil {
			s.log.Error("dead-letter queue missing and could not be created; message kept", "queue", q.name, "deadLetterQueue", target, "error", err.Error())
			return
		}
		s.log.Warn("dead-letter queue missing; created with default attributes", "deadLetterQueue", target)
	}
	s.removeLocked(q, m)
	moved := *m
	moved.deleted = false
	moved.handle = ""
	moved.visibleAt = m.sent // visible at once
	moved.dlqSource = s.ARN(q.name)
	s.enqueueLocked(dq, &moved)
	s.log.Warn("message moved to dead-letter queue", "queue", q.name, "deadLetterQueue", target,
		"messageId", m.id, "receiveCount", m.recvCount)
}

func (m *message) received() Received {
	attrs := map[string]string{
		"SenderId":                         m.sender,
		"SentTimestamp":                    strconv.FormatInt(m.sent.UnixMilli(), 10),
		"ApproximateReceiveCount":          strconv.Itoa(m.recvCount),
		"ApproximateFirstReceiveTimestamp": strconv.FormatInt(m.firstRecv.UnixMilli(), 10),
	}
	if m.dlqSource != "" {
		attrs["DeadLetterQueueSourceArn"] = m.dlqSource
	}
	return Received{
		MessageID: m.id, ReceiptHandle: m.handle, Body: m.body, MD5OfBody: m.md5Body,
		MD5OfMessageAttributes: m.md5Attrs, Attributes: attrs, MessageAttributes: cloneAttrs(m.attrs),
	}
}

func (q *queue) nextVisible(now time.Time) time.Time {
	var next time.Time
	for _, m := range q.msgs {
		if !m.deleted && m.visibleAt.After(now) && (next.IsZero() || m.visibleAt.Before(next)) {
			next = m.visibleAt
		}
	}
	return next
}

// expireLocked deletes messages older than the retention period ("Amazon SQS message quotas",
// message retention; the age counts from the original enqueue time).
func (s *Service) expireLocked(q *queue, now time.Time) {
	for _, m := range q.msgs {
		if !m.deleted && now.Sub(m.sent) >= q.cfg.MessageRetentionPeriod {
			s.removeLocked(q, m)
		}
	}
	q.tidy()
}

func (s *Service) removeLocked(q *queue, m *message) {
	if m.deleted {
		return
	}
	m.deleted = true
	delete(q.byID, m.id)
	q.removed++
	s.appendRecord(q, record{T: recDelete, ID: m.id})
}

// tidy drops deleted messages from q.msgs once they are many; never call it while ranging over q.msgs.
func (q *queue) tidy() {
	if q.removed <= 64 || q.removed <= len(q.msgs)/2 {
		return
	}
	live := make([]*message, 0, len(q.msgs)-q.removed)
	for _, x := range q.msgs {
		if !x.deleted {
			live = append(live, x)
		}
	}
	q.msgs = live
	q.removed = 0
}

// Delete deletes the message received with receiptHandle. A handle from an earlier receive of a
// message received again since succeeds without deleting it: "if you don't provide the most recently
// received receipt handle for the message, the request will still succeed, but the message might not
// be deleted" (API Reference, DeleteMessage). Deleting an already deleted message succeeds.
func (s *Service) Delete(queue, receiptHandle string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(queue)
	if err != nil {
		return fmt.Errorf("sqs: delete message: %w", err)
	}
	if err := s.deleteLocked(q, receiptHandle); err != nil {
		return fmt.Errorf("sqs: delete message from %s: %w", q.name, err)
	}
	return nil
}

func (s *Service) deleteLocked(q *queue, handle string) error {
	id, err := parseHandle(q.name, handle)
	if err != nil {
		return err
	}
	m, ok := q.byID[id]
	if !ok || m.handle != handle {
		return nil
	}
	s.removeLocked(q, m)
	q.tidy()
	s.maybeCompact(q)
	return nil
}

// ChangeVisibility sets the remaining visibility timeout of a received message ("Amazon SQS
// visibility timeout"): 0 makes it visible at once; the total may not pass 12 hours from the receive.
func (s *Service) ChangeVisibility(queue, receiptHandle string, visibility time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(queue)
	if err != nil {
		return fmt.Errorf("sqs: change visibility: %w", err)
	}
	if err := s.changeVisibilityLocked(q, receiptHandle, visibility); err != nil {
		return fmt.Errorf("sqs: change visibility in %s: %w", q.name, err)
	}
	return nil
}

func (s *Service) changeVisibilityLocked(q *queue, handle string, visibility time.Duration) error {
	if visibility < 0 || visibility > MaxVisibilityTimeout {
		return errInvalidParameter("VisibilityTimeout", strconv.Itoa(int(visibility/time.Second)), "Must be between 0 and 43200.")
	}
	id, err := parseHandle(q.name, handle)
	if err != nil {
		return err
	}
	m, ok := q.byID[id]
	if !ok || m.handle != handle {
		return errInvalidParameter("ReceiptHandle", handle, "Message does not exist or is not available for visibility timeout change.")
	}
	now := s.now()
	if !m.visibleAt.After(now) {
		return errNotInflight()
	}
	if now.Add(visibility).Sub(m.receivedAt) > MaxVisibilityTimeout {
		return errInvalidParameter("VisibilityTimeout", strconv.Itoa(int(visibility/time.Second)), "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]")
	}
	m.visibleAt = now.Add(visibility)
	if visibility == 0 {
		s.signal(q)
	}
	return nil
}

// Counts returns ApproximateNumberOfMessages (visible), ApproximateNumberOfMessagesNotVisible (in
// flight) and ApproximateNumberOfMessagesDelayed; all zero for an unknown queue.
func (s *Service) Counts(queue string) (visible, notVisible, delayed int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(queue)
	if err != nil {
		return 0, 0, 0
	}
	return s.countsLocked(q)
}

func (s *Service) countsLocked(q *queue) (visible, notVisible, delayed int) {
	now := s.now()
	s.expireLocked(q, now)
	for _, m := range q.msgs {
		switch {
		case m.deleted:
		case !m.visibleAt.After(now):
			visible++
		case m.recvCount == 0:
			delayed++
		default:
			notVisible++
		}
	}
	return visible, notVisible, delayed
}

// Messages lists a copy of the queue's messages in send order (nil for an unknown queue).
func (s *Service) Messages(queue string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(queue)
	if err != nil {
		return nil
	}
	now := s.now()
	s.expireLocked(q, now)
	out := make([]Message, 0, len(q.byID))
	for _, m := range q.msgs {
		if m.deleted {
			continue
		}
		future := m.visibleAt.After(now)
		out = append(out, Message{
			MessageID: m.id, Body: m.body, MessageAttributes: cloneAttrs(m.attrs), SentTimestamp: m.sent,
			ApproximateReceiveCount: m.recvCount, FirstReceiveTimestamp: m.firstRecv, VisibleAt: m.visibleAt,
			InFlight: future && m.recvCount > 0, Delayed: future && m.recvCount == 0,
			DeadLetterQueueSourceArn: m.dlqSource,
		})
	}
	return out
}

// Purge deletes every message in the queue ("PurgeQueue": one purge per 60 seconds).
func (s *Service) Purge(queue string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(queue)
	if err != nil {
		return fmt.Errorf("sqs: purge: %w", err)
	}
	now := s.now()
	if !q.lastPurge.IsZero() && now.Sub(q.lastPurge) < purgeInterval {
		return fmt.Errorf("sqs: purge %s: %w", q.name, errPurgeInProgress(q.name))
	}
	q.lastPurge = now
	for _, m := range q.msgs {
		if !m.deleted {
			m.deleted = true
		}
	}
	q.msgs, q.byID, q.removed = nil, map[string]*message{}, 0
	s.appendRecord(q, record{T: recPurge})
	return nil
}

// --- receipt handles, IDs, checksums ---

func newHandle(queue, id string) string {
	var nonce [12]byte
	_, _ = rand.Read(nonce[:])
	return base64.RawURLEncoding.EncodeToString([]byte(queue + "\x00" + id + "\x00" + hex.EncodeToString(nonce[:])))
}

// parseHandle returns the message ID in a receipt handle issued by queue.
func parseHandle(queue, handle string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(handle)
	if err != nil {
		return "", errInvalidHandle(handle)
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 || parts[0] != queue || parts[1] == "" {
		return "", errInvalidHandle(handle)
	}
	return parts[1], nil
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

// md5OfAttributes is MD5OfMessageAttributes as the SQS Developer Guide ("Amazon SQS message
// attributes", calculating the MD5 message digest) defines it: attributes sorted by name, each encoded
// as length-prefixed name, length-prefixed data type, a transport byte (1 string/number, 2 binary) and
// the length-prefixed value; lengths are 4-byte big-endian.
func md5OfAttributes(attrs map[string]MessageAttribute) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf []byte
	put := func(b []byte) {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(b)))
		buf = append(buf, b...)
	}
	for _, n := range names {
		a := attrs[n]
		put([]byte(n))
		put([]byte(a.DataType))
		if strings.HasPrefix(a.DataType, "Binary") {
			buf = append(buf, 2)
			put(a.BinaryValue)
		} else {
			buf = append(buf, 1)
			put([]byte(a.StringValue))
		}
	}
	return md5Hex(buf)
}

func cloneAttrs(attrs map[string]MessageAttribute) map[string]MessageAttribute {
	if len(attrs) == 0 {
		return nil
	}
	out := make(map[string]MessageAttribute, len(attrs))
	for k, v := range attrs {
		if v.BinaryValue != nil {
			v.BinaryValue = append([]byte(nil), v.BinaryValue...)
		}
		out[k] = v
	}
	return out
}
