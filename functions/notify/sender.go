package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/metrics"
	"github.com/calltaxi/call-taxi/shared/smsparts"
)

// Metric names of the sender besides metrics.SMSSent (texts sent).
const (
	metricSMSParts     = "SMSParts"     // message parts sent
	metricSMSThrottled = "SMSThrottled" // sends refused for the account's SMS rate
	metricSMSFailed    = "SMSFailed"    // texts refused for good (invalid or opted-out number)
	metricSMSDeferred  = "SMSDeferred"  // texts put back on the queue by the environment's own rate limit
)

const (
	// retryBase and retryCap bound the backoff of a throttled or failed send: base × 2^(receives-1),
	// capped, with jitter. Throttling lasts as long as the backlog, so a message may come back many
	// times; the queue's maxReceiveCount is sized for hours of it.
	retryBase = time.Second
	retryCap  = 60 * time.Second
	// leasedRetry is when a message whose booking another sender is texting comes back.
	leasedRetry = 2
	// sendMargin is the time kept before the invocation's deadline for the send and its bookkeeping.
	sendMargin = 2 * time.Second
)

// Sender is the SMS queue's consumer: for each message it texts the booking's pending statuses in one
// text, at most the environment's share of the SMS rate.
type Sender struct {
	records *Records
	queue   Queue
	sms     SMS
	limiter *Limiter
	metrics *metrics.Recorder
	logger  *slog.Logger
	jitter  func(time.Duration) time.Duration
}

// NewSender returns the sender.
func NewSender(records *Records, queue Queue, sms SMS, limiter *Limiter, recorder *metrics.Recorder, logger *slog.Logger) *Sender {
	return &Sender{records: records, queue: queue, sms: sms, limiter: limiter, metrics: recorder, logger: logger,
		jitter: func(d time.Duration) time.Duration { return d/2 + rand.N(d/2+1) }}
}

// outcome of one message.
type outcome int

const (
	done   outcome = iota // acknowledged: deleted from the queue
	retry                 // reported failed; comes back after the visibility the sender set
	poison                // reported failed with the queue's own visibility: reaches the DLQ after maxReceiveCount
)

// Handle is the SQS event source mapping's handler (ReportBatchItemFailures). The batch's messages
// (at most the mapping's BatchSize) are sent concurrently, one booking's messages one after the other
// (byBooking): a send is three calls in a row (lease, Publish, record), so one message after the other
// an environment's throughput is bound by their latency, not by the SMS rate, which the environment's
// limiter keeps whatever the concurrency; the booking's lease keeps senders in other environments from
// texting a booking twice. A message that cannot be sent now (throttled,
// over the environment's rate, SNS failing, another sender on the booking) is made visible again after
// a backoff and reported, so nothing is dropped and nothing blocks: bookings and mypage never wait for
// SMS. A standard queue promises no order, so none is kept.
func (s *Sender) Handle(ctx context.Context, batch events.SQSEvent) (events.SQSEventResponse, error) {
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	requestID := ""
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		requestID = lc.AwsRequestID
	}
	outcomes := make([]outcome, len(batch.Records))
	reqs := make([]SMSRequest, len(batch.Records))
	for i, msg := range batch.Records {
		if json.Unmarshal([]byte(msg.Body), &reqs[i]) != nil {
			reqs[i] = SMSRequest{} // poison: handle reports it
		}
	}
	var wg sync.WaitGroup
	for _, group := range byBooking(reqs) {
		wg.Go(func() {
			for _, i := range group {
				msg := batch.Records[i]
				mctx := logging.With(ctx, s.logger.With("messageId", msg.MessageId, "receiveCount", msg.Attributes["ApproximateReceiveCount"]), requestID, "")
				outcomes[i] = s.handle(mctx, msg, reqs[i])
			}
		})
	}
	wg.Wait()
	for i, msg := range batch.Records {
		if outcomes[i] != done {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
		}
	}
	return resp, nil
}

// byBooking groups the batch's requests (their indexes) by booking, in batch order: the messages of one
// booking are handled one after the other, so a later one finds the statuses an earlier one texted
// instead of meeting its lease. A request without a booking is a group of its own.
func byBooking(reqs []SMSRequest) [][]int {
	var groups [][]int
	index := map[string]int{}
	for i, req := range reqs {
		if req.OrderID == "" {
			groups = append(groups, []int{i})
			continue
		}
		if g, ok := index[req.OrderID]; ok {
			groups[g] = append(groups[g], i)
			continue
		}
		index[req.OrderID] = len(groups)
		groups = append(groups, []int{i})
	}
	return groups
}

// handle sends one message; req is its decoded body (zero when the body does not decode).
func (s *Sender) handle(ctx context.Context, msg events.SQSMessage, req SMSRequest) outcome {
	log := logging.From(ctx)
	if req.OrderID == "" {
		log.Error("poison SMS request reported: the queue moves it to its dead-letter queue", "body", msg.Body)
		return poison
	}
	log = log.With("orderId", req.OrderID)
	if ctx.Err() != nil {
		return s.later(ctx, msg, retryBase)
	}
	rec, found, err := s.records.Lease(ctx, req.OrderID)
	switch {
	case errors.Is(err, ErrLeased):
		log.Info("another sender is texting this booking; retried shortly")
		return s.later(ctx, msg, leasedRetry*time.Second)
	case err != nil:
		log.Error("lease notification record", "error", err.Error())
		return s.later(ctx, msg, s.backoff(msg))
	case !found:
		log.Warn("SMS request for a booking without a notification record; dropped")
		return done
	}
	statuses := rec.ToAnnounce()
	if len(statuses) == 0 {
		// Announced by an earlier text (this message's statuses joined another's).
		return s.release(ctx, req.OrderID, done)
	}
	text := Compose(rec.Booking(), statuses)
	parts := smsparts.Parts(text)
	maxWait := time.Hour
	if deadline, ok := ctx.Deadline(); ok {
		maxWait = time.Until(deadline) - sendMargin
	}
	wait, ok := s.limiter.Reserve(parts, maxWait)
	if !ok {
		s.metrics.Count(metricSMSDeferred, 1)
		log.Info("over this environment's SMS rate; deferred", "wait", wait.String())
		s.release(ctx, req.OrderID, retry)
		return s.later(ctx, msg, wait)
	}
	if wait > 0 {
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			s.release(ctx, req.OrderID, retry)
			return s.later(ctx, msg, retryBase)
		}
	}
	err = s.sms.Send(ctx, rec.Phone, text)
	var permanent *PermanentError
	switch {
	case errors.As(err, &permanent):
		s.metrics.Count(metricSMSFailed, 1)
		log.Error("SMS refused for good; recorded as failed, not retried", "statuses", statuses, "reason", permanent.Reason)
		if ferr := s.records.Failed(ctx, req.OrderID, statuses, permanent.Reason); ferr != nil {
			log.Error("record failed SMS", "error", ferr.Error())
			return s.later(ctx, msg, s.backoff(msg))
		}
		return done
	case errors.Is(err, ErrThrottled):
		s.metrics.Count(metricSMSThrottled, 1)
		delay := s.backoff(msg)
		log.Warn("SMS throttled; back on the queue", "statuses", statuses, "retryIn", delay.String())
		s.release(ctx, req.OrderID, retry)
		return s.later(ctx, msg, delay)
	case err != nil:
		delay := s.backoff(msg)
		log.Error("SMS send failed; back on the queue", "statuses", statuses, "retryIn", delay.String(), "error", err.Error())
		s.release(ctx, req.OrderID, retry)
		return s.later(ctx, msg, delay)
	}
	s.metrics.Count(metrics.SMSSent, 1)
	s.metrics.Count(metricSMSParts, float64(parts))
	if err := s.records.Sent(ctx, req.OrderID, statuses, parts); err != nil {
		// The lease stays until it expires, so the retry does not text again before then.
		log.Error("record sent SMS", "error", err.Error())
		return s.later(ctx, msg, s.backoff(msg))
	}
	log.Info("SMS sent", "statuses", statuses, "parts", parts)
	return done
}

// backoff is the delay before a failed message's next attempt.
func (s *Sender) backoff(msg events.SQSMessage) time.Duration {
	n, err := strconv.Atoi(msg.Attributes["ApproximateReceiveCount"])
	if err != nil || n < 1 {
		n = 1
	}
	d := retryCap
	if n <= 7 {
		d = min(retryCap, retryBase<<(n-1))
	}
	return s.jitter(d)
}

// later makes the message visible again after d (whole seconds, at least one).
func (s *Sender) later(ctx context.Context, msg events.SQSMessage, d time.Duration) outcome {
	secs := int32(max(1, (d+time.Second-1)/time.Second))
	// The message's visibility must change even when the invocation's time is up.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	if err := s.queue.Retry(cctx, msg.ReceiptHandle, secs); err != nil {
		logging.From(ctx).Warn("could not set the retry delay; the message returns after the queue's visibility timeout", "error", err.Error())
	}
	return retry
}

func (s *Sender) release(ctx context.Context, orderID string, o outcome) outcome {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	if err := s.records.Release(cctx, orderID); err != nil {
		logging.From(ctx).Warn("release notification record; it frees itself when the lease ends", "error", err.Error())
	}
	return o
}
