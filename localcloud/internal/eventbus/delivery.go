package eventbus

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"
)

// delivery is one event on its way to one rule target.
type delivery struct {
	rule   *Rule
	event  []byte
	putAt  time.Time // AWS time (Bus.clock), for MaximumEventAge
	record *Delivery // inside a RecordedEvent; guarded by Bus.mu
}

// deliveryQueue is an unbounded FIFO feeding the fixed pool of workers, so a burst of events waits for a
// delivery slot instead of being lost or blocking PutEvents.
type deliveryQueue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []*delivery
	closed bool
}

func newDeliveryQueue() *deliveryQueue {
	q := &deliveryQueue{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// push enqueues d; it reports false once the queue is closed.
func (q *deliveryQueue) push(d *delivery) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	q.items = append(q.items, d)
	q.cond.Signal()
	return true
}

// pop blocks until an item is available or the queue is closed (then it returns nil).
func (q *deliveryQueue) pop() *delivery {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 && !q.closed {
		q.cond.Wait()
	}
	if q.closed {
		return nil
	}
	d := q.items[0]
	q.items[0] = nil
	q.items = q.items[1:]
	return d
}

// close wakes every worker and returns the items that will never be delivered.
func (q *deliveryQueue) close() []*delivery {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	left := q.items
	q.items = nil
	q.cond.Broadcast()
	return left
}

func (q *deliveryQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

// Retry backoff, in AWS time. AWS documents exponential backoff with jitter spreading the default 185
// retries over the default 24 hours (eb-rule-retry-policy) but not the constants; these are chosen so
// that the mean of the 185 jittered waits is about 24 hours, so neither default limit dominates.
const (
	backoffBase = time.Second
	backoffCap  = 11 * time.Minute
)

// retryBackoffCeiling is the un-jittered wait before retry number retry (1-based): 1 s doubling to 11 min.
func retryBackoffCeiling(retry int) time.Duration {
	if retry < 1 {
		retry = 1
	}
	if retry > 20 { // far past the cap; avoids overflowing the shift
		return backoffCap
	}
	return min(backoffBase<<(retry-1), backoffCap)
}

// jitteredBackoff draws the wait before retry number retry uniformly from [ceiling/2, ceiling].
func jitteredBackoff(retry int) time.Duration {
	ceiling := retryBackoffCeiling(retry)
	return ceiling/2 + time.Duration(rand.Int64N(int64(ceiling/2)+1))
}

func (b *Bus) worker() {
	defer b.workers.Done()
	for {
		d := b.queue.pop()
		if d == nil {
			return
		}
		b.attempt(d)
	}
}

func (b *Bus) attempt(d *delivery) {
	b.mu.Lock()
	d.record.State = StateDelivering
	d.record.Attempts++
	b.inFlight++
	b.mu.Unlock()

	if deadLetter := b.settle(d, b.deliver(d)); deadLetter != nil {
		deadLetter() // outside b.mu: the DLQ may write a file
	}
}

// deliver makes one delivery attempt to the rule's target.
func (b *Bus) deliver(d *delivery) error {
	if b.opts.DeliveryDelay != nil {
		if err := b.opts.DeliveryDelay(context.Background(), d.putAt); err != nil {
			return fmt.Errorf("delivery delay: %w", err)
		}
	}
	if d.rule.Queue != "" {
		if b.opts.Queues == nil {
			return errors.New("no SQS queue sender configured")
		}
		if err := b.opts.Queues.SendMessage(d.rule.Queue, string(d.event)); err != nil {
			return fmt.Errorf("send to queue %s: %w", d.rule.Queue, err)
		}
		return nil
	}
	if b.opts.Invoker == nil {
		return errors.New("no invoker configured")
	}
	if err := b.opts.Invoker.InvokeAsync(d.rule.Function, d.event); err != nil {
		return fmt.Errorf("invoke %s asynchronously: %w", d.rule.Function, err)
	}
	return nil
}

// settle records the outcome of an attempt and schedules a retry or gives up. It returns the dead-letter
// write to perform, if any, after b.mu is released.
func (b *Bus) settle(d *delivery, err error) (deadLetter func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.inFlight--
	if err == nil {
		d.record.State = StateDelivered
		d.record.LastError = ""
		b.stats.Delivered++
		b.logger.Debug("eventbus: delivered", "rule", d.rule.Name, "target", d.rule.target(), "attempts", d.record.Attempts)
		return nil
	}
	d.record.LastError = err.Error()
	retriesDone := d.record.Attempts - 1
	wait := b.backoff(retriesDone + 1)
	switch {
	case !retriable(err):
		return b.giveUp(d, err, "")
	case retriesDone >= d.rule.retries:
		return b.giveUp(d, err, "MaximumRetryAttempts")
	case b.clock.Since(d.putAt)+wait > d.rule.MaximumEventAge:
		return b.giveUp(d, err, "MaximumEventAgeInSeconds")
	case b.closed:
		d.record.State = StateAbandoned
	default:
		d.record.State = StateRetrying
		b.stats.Retries++
		b.logger.Warn("eventbus: delivery failed, will retry", "rule", d.rule.Name, "target", d.rule.target(),
			"attempt", d.record.Attempts, "retryIn", wait.String(), "error", err.Error())
		b.scheduleRetry(d, wait)
	}
	return nil
}

// scheduleRetry re-queues d after the AWS duration wait. Callers hold b.mu.
func (b *Bus) scheduleRetry(d *delivery, wait time.Duration) {
	var t *time.Timer
	t = b.clock.AfterFunc(wait, func() {
		b.mu.Lock()
		if _, pending := b.timers[t]; !pending { // Close got here first
			d.record.State = StateAbandoned
			b.mu.Unlock()
			return
		}
		delete(b.timers, t)
		d.record.State = StateQueued
		b.mu.Unlock()
		if !b.queue.push(d) {
			b.mu.Lock()
			d.record.State = StateAbandoned
			b.mu.Unlock()
		}
	})
	b.timers[t] = d
}

// giveUp marks d dead-lettered (returning the DLQ write) or dropped. condition is the
// EXHAUSTED_RETRY_CONDITION, "" for an error that is not retried at all. Callers hold b.mu.
func (b *Bus) giveUp(d *delivery, cause error, condition string) (deadLetter func()) {
	if d.rule.DeadLetterQueue == "" || b.opts.DeadLetters == nil {
		d.record.State = StateDropped
		b.stats.Dropped++
		b.logger.Error("eventbus: event dropped after retries (no dead-letter queue)", "rule", d.rule.Name,
			"target", d.rule.target(), "attempts", d.record.Attempts, "error", cause.Error())
		return nil
	}
	d.record.State = StateDeadLettered
	b.stats.DeadLettered++
	b.logger.Error("eventbus: event sent to dead-letter queue", "rule", d.rule.Name, "target", d.rule.target(),
		"queue", d.rule.DeadLetterQueue, "attempts", d.record.Attempts, "error", cause.Error())
	queue, event := d.rule.DeadLetterQueue, d.event
	attributes := map[string]string{
		"RULE_ARN":       b.ruleArn(d.rule),
		"TARGET_ARN":     b.targetArn(d.rule),
		"ERROR_CODE":     errorCode(cause),
		"ERROR_MESSAGE":  cause.Error(),
		"RETRY_ATTEMPTS": strconv.Itoa(d.record.Attempts - 1),
	}
	if condition != "" {
		attributes["EXHAUSTED_RETRY_CONDITION"] = condition
	}
	return func() { b.opts.DeadLetters.Put(queue, event, attributes) }
}

// nonRetriableCodes are the failures AWS sends straight to the DLQ without retrying: a target that no
// longer exists or that EventBridge may not call (eb-rule-dlq, "Using dead-letter queues").
var nonRetriableCodes = map[string]bool{
	"ResourceNotFoundException":               true,
	"AccessDeniedException":                   true,
	"AWS.SimpleQueueService.NonExistentQueue": true,
	"QueueDoesNotExist":                       true,
}

func retriable(err error) bool {
	var coded interface{ ErrorCode() string }
	return !errors.As(err, &coded) || !nonRetriableCodes[coded.ErrorCode()]
}

// errorCode uses the error's own code (e.g. a smithy APIError's) when it has one.
func errorCode(err error) string {
	var coded interface{ ErrorCode() string }
	if errors.As(err, &coded) && coded.ErrorCode() != "" {
		return coded.ErrorCode()
	}
	return "SDK_CLIENT_ERROR"
}
