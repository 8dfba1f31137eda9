package eventbus

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"
)

// delivery is one event on its way to one rule target.
type delivery struct {
	rule   *Rule
	event  []byte
	putAt  time.Time
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

// retryBackoff is the wait before retry number retry (1-based): 100 ms doubling, capped at 2 s.
func retryBackoff(retry int) time.Duration {
	const base, limit = 100 * time.Millisecond, 2 * time.Second
	if retry > 5 {
		return limit
	}
	return min(base<<(retry-1), limit)
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

	var err error
	if b.opts.Invoker == nil {
		err = errors.New("no invoker configured")
	} else {
		_, err = b.opts.Invoker.Invoke(context.Background(), d.rule.Function, d.event)
	}

	if deadLetter := b.settle(d, err); deadLetter != nil {
		deadLetter() // outside b.mu: the DLQ may write a file
	}
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
		b.logger.Debug("eventbus: delivered", "rule", d.rule.Name, "function", d.rule.Function, "attempts", d.record.Attempts)
		return nil
	}
	d.record.LastError = err.Error()
	retriesDone := d.record.Attempts - 1
	wait := b.backoff(retriesDone + 1)
	switch {
	case retriesDone >= d.rule.retries:
		return b.giveUp(d, err, "MaximumRetryAttempts")
	case time.Since(d.putAt)+wait > d.rule.MaximumEventAge:
		return b.giveUp(d, err, "MaximumEventAgeInSeconds")
	case b.closed:
		d.record.State = StateAbandoned
	default:
		d.record.State = StateRetrying
		b.stats.Retries++
		b.logger.Warn("eventbus: delivery failed, will retry", "rule", d.rule.Name, "function", d.rule.Function,
			"attempt", d.record.Attempts, "retryIn", wait.String(), "error", err.Error())
		b.scheduleRetry(d, wait)
	}
	return nil
}

// scheduleRetry re-queues d after wait. Callers hold b.mu.
func (b *Bus) scheduleRetry(d *delivery, wait time.Duration) {
	var t *time.Timer
	t = time.AfterFunc(wait, func() {
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

// giveUp marks d dead-lettered (returning the DLQ write) or dropped. Callers hold b.mu.
func (b *Bus) giveUp(d *delivery, cause error, condition string) (deadLetter func()) {
	if d.rule.DeadLetterQueue == "" || b.opts.DeadLetters == nil {
		d.record.State = StateDropped
		b.stats.Dropped++
		b.logger.Error("eventbus: event dropped after retries (no dead-letter queue)", "rule", d.rule.Name,
			"function", d.rule.Function, "attempts", d.record.Attempts, "error", cause.Error())
		return nil
	}
	d.record.State = StateDeadLettered
	b.stats.DeadLettered++
	b.logger.Error("eventbus: event sent to dead-letter queue", "rule", d.rule.Name, "function", d.rule.Function,
		"queue", d.rule.DeadLetterQueue, "attempts", d.record.Attempts, "error", cause.Error())
	queue, event := d.rule.DeadLetterQueue, d.event
	attributes := map[string]string{
		"RULE_ARN":                  b.ruleArn(d.rule),
		"TARGET_ARN":                b.targetArn(d.rule.Function),
		"ERROR_CODE":                errorCode(cause),
		"ERROR_MESSAGE":             cause.Error(),
		"EXHAUSTED_RETRY_CONDITION": condition,
		"RETRY_ATTEMPTS":            strconv.Itoa(d.record.Attempts - 1),
	}
	return func() { b.opts.DeadLetters.Put(queue, event, attributes) }
}

// errorCode uses the error's own code (e.g. a smithy APIError's) when it has one.
func errorCode(err error) string {
	var coded interface{ ErrorCode() string }
	if errors.As(err, &coded) && coded.ErrorCode() != "" {
		return coded.ErrorCode()
	}
	return "SDK_CLIENT_ERROR"
}
