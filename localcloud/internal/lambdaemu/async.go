package lambdaemu

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Destinations receives invocation records for on-failure destinations; dlq.Store and the SQS
// emulator implement it.
type Destinations interface {
	Put(queue string, body []byte, attributes map[string]string)
}

// Retry timing of asynchronous invocation, in AWS time ("How Lambda handles errors and retries with
// asynchronous invocation"): a function error is retried after one minute, then after two; a
// throttle or system error is retried with an interval growing exponentially from 1 s to 5 min.
var functionErrorRetryDelays = [maxRetryAttempts]time.Duration{time.Minute, 2 * time.Minute}

const (
	throttleFirstBackoff = time.Second
	throttleMaxBackoff   = 5 * time.Minute
)

// Conditions of an on-failure invocation record (requestContext.condition).
const (
	ConditionRetriesExhausted        = "RetriesExhausted"
	ConditionEventAgeExceeded        = "EventAgeExceeded"
	ConditionZeroReservedConcurrency = "ZeroReservedConcurrency"
)

// InvocationRecord is the JSON document Lambda sends to an asynchronous invocation's destination
// ("Capturing records of Lambda asynchronous invocations").
type InvocationRecord struct {
	Version         string          `json:"version"`
	Timestamp       string          `json:"timestamp"`
	RequestContext  RecordRequest   `json:"requestContext"`
	RequestPayload  json.RawMessage `json:"requestPayload"`
	ResponseContext *RecordResponse `json:"responseContext,omitempty"`
	ResponsePayload json.RawMessage `json:"responsePayload,omitempty"`
}

// RecordRequest is an invocation record's requestContext.
type RecordRequest struct {
	RequestID              string `json:"requestId"`
	FunctionARN            string `json:"functionArn"`
	Condition              string `json:"condition"`
	ApproximateInvokeCount int    `json:"approximateInvokeCount"`
}

// RecordResponse is an invocation record's responseContext.
type RecordResponse struct {
	StatusCode      int    `json:"statusCode"`
	ExecutedVersion string `json:"executedVersion"`
	FunctionError   string `json:"functionError,omitempty"`
}

// asyncEvent is one event in a function's asynchronous queue.
type asyncEvent struct {
	requestID string
	payload   []byte
	queuedAt  time.Time // AWS time
	invokes   int       // attempts that ran the function
	lastError *FunctionError
}

// InvokeAsync queues an event (InvocationType Event) and returns at once. As Lambda does, it
// retries a function error MaximumRetryAttempts times after one and two minutes, retries throttles
// and system errors with exponential backoff up to five minutes, and gives up once the retries are
// exhausted or the next attempt would pass MaximumEventAge; a function with zero concurrency (reserved
// concurrency 0, or Stop) gives up at once. An event given up is sent to the function's OnFailure
// queue as an InvocationRecord. All waits run on Options.Clock.
func (s *Service) InvokeAsync(function string, payload []byte) error {
	_, err := s.enqueue(function, payload)
	return err
}

// enqueue queues the event and returns its request id, which every attempt keeps.
func (s *Service) enqueue(function string, payload []byte) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return "", ErrClosed
	}
	fn, err := s.lookup(function)
	if err != nil {
		return "", err
	}
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	ev := &asyncEvent{requestID: newRequestID(), payload: append([]byte(nil), payload...), queuedAt: s.clock.Now()}
	s.async.Add(1)
	go s.deliverAsync(fn, ev)
	return ev.requestID, nil
}

func (s *Service) deliverAsync(fn *function, ev *asyncEvent) {
	defer s.async.Done()
	name := fn.cfg.Name
	retries := fn.cfg.retryAttempts()
	maxAge := fn.cfg.maxEventAge()
	functionErrors := 0
	backoff := throttleFirstBackoff
	for {
		_, err := s.invoke(context.Background(), name, ev.payload, ev.requestID)
		if err == nil {
			return
		}
		var (
			fe    *FunctionError
			te    *ThrottleError
			delay time.Duration
		)
		switch {
		case errors.As(err, &fe):
			ev.invokes++
			ev.lastError = fe
			if functionErrors >= retries {
				s.giveUp(fn, ev, ConditionRetriesExhausted)
				return
			}
			delay = functionErrorRetryDelays[functionErrors]
			functionErrors++
		case errors.As(err, &te) && s.zeroConcurrency(fn):
			// "When you set reserved concurrency to zero for an asynchronously-invoked function, Lambda
			// begins sending new events to the [...] on-failure event destination, without any retries."
			s.giveUp(fn, ev, ConditionZeroReservedConcurrency)
			return
		case errors.Is(err, ErrClosed):
			s.logger.Warn("asynchronous event lost: lambda service closed", "function", name, "requestId", ev.requestID)
			return
		default: // throttle or system error
			delay = backoff
			backoff = min(2*backoff, throttleMaxBackoff)
		}
		if s.clock.Since(ev.queuedAt)+delay > maxAge {
			s.giveUp(fn, ev, ConditionEventAgeExceeded)
			return
		}
		s.logger.Info("retrying asynchronous invocation", "function", name, "requestId", ev.requestID,
			"error", err.Error(), "awsDelay", delay)
		timer := s.clock.NewTimer(delay)
		select {
		case <-timer.C:
		case <-s.done:
			timer.Stop()
			s.logger.Warn("asynchronous event lost: lambda service closed", "function", name, "requestId", ev.requestID)
			return
		}
	}
}

// giveUp sends the event's invocation record to the function's OnFailure queue, or logs that it
// is discarded when there is none.
func (s *Service) giveUp(fn *function, ev *asyncEvent, condition string) {
	record := s.invocationRecord(fn, ev, condition)
	body, err := json.Marshal(record)
	if err != nil {
		s.logger.Error("asynchronous event discarded: encode invocation record", "function", fn.cfg.Name,
			"requestId", ev.requestID, "error", err.Error())
		return
	}
	queue := fn.cfg.OnFailure
	if queue == "" || s.opts.Destinations == nil {
		s.logger.Error("asynchronous event discarded", "function", fn.cfg.Name, "requestId", ev.requestID,
			"condition", condition, "record", string(body))
		return
	}
	s.opts.Destinations.Put(queue, body, nil)
	s.logger.Warn("asynchronous event sent to its on-failure destination", "function", fn.cfg.Name,
		"requestId", ev.requestID, "condition", condition, "queue", queue)
}

func (s *Service) invocationRecord(fn *function, ev *asyncEvent, condition string) InvocationRecord {
	record := InvocationRecord{
		Version:   "1.0",
		Timestamp: s.clock.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		RequestContext: RecordRequest{
			RequestID:              ev.requestID,
			FunctionARN:            fn.arn + ":$LATEST",
			Condition:              condition,
			ApproximateInvokeCount: ev.invokes,
		},
		RequestPayload: requestPayload(ev.payload),
	}
	// Only an attempt that ran has a response to report; an event that was only ever throttled
	// has none.
	if ev.lastError != nil && condition != ConditionZeroReservedConcurrency {
		record.ResponseContext = &RecordResponse{StatusCode: 200, ExecutedVersion: "$LATEST", FunctionError: "Unhandled"}
		record.ResponsePayload = ev.lastError.Payload
	}
	return record
}

// requestPayload is the event as JSON; the Invoke API accepts only JSON, but InvokeAsync callers
// inside the local cloud are not checked, so anything else is carried as a JSON string.
func requestPayload(payload []byte) json.RawMessage {
	if json.Valid(payload) {
		return payload
	}
	quoted, _ := json.Marshal(string(payload)) // a string: cannot fail
	return quoted
}
