// Package scheduler fires the local cloud's scheduled EventBridge rules: SAM Schedule events and
// AWS::Events::Rule resources with a ScheduleExpression. Each firing happens at its rate or cron time in AWS
// time (awsclock: at time scale 600 a rate(5 minutes) fires every half wall second) and hands the scheduled
// event ("Scheduled Event" from aws.events, EventBridge User Guide "Creating a scheduled rule",
// eb-create-rule-schedule) — or the target's constant Input instead — to each rule target through the
// event bus, so a Lambda target is invoked asynchronously and an SQS target is sent a message, under the
// target's retry policy and dead-letter queue.
//
// Differences from AWS: EventBridge fires within about a minute of the scheduled time; here a firing is
// as punctual as the wall clock allows. Firings a busy machine missed are delivered late, never skipped.
package scheduler

import (
	cryptorand "crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/awsclock"
	"github.com/calltaxi/call-taxi/localcloud/internal/eventbus"
	"github.com/calltaxi/call-taxi/localcloud/internal/scheduler/schedexpr"
)

// Deliverer hands one event to one rule target; *eventbus.Bus implements it.
type Deliverer interface {
	Deliver(rule eventbus.Rule, event []byte) error
}

// Options configures a Scheduler. Region and AccountID default to us-east-1 and 123456789012.
type Options struct {
	Region, AccountID string
	Clock             *awsclock.Clock // AWS time; nil is real time
	Logger            *slog.Logger
	Deliverer         Deliverer
}

// Schedule is one enabled scheduled rule. Scheduled rules live on the default event bus.
type Schedule struct {
	Rule       string // the rule name
	Expression *schedexpr.Expression
	Targets    []Target
}

// Target is one target of a scheduled rule: exactly one of Function (invoked asynchronously) and Queue.
type Target struct {
	Function, Queue      string
	MaximumRetryAttempts *int          // nil = EventBridge default 185
	MaximumEventAge      time.Duration // 0 = EventBridge default 24h
	DeadLetterQueue      string        // "" = none
	Input                json.RawMessage
}

// Scheduler runs schedules until Close.
type Scheduler struct {
	opts   Options
	logger *slog.Logger
	done   chan struct{}
	wg     sync.WaitGroup

	mu     sync.Mutex
	closed bool
}

// New returns a scheduler with no schedules.
func New(opts Options) *Scheduler {
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.AccountID == "" {
		opts.AccountID = "123456789012"
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	return &Scheduler{opts: opts, logger: logger, done: make(chan struct{})}
}

// Add checks a schedule and starts it: "A rate expression starts when you create the scheduled event rule"
// (eb-rate-expressions), so a rate counts from now; a cron fires at its next matching minute.
func (s *Scheduler) Add(sc Schedule) error {
	if sc.Rule == "" {
		return errors.New("add schedule: rule name is required")
	}
	if sc.Expression == nil {
		return fmt.Errorf("add schedule %s: expression is required", sc.Rule)
	}
	rules := make([]eventbus.Rule, len(sc.Targets))
	for i, t := range sc.Targets {
		rules[i] = eventbus.Rule{Name: sc.Rule, Function: t.Function, Queue: t.Queue,
			MaximumRetryAttempts: t.MaximumRetryAttempts, MaximumEventAge: t.MaximumEventAge, DeadLetterQueue: t.DeadLetterQueue}
		if err := rules[i].Validate(); err != nil {
			return fmt.Errorf("add schedule %s: %w", sc.Rule, err)
		}
		if t.Input != nil && !json.Valid(t.Input) {
			return fmt.Errorf("add schedule %s: Input is not valid JSON", sc.Rule)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("add schedule %s: scheduler is closed", sc.Rule)
	}
	if s.opts.Deliverer == nil {
		return fmt.Errorf("add schedule %s: no deliverer configured", sc.Rule)
	}
	start := s.opts.Clock.Now()
	s.logger.Info("scheduler: schedule started", "rule", sc.Rule, "expression", sc.Expression.String(),
		"targets", len(sc.Targets), "firstAt", sc.Expression.Next(start).UTC().Format(time.RFC3339))
	s.wg.Add(1)
	go s.run(sc, rules, start)
	return nil
}

// Close stops every schedule and waits for firings in progress.
func (s *Scheduler) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.done)
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Scheduler) run(sc Schedule, rules []eventbus.Rule, prev time.Time) {
	defer s.wg.Done()
	clock := s.opts.Clock
	for {
		at := sc.Expression.Next(prev)
		if at.IsZero() {
			s.logger.Info("scheduler: schedule has no further firings", "rule", sc.Rule, "expression", sc.Expression.String())
			return
		}
		timer := clock.NewTimer(at.Sub(clock.Now()))
		select {
		case <-timer.C:
		case <-s.done:
			timer.Stop()
			return
		}
		s.fire(sc, rules, at)
		prev = at
	}
}

// fire delivers one firing at the AWS time at to every target; all targets get the same event id.
func (s *Scheduler) fire(sc Schedule, rules []eventbus.Rule, at time.Time) {
	event, err := json.Marshal(scheduledEvent{
		Version: "0", ID: newEventID(), DetailType: "Scheduled Event", Source: "aws.events",
		Account: s.opts.AccountID, Time: at.UTC().Format("2006-01-02T15:04:05Z"), Region: s.opts.Region,
		Resources: []string{s.RuleArn(sc.Rule)}, Detail: json.RawMessage("{}"),
	})
	if err != nil { // unreachable for these field types
		s.logger.Error("scheduler: encode scheduled event", "rule", sc.Rule, "error", err.Error())
		return
	}
	s.logger.Debug("scheduler: fired", "rule", sc.Rule, "at", at.UTC().Format(time.RFC3339))
	for i, t := range sc.Targets {
		payload := event
		if t.Input != nil {
			payload = t.Input
		}
		if err := s.opts.Deliverer.Deliver(rules[i], payload); err != nil {
			s.logger.Error("scheduler: firing not delivered", "rule", sc.Rule, "target", rules[i].Function+rules[i].Queue, "error", err.Error())
		}
	}
}

// RuleArn is the ARN of a rule on the default event bus, the scheduled event's only resource.
func (s *Scheduler) RuleArn(rule string) string {
	return fmt.Sprintf("arn:aws:events:%s:%s:rule/%s", s.opts.Region, s.opts.AccountID, rule)
}

// scheduledEvent is the event EventBridge sends for a scheduled rule.
type scheduledEvent struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

func newEventID() string {
	b := make([]byte, 16)
	_, _ = cryptorand.Read(b) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// Start returns a scheduler running the given schedules (see FromTemplate).
func Start(opts Options, schedules []Schedule) (*Scheduler, error) {
	s := New(opts)
	for _, sc := range schedules {
		if err := s.Add(sc); err != nil {
			s.Close()
			return nil, fmt.Errorf("scheduler: %w", err)
		}
	}
	return s, nil
}
