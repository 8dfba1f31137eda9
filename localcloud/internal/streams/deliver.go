package streams

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// outcome of one invocation.
type outcome struct {
	failedFrom int   // index of the first record to retry; -1 = all succeeded
	err        error // function error (whole batch failed)
}

func (o outcome) succeeded() bool { return o.err == nil && o.failedFrom < 0 }

var errInvalidBatchResponse = errors.New("invalid batchItemFailures response")

// process delivers a batch until it succeeds or is given up on. It returns
// false only if ctx ended first (the batch must not be checkpointed).
func (p *Poller) process(ctx context.Context, recs []events.DynamoDBEventRecord) bool {
	invocations := 0
	retries := 0
	for {
		out := p.invoke(ctx, recs)
		invocations++
		if ctx.Err() != nil {
			return false
		}
		if out.succeeded() {
			return true
		}
		if out.err == nil { // partial failure: checkpoint before the lowest failed record
			recs = recs[out.failedFrom:]
		} else if p.m.BisectBatchOnFunctionError && len(recs) > 1 {
			// Splitting does not consume the retry quota (AWS).
			p.count(func(s *PollerStats) { s.Bisections++ })
			half := len(recs) / 2
			return p.process(ctx, recs[:half]) && p.process(ctx, recs[half:])
		}
		if p.m.MaximumRetryAttempts >= 0 && retries >= p.m.MaximumRetryAttempts {
			p.giveUp(recs, out, invocations)
			return true
		}
		retries++
		p.count(func(s *PollerStats) { s.Retries++ })
		if !sleep(ctx, p.m.backoff(retries)) {
			return false
		}
	}
}

// invoke sends one batch (twice with duplicate delivery on) and classifies the answer.
func (p *Poller) invoke(ctx context.Context, recs []events.DynamoDBEventRecord) outcome {
	payload, err := json.Marshal(events.DynamoDBEvent{Records: recs})
	if err != nil {
		return outcome{failedFrom: 0, err: err}
	}
	lag := time.Since(recs[0].Change.ApproximateCreationDateTime.Time).Milliseconds()
	p.count(func(s *PollerStats) { s.Invocations++; s.LastLagMs = lag })
	if p.m.DeliveryDelay != nil {
		if err := p.m.DeliveryDelay(ctx, recs[0].Change.ApproximateCreationDateTime.Time); err != nil {
			return outcome{failedFrom: 0, err: err}
		}
	}
	resp, err := p.inv.Invoke(ctx, p.m.Function, payload)
	if p.dup.Load() && ctx.Err() == nil {
		p.count(func(s *PollerStats) { s.Invocations++; s.DuplicateDeliveries++ })
		if _, dupErr := p.inv.Invoke(ctx, p.m.Function, payload); dupErr != nil {
			p.log.Warn("duplicate delivery failed", "err", dupErr)
		}
	}
	out := p.classify(recs, resp, err)
	switch {
	case out.succeeded():
		p.count(func(s *PollerStats) { s.DeliveredBatches++; s.DeliveredRecords += int64(len(recs)) })
	case out.err == nil:
		p.count(func(s *PollerStats) { s.DeliveredRecords += int64(out.failedFrom) })
		p.log.Info("partial batch failure", "records", len(recs), "retryFrom", recs[out.failedFrom].Change.SequenceNumber)
	default:
		p.log.Warn("batch failed", "records", len(recs), "err", out.err)
	}
	return out
}

// classify applies the partial batch response rules: an empty or null list is
// success; a missing, empty or unknown itemIdentifier fails the whole batch;
// otherwise processing resumes at the lowest failed sequence number.
func (p *Poller) classify(recs []events.DynamoDBEventRecord, resp []byte, invokeErr error) outcome {
	if invokeErr != nil {
		return outcome{failedFrom: 0, err: invokeErr}
	}
	if !p.m.ReportBatchItemFailures {
		return outcome{failedFrom: -1}
	}
	var probe any
	if len(resp) == 0 || json.Unmarshal(resp, &probe) != nil {
		return outcome{failedFrom: -1}
	}
	if _, isObject := probe.(map[string]any); !isObject {
		return outcome{failedFrom: -1}
	}
	var body struct {
		BatchItemFailures []struct {
			ItemIdentifier *string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if err := json.Unmarshal(resp, &body); err != nil {
		return outcome{failedFrom: 0, err: errInvalidBatchResponse}
	}
	if len(body.BatchItemFailures) == 0 {
		return outcome{failedFrom: -1}
	}
	index := make(map[string]int, len(recs))
	for i, r := range recs {
		index[r.Change.SequenceNumber] = i
	}
	lowest := len(recs)
	for _, f := range body.BatchItemFailures {
		if f.ItemIdentifier == nil {
			return outcome{failedFrom: 0, err: errInvalidBatchResponse}
		}
		i, ok := index[*f.ItemIdentifier]
		if !ok {
			return outcome{failedFrom: 0, err: errInvalidBatchResponse}
		}
		lowest = min(lowest, i)
	}
	return outcome{failedFrom: lowest}
}
