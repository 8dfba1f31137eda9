package eventbus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Invoker runs a Lambda function. A non-nil error means the delivery failed (throttle, function error,
// stopped function); the bus retries. An error with an ErrorCode() string method names the DLQ ERROR_CODE.
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) ([]byte, error)
}

// DeadLetters receives events whose delivery was given up (dlq.Store implements it).
type DeadLetters interface {
	Put(queue string, body []byte, attributes map[string]string)
}

// Rule is one rule target: events on BusName matching Pattern are delivered to Function.
type Rule struct {
	Name, BusName, Function string
	Pattern                 *Pattern
	// MaximumRetryAttempts: nil means the AWS default 185; 0 means no retries, as in a RetryPolicy.
	MaximumRetryAttempts *int
	// MaximumEventAge: 0 means the AWS default 24h.
	MaximumEventAge time.Duration

	retries         int    // MaximumRetryAttempts resolved by AddRule
	DeadLetterQueue string // "" = none: exhausted events are dropped (logged)
}

const (
	defaultBusName       = "default"
	defaultRetryAttempts = 185
	defaultMaxEventAge   = 24 * time.Hour
	defaultConcurrency   = 64
	recentCapacity       = 500
)

// Options configures a Bus. Region and AccountID default to us-east-1 and 123456789012.
type Options struct {
	Region, AccountID string
	Logger            *slog.Logger
	Invoker           Invoker
	DeadLetters       DeadLetters
	// MaxConcurrentDeliveries bounds target invocations in flight (default 64); further deliveries queue.
	MaxConcurrentDeliveries int
}

// Bus is the EventBridge emulator; it is an http.Handler and safe for concurrent use.
type Bus struct {
	opts    Options
	logger  *slog.Logger
	backoff func(retry int) time.Duration
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
		backoff: retryBackoff,
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
// (scheduled rules are not emulated) and (bus, name, function) must be new.
func (b *Bus) AddRule(r Rule) error {
	if r.BusName == "" {
		r.BusName = defaultBusName
	}
	switch {
	case r.Name == "":
		return errors.New("add rule: name is required")
	case r.Function == "":
		return fmt.Errorf("add rule %s: target function is required", r.Name)
	case r.Pattern == nil:
		return fmt.Errorf("add rule %s: event pattern is required (scheduled rules are not emulated)", r.Name)
	}
	r.retries = defaultRetryAttempts
	if r.MaximumRetryAttempts != nil {
		r.retries = max(0, *r.MaximumRetryAttempts)
	}
	if r.MaximumEventAge <= 0 {
		r.MaximumEventAge = defaultMaxEventAge
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.buses[r.BusName] {
		return fmt.Errorf("add rule %s: event bus %s does not exist", r.Name, r.BusName)
	}
	for _, existing := range b.rules {
		if existing.BusName == r.BusName && existing.Name == r.Name && existing.Function == r.Function {
			return fmt.Errorf("add rule %s: bus %s already has this rule with target %s", r.Name, r.BusName, r.Function)
		}
	}
	b.rules = append(b.rules, &r)
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

func (b *Bus) targetArn(function string) string {
	if strings.HasPrefix(function, "arn:") {
		return function
	}
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", b.opts.Region, b.opts.AccountID, function)
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
