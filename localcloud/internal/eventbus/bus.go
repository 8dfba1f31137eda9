package eventbus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/awsclock"
)

// Invoker hands an event to a Lambda function asynchronously (InvocationType Event), as EventBridge does
// for a Lambda target. A nil error means Lambda accepted the event: the function's own errors are then
// Lambda's business (its asynchronous retries and destinations), not the rule's. A non-nil error is a
// failed delivery (throttled, unknown or stopped function) that the rule's retry policy covers. An error
// with an ErrorCode() string method names the DLQ ERROR_CODE. lambdaemu.Service implements it.
type Invoker interface {
	InvokeAsync(function string, payload []byte) error
}

// QueueSender sends a message to an SQS queue; body is the event JSON. A non-nil error is a failed
// delivery that the rule's retry policy covers.
type QueueSender interface {
	SendMessage(queue, body string) error
}

// DeadLetters receives events whose delivery was given up (the local SQS, sqsemu.Service, implements it).
type DeadLetters interface {
	Put(queue string, body []byte, attributes map[string]string)
}

// Rule is one rule target: events on BusName matching Pattern are delivered to exactly one of Function (a
// Lambda target, invoked asynchronously) or Queue (an SQS target, sent the event as the message body).
type Rule struct {
	Name, BusName string
	Function      string // Lambda function name or ARN
	Queue         string // SQS queue name, URL or ARN, as the QueueSender knows it
	Pattern       *Pattern
	// MaximumRetryAttempts: nil means the AWS default 185; otherwise 0..185 as in a RetryPolicy.
	MaximumRetryAttempts *int
	// MaximumEventAge: 0 means the AWS default 24h; otherwise 60s..24h as MaximumEventAgeInSeconds.
	MaximumEventAge time.Duration

	retries         int    // MaximumRetryAttempts resolved by AddRule
	DeadLetterQueue string // "" = none: exhausted events are dropped (logged)
}

// target names the rule's target for logs and delivery records.
func (r *Rule) target() string {
	if r.Queue != "" {
		return r.Queue
	}
	return r.Function
}

// RetryPolicy limits from the API reference (RetryPolicy data type).
const (
	defaultBusName       = "default"
	defaultRetryAttempts = 185
	maxRetryAttempts     = 185
	defaultMaxEventAge   = 24 * time.Hour
	minMaxEventAge       = 60 * time.Second
	defaultConcurrency   = 64
	recentCapacity       = 500
)

// Options configures a Bus. Region and AccountID default to us-east-1 and 123456789012.
type Options struct {
	Region, AccountID string
	Logger            *slog.Logger
	Invoker           Invoker     // Lambda targets
	Queues            QueueSender // SQS targets
	DeadLetters       DeadLetters
	// Clock converts the AWS retry backoff and maximum event age to wall time; nil is real time.
	Clock *awsclock.Clock
	// MaxConcurrentDeliveries bounds target deliveries in flight (default 64); further deliveries queue.
	MaxConcurrentDeliveries int
	// DeliveryDelay, when set, runs before each delivery attempt to a target with the event's
	// PutEvents time: a modeled AWS ingestion-to-invocation latency (localcloud -latency).
	DeliveryDelay func(ctx context.Context, since time.Time) error
}

// Bus is the EventBridge emulator; it is an http.Handler and safe for concurrent use.
type Bus struct {
	opts    Options
	logger  *slog.Logger
	clock   *awsclock.Clock
	backoff func(retry int) time.Duration // AWS time before retry number retry
	queue   *deliveryQueue
	workers sync.WaitGroup

	mu       sync.Mutex
	closed   bool
	buses    map[string]bool
	rules    []*Rule // in AddRule order
	faults   Faults
	recent   []*RecordedEvent // ring buffer, oldest overwritten
	next     int              // next ring slot
	stats    BusStats
	timers   map[*time.Timer]*delivery // pending retries
	inFlight int
}

// New creates a bus with the "default" event bus and starts its delivery workers.
func New(opts Options) *Bus {
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.AccountID == "" {
		opts.AccountID = "123456789012"
	}
	if opts.MaxConcurrentDeliveries <= 0 {
		opts.MaxConcurrentDeliveries = defaultConcurrency
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	b := &Bus{
		opts:    opts,
		logger:  logger,
		clock:   opts.Clock,
		backoff: jitteredBackoff,
		queue:   newDeliveryQueue(),
		buses:   map[string]bool{defaultBusName: true},
		timers:  map[*time.Timer]*delivery{},
	}
	for range opts.MaxConcurrentDeliveries {
		b.workers.Add(1)
		go b.worker()
	}
	return b
}

// AddBus creates a custom event bus (idempotent).
func (b *Bus) AddBus(name string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buses[name] = true
}

// AddRule registers a rule target. BusName "" means "default". The bus must exist, the pattern must be set
// (a schedule fires through Deliver), exactly one of Function and Queue must be set, the retry policy must
// be within the API's limits, and (bus, name, target) must be new.
func (b *Bus) AddRule(r Rule) error {
	if r.Pattern == nil && r.Name != "" {
		return fmt.Errorf("add rule %s: event pattern is required (scheduled rules are fired with Deliver)", r.Name)
	}
	if err := r.resolve("add rule"); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.buses[r.BusName] {
		return fmt.Errorf("add rule %s: event bus %s does not exist", r.Name, r.BusName)
	}
	for _, existing := range b.rules {
		if existing.BusName == r.BusName && existing.Name == r.Name && existing.Function == r.Function && existing.Queue == r.Queue {
			return fmt.Errorf("add rule %s: bus %s already has this rule with target %s", r.Name, r.BusName, r.target())
		}
	}
	b.rules = append(b.rules, &r)
	return nil
}

// Validate reports what AddRule and Deliver would refuse in r's name, target and retry policy; the pattern
// is not checked.
func (r Rule) Validate() error { return r.resolve("rule") }

// resolve checks the target and retry policy and fills in the defaults; op prefixes the errors.
func (r *Rule) resolve(op string) error {
	if r.BusName == "" {
		r.BusName = defaultBusName
	}
	switch {
	case r.Name == "":
		return errors.New(op + ": name is required")
	case r.Function == "" && r.Queue == "":
		return fmt.Errorf("%s %s: a target is required: set Function (Lambda) or Queue (SQS)", op, r.Name)
	case r.Function != "" && r.Queue != "":
		return fmt.Errorf("%s %s: one Rule is one target: set Function or Queue, not both", op, r.Name)
	}
	r.retries = defaultRetryAttempts
	if n := r.MaximumRetryAttempts; n != nil {
		if *n < 0 || *n > maxRetryAttempts {
			return fmt.Errorf("%s %s: MaximumRetryAttempts %d is outside 0..%d", op, r.Name, *n, maxRetryAttempts)
		}
		r.retries = *n
	}
	switch age := r.MaximumEventAge; {
	case age == 0:
		r.MaximumEventAge = defaultMaxEventAge
	case age < minMaxEventAge || age > defaultMaxEventAge:
		return fmt.Errorf("%s %s: MaximumEventAgeInSeconds %v is outside 60..86400", op, r.Name, age.Seconds())
	}
	return nil
}

// Deliver hands event to the one target of r as if r had matched it, with r's retry policy and dead-letter
// queue, and records it among the recent events; r needs no Pattern and is not added to the bus. The
// scheduler fires scheduled rules through it. event is delivered as is (a scheduled event, or a target's
// constant Input).
func (b *Bus) Deliver(r Rule, event []byte) error {
	if err := r.resolve("deliver"); err != nil {
		return err
	}
	var head struct {
		ID         string `json:"id"`
		Source     string `json:"source"`
		DetailType string `json:"detail-type"`
	}
	_ = json.Unmarshal(event, &head) // only labels the record; a constant Input need not be an envelope
	if head.ID == "" {
		head.ID = newEventID()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case !b.buses[r.BusName]:
		return fmt.Errorf("deliver %s: event bus %s does not exist", r.Name, r.BusName)
	case b.closed:
		return fmt.Errorf("deliver %s: the bus is closed", r.Name)
	}
	rec := &RecordedEvent{ID: head.ID, Bus: r.BusName, Source: head.Source, DetailType: head.DetailType,
		PutAt: time.Now().UTC(), Event: bytes.Clone(event),
		Deliveries: []Delivery{{Rule: r.Name, Function: r.Function, Queue: r.Queue, State: StateQueued}}}
	b.remember(rec)
	b.stats.Deliveries++
	d := &delivery{rule: &r, event: rec.Event, putAt: b.clock.Now(), record: &rec.Deliveries[0]}
	if !b.queue.push(d) {
		d.record.State = StateAbandoned
	}
	return nil
}

// Close stops accepting events, drops queued deliveries and pending retries (logging how many), and waits
// for in-flight invocations to return.
func (b *Bus) Close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	dropped := 0
	for t, d := range b.timers {
		if t.Stop() {
			d.record.State = StateAbandoned
			dropped++
		}
	}
	clear(b.timers)
	b.mu.Unlock()

	for _, d := range b.queue.close() {
		b.mu.Lock()
		d.record.State = StateAbandoned
		b.mu.Unlock()
		dropped++
	}
	b.workers.Wait()
	if dropped > 0 {
		b.logger.Warn("eventbus: closed with undelivered events", "abandoned", dropped)
	}
}

func (b *Bus) ruleArn(r *Rule) string {
	if r.BusName == defaultBusName {
		return fmt.Sprintf("arn:aws:events:%s:%s:rule/%s", b.opts.Region, b.opts.AccountID, r.Name)
	}
	return fmt.Sprintf("arn:aws:events:%s:%s:rule/%s/%s", b.opts.Region, b.opts.AccountID, r.BusName, r.Name)
}

func (b *Bus) busArn(name string) string {
	return fmt.Sprintf("arn:aws:events:%s:%s:event-bus/%s", b.opts.Region, b.opts.AccountID, name)
}

func (b *Bus) targetArn(r *Rule) string {
	if r.Queue != "" {
		if strings.HasPrefix(r.Queue, "arn:") {
			return r.Queue
		}
		name := r.Queue[strings.LastIndex(r.Queue, "/")+1:] // a queue URL ends with the queue name
		return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", b.opts.Region, b.opts.AccountID, name)
	}
	if strings.HasPrefix(r.Function, "arn:") {
		return r.Function
	}
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", b.opts.Region, b.opts.AccountID, r.Function)
}

// busName resolves an EventBusName parameter, which may be a name or an event-bus ARN; "" is "default".
func busName(nameOrArn string) string {
	if nameOrArn == "" {
		return defaultBusName
	}
	if strings.HasPrefix(nameOrArn, "arn:") {
		if i := strings.Index(nameOrArn, ":event-bus/"); i >= 0 {
			return nameOrArn[i+len(":event-bus/"):]
		}
	}
	return nameOrArn
}
