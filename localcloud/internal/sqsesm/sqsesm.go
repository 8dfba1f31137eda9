// Package sqsesm runs Lambda SQS event source mappings against the local cloud's SQS (sqsemu),
// following the Lambda Developer Guide: "Using Lambda with Amazon SQS" (pollers long-poll the queue,
// invoke the function synchronously with a batch, delete the batch on success), "Handling errors for an
// SQS event source in Lambda" (on error the messages stay in the queue and reappear after the visibility
// timeout, so the queue's redrive policy dead-letters poison messages), "Configuring partial batch
// response with SQS and Lambda" (ReportBatchItemFailures), "Configuring scaling behavior for SQS event
// source mappings" (MaximumConcurrency) and "Control which events Lambda sends to your function"
// (FilterCriteria: messages that match no filter are deleted).
package sqsesm

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/localcloud/internal/awsclock"
	"github.com/calltaxi/call-taxi/localcloud/internal/sqsemu"
)

// Invoker calls a function synchronously and returns its response payload. Any error (function
// error, timeout, throttle, crash) fails the whole batch.
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) ([]byte, error)
}

// Mapping is one SQS queue → Lambda event source mapping.
type Mapping struct {
	Name, Function, Queue string
	BatchSize             int           // default 10, at most 10000
	MaximumBatchingWindow time.Duration // AWS time to gather a batch (0 = return what one poll gets)
	// ReportBatchItemFailures: FunctionResponseTypes contains ReportBatchItemFailures.
	ReportBatchItemFailures bool
	// MaximumConcurrency: concurrent batches (2–1000). 0 = AWS's "up to 1000", capped locally at
	// DefaultLocalConcurrency.
	MaximumConcurrency int
	Filters            [][]byte                                  // FilterCriteria patterns
	Matcher            func(pattern, event []byte) (bool, error) // EventBridge pattern semantics
	// DeliveryDelay, when set, runs before each batch is invoked with the AWS time its first message was
	// sent: a modeled AWS send-to-invoke latency (localcloud -latency). It returns ctx's error when the poller stops meanwhile.
	DeliveryDelay func(ctx context.Context, since time.Time) error
}

const (
	DefaultBatchSize        = 10
	MaxBatchSize            = 10000
	DefaultLocalConcurrency = 5
	MaxConcurrency          = 1000
	pollWait                = 20 * time.Second // long polling, as Lambda's pollers use
	errorBackoff            = time.Second      // AWS time between polls after a receive error
)

func (m Mapping) withDefaults() Mapping {
	if m.BatchSize <= 0 {
		m.BatchSize = DefaultBatchSize
	}
	m.BatchSize = min(m.BatchSize, MaxBatchSize)
	switch {
	case m.MaximumConcurrency <= 0:
		m.MaximumConcurrency = DefaultLocalConcurrency
	case m.MaximumConcurrency < 2:
		m.MaximumConcurrency = 2
	case m.MaximumConcurrency > MaxConcurrency:
		m.MaximumConcurrency = MaxConcurrency
	}
	return m
}

// PollerStats is a snapshot of a mapping's counters.
type PollerStats struct {
	Invocations       int64 // function invocations
	DeliveredBatches  int64 // invocations that succeeded without reported failures
	DeliveredMessages int64 // messages deleted after the function processed them
	PartialBatches    int64 // invocations that reported some batchItemFailures
	FailedBatches     int64 // invocations that failed as a whole (error, throttle, invalid response)
	FailedMessages    int64 // messages left in the queue to reappear after the visibility timeout
	FilteredMessages  int64 // messages deleted because no filter matched
	ReceiveErrors     int64
	ActivePollers     int64 // concurrent pollers now
	PeakPollers       int64 // most concurrent pollers seen
	InFlightBatches   int64 // invocations running now
	PeakInFlight      int64 // most concurrent invocations seen
	LastLagMs         int64 // SentTimestamp → invocation of the last batch (AWS ms)
}

// Poller runs one mapping until stopped.
type Poller struct {
	m     Mapping
	inv   Invoker
	q     *sqsemu.Service
	clock *awsclock.Clock
	log   *slog.Logger
	arn   string

	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	stopOnce sync.Once
	pollers  atomic.Int64

	mu    sync.Mutex
	stats PollerStats
}

// Start begins polling m.Queue; it stops with ctx or Stop. It starts one poller and scales up, while
// messages keep coming, to MaximumConcurrency concurrent pollers (each with one batch in flight).
func Start(ctx context.Context, m Mapping, inv Invoker, q *sqsemu.Service, clock *awsclock.Clock, log *slog.Logger) *Poller {
	if log == nil {
		log = slog.Default()
	}
	m = m.withDefaults()
	ctx, cancel := context.WithCancel(ctx)
	p := &Poller{
		m: m, inv: inv, q: q, clock: clock, ctx: ctx, cancel: cancel, arn: q.ARN(m.Queue),
		log: log.With("component", "sqs-esm", "mapping", m.Name, "function", m.Function, "queue", sqsemu.QueueName(m.Queue)),
	}
	p.spawn()
	return p
}

// Stop ends polling and waits for the pollers to exit. An in-flight invocation is cancelled; its
// messages are not deleted and reappear after their visibility timeout.
func (p *Poller) Stop() {
	p.stopOnce.Do(p.cancel)
	p.wg.Wait()
}

// Stats returns a snapshot of the counters.
func (p *Poller) Stats() PollerStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats
	s.ActivePollers = p.pollers.Load()
	return s
}

func (p *Poller) count(f func(s *PollerStats)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(&p.stats)
}

// spawn starts a poller if fewer than MaximumConcurrency run.
func (p *Poller) spawn() bool {
	for {
		n := p.pollers.Load()
		if n >= int64(p.m.MaximumConcurrency) || p.ctx.Err() != nil {
			return false
		}
		if p.pollers.CompareAndSwap(n, n+1) {
			p.count(func(s *PollerStats) { s.PeakPollers = max(s.PeakPollers, n+1) })
			p.wg.Add(1)
			go p.run()
			return true
		}
	}
}

// retire ends a surplus idle poller, keeping at least one.
func (p *Poller) retire() bool {
	for {
		n := p.pollers.Load()
		if n <= 1 {
			return false
		}
		if p.pollers.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

func (p *Poller) run() {
	defer p.wg.Done()
	for p.ctx.Err() == nil {
		batch, err := p.collect()
		if err != nil {
			if p.ctx.Err() != nil {
				break
			}
			p.count(func(s *PollerStats) { s.ReceiveErrors++ })
			p.log.Warn("receive failed", "error", err.Error())
			if p.clock.Sleep(p.ctx, errorBackoff) != nil {
				break
			}
			continue
		}
		if len(batch) == 0 {
			if p.retire() {
				return
			}
			continue
		}
		// Scaling: while messages are waiting, add a poller (up to MaximumConcurrency).
		if visible, _, _ := p.q.Counts(p.m.Queue); visible > 0 {
			p.spawn()
		}
		p.process(batch)
	}
	p.pollers.Add(-1)
}

// collect long-polls for a batch: up to BatchSize messages, waiting up to MaximumBatchingWindow (AWS
// time, from the first message) for more.
func (p *Poller) collect() ([]sqsemu.Received, error) {
	first, err := p.q.ReceiveWait(p.ctx, p.m.Queue, min(p.m.BatchSize, 10), 0, pollWait)
	if err != nil || len(first) == 0 {
		return nil, err
	}
	batch := first
	if p.m.MaximumBatchingWindow <= 0 || len(batch) >= p.m.BatchSize {
		return batch, nil
	}
	windowEnd := p.clock.Now().Add(p.m.MaximumBatchingWindow)
	for len(batch) < p.m.BatchSize && p.ctx.Err() == nil {
		remaining := windowEnd.Sub(p.clock.Now())
		if remaining <= 0 {
			break
		}
		more, err := p.q.ReceiveWait(p.ctx, p.m.Queue, min(p.m.BatchSize-len(batch), 10), 0, min(remaining, pollWait))
		if err != nil {
			break // keep what was received: it is in flight and must be processed
		}
		batch = append(batch, more...)
	}
	return batch, nil
}

// process filters, invokes and settles one batch.
func (p *Poller) process(batch []sqsemu.Received) {
	recs := make([]events.SQSMessage, 0, len(batch))
	var filtered []string
	for _, r := range batch {
		rec := p.record(r)
		if !p.matches(rec) {
			filtered = append(filtered, r.ReceiptHandle)
			continue
		}
		recs = append(recs, rec)
	}
	if len(filtered) > 0 {
		p.count(func(s *PollerStats) { s.FilteredMessages += int64(len(filtered)) })
		p.deleteAll(filtered)
	}
	if len(recs) == 0 {
		return
	}
	payload, err := json.Marshal(events.SQSEvent{Records: recs})
	if err != nil {
		p.log.Error("encode SQS event", "error", err.Error())
		return
	}
	lag := p.clock.Now().UnixMilli() - sentMillis(batch[0])
	p.count(func(s *PollerStats) {
		s.Invocations++
		s.InFlightBatches++
		s.PeakInFlight = max(s.PeakInFlight, s.InFlightBatches)
		s.LastLagMs = lag
	})
	var resp []byte
	if p.m.DeliveryDelay != nil {
		var sent time.Time
		if ms := sentMillis(batch[0]); ms > 0 {
			sent = time.UnixMilli(ms)
		}
		err = p.m.DeliveryDelay(p.ctx, sent)
	}
	if err == nil {
		resp, err = p.inv.Invoke(p.ctx, p.m.Function, payload)
	}
	p.count(func(s *PollerStats) { s.InFlightBatches-- })
	if p.ctx.Err() != nil {
		return // stopped: leave the batch to reappear
	}
	failed, err := p.failures(recs, resp, err)
	if err != nil {
		// "Handling errors for an SQS event source": the whole batch becomes visible again after the
		// visibility timeout; nothing is deleted.
		p.count(func(s *PollerStats) { s.FailedBatches++; s.FailedMessages += int64(len(recs)) })
		p.log.Warn("batch failed; messages return after the visibility timeout", "messages", len(recs), "error", err.Error())
		return
	}
	var done []string
	for _, r := range recs {
		if !failed[r.MessageId] {
			done = append(done, r.ReceiptHandle)
		}
	}
	p.deleteAll(done)
	p.count(func(s *PollerStats) {
		s.DeliveredMessages += int64(len(done))
		if len(failed) == 0 {
			s.DeliveredBatches++
		} else {
			s.PartialBatches++
			s.FailedMessages += int64(len(failed))
		}
	})
	if len(failed) > 0 {
		p.log.Info("partial batch failure", "messages", len(recs), "failed", len(failed))
	}
}

var errInvalidBatchResponse = errors.New("invalid batchItemFailures response")

// failures applies "Configuring partial batch response with SQS and Lambda": without
// ReportBatchItemFailures any successful invocation deletes the batch. With it, an empty or null
// batchItemFailures list, or an empty or null response, is complete success; an invalid JSON response,
// an empty or null itemIdentifier, or one that names no message of the batch is complete failure;
// otherwise the listed messages failed.
func (p *Poller) failures(recs []events.SQSMessage, resp []byte, invokeErr error) (map[string]bool, error) {
	if invokeErr != nil {
		return nil, invokeErr
	}
	if !p.m.ReportBatchItemFailures {
		return nil, nil
	}
	trimmed := strings.TrimSpace(string(resp))
	if trimmed == "" || trimmed == "null" {
		return nil, nil
	}
	var body struct {
		BatchItemFailures []struct {
			ItemIdentifier *string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if err := json.Unmarshal([]byte(trimmed), &body); err != nil {
		return nil, errInvalidBatchResponse
	}
	if len(body.BatchItemFailures) == 0 {
		return nil, nil
	}
	ids := make(map[string]bool, len(recs))
	for _, r := range recs {
		ids[r.MessageId] = true
	}
	failed := map[string]bool{}
	for _, f := range body.BatchItemFailures {
		if f.ItemIdentifier == nil || *f.ItemIdentifier == "" || !ids[*f.ItemIdentifier] {
			return nil, errInvalidBatchResponse
		}
		failed[*f.ItemIdentifier] = true
	}
	return failed, nil
}

func (p *Poller) deleteAll(handles []string) {
	for _, h := range handles {
		if err := p.q.Delete(p.m.Queue, h); err != nil {
			p.log.Warn("delete message", "error", err.Error())
		}
	}
}

// record builds the event record Lambda sends ("Using Lambda with Amazon SQS", example SQS event).
func (p *Poller) record(r sqsemu.Received) events.SQSMessage {
	attrs := make(map[string]string, len(r.Attributes))
	for k, v := range r.Attributes {
		attrs[k] = v
	}
	msgAttrs := make(map[string]events.SQSMessageAttribute, len(r.MessageAttributes))
	for k, v := range r.MessageAttributes {
		a := events.SQSMessageAttribute{DataType: v.DataType, BinaryValue: v.BinaryValue,
			StringListValues: []string{}, BinaryListValues: [][]byte{}}
		if v.BinaryValue == nil {
			s := v.StringValue
			a.StringValue = &s
		}
		msgAttrs[k] = a
	}
	return events.SQSMessage{
		MessageId: r.MessageID, ReceiptHandle: r.ReceiptHandle, Body: r.Body, Md5OfBody: r.MD5OfBody,
		Md5OfMessageAttributes: r.MD5OfMessageAttributes, Attributes: attrs, MessageAttributes: msgAttrs,
		EventSourceARN: p.arn, EventSource: "aws:sqs", AWSRegion: p.q.Region(),
	}
}

// matches applies FilterCriteria ("Control which events Lambda sends to your function", filtering
// Amazon SQS messages): patterns see the record with "body" parsed when it is JSON (otherwise the
// plain string); a message matching any pattern is delivered.
func (p *Poller) matches(rec events.SQSMessage) bool {
	if len(p.m.Filters) == 0 {
		return true
	}
	if p.m.Matcher == nil {
		p.log.Warn("filters configured without a matcher; delivering every message")
		return true
	}
	doc, err := json.Marshal(rec)
	if err != nil {
		return false
	}
	var fields map[string]any
	_ = json.Unmarshal(doc, &fields)
	var body any
	if json.Unmarshal([]byte(rec.Body), &body) == nil {
		if _, isObject := body.(map[string]any); isObject {
			fields["body"] = body
		}
	}
	doc, err = json.Marshal(fields)
	if err != nil {
		return false
	}
	for _, pattern := range p.m.Filters {
		ok, err := p.m.Matcher(pattern, doc)
		if err != nil {
			p.log.Warn("filter pattern error", "pattern", string(pattern), "error", err.Error())
			continue
		}
		if ok {
			return true
		}
	}
	return false
}

func sentMillis(r sqsemu.Received) int64 {
	var n int64
	for _, c := range r.Attributes["SentTimestamp"] {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int64(c-'0')
	}
	return n
}
