package streams

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Poller runs one mapping until stopped.
type Poller struct {
	m   Mapping
	inv Invoker
	dlq DeadLetters
	log *slog.Logger

	// filterImages: some filter pattern may look at the record's "dynamodb" part (keys, images), so
	// records are matched as a whole; otherwise that part, the bulk of a record, is left out.
	filterImages bool

	cancel   context.CancelFunc
	done     chan struct{}
	stopOnce sync.Once
	dup      atomic.Bool

	mu    sync.Mutex
	stats PollerStats
}

// Start begins polling m.Stream in a goroutine; it stops with ctx or Stop.
func Start(ctx context.Context, m Mapping, inv Invoker, dlq DeadLetters, log *slog.Logger) *Poller {
	if log == nil {
		log = slog.Default()
	}
	m = m.withDefaults()
	ctx, cancel := context.WithCancel(ctx)
	p := &Poller{
		m: m, inv: inv, dlq: dlq, cancel: cancel, done: make(chan struct{}),
		log:          log.With("component", "esm", "mapping", m.Name, "function", m.Function),
		filterImages: patternsReadChange(m.Filters),
	}
	// The mapping resumes where it checkpointed last (kept across restarts), as an event source
	// mapping on AWS does; a new one starts at its StartingPosition.
	start := m.Stream.Register(m.Name, m.StartingPosition)
	p.stats.Position = start
	go p.run(ctx, start)
	return p
}

// Stop ends polling and waits for the poller to exit; an in-flight invocation is cancelled.
func (p *Poller) Stop() {
	p.stopOnce.Do(p.cancel)
	<-p.done
}

// Stats returns a snapshot of the counters.
func (p *Poller) Stats() PollerStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// SetDuplicateDelivery (chaos) makes every invocation happen twice; the second
// result is ignored, as a redelivery would be.
func (p *Poller) SetDuplicateDelivery(on bool) { p.dup.Store(on) }

func (p *Poller) count(f func(s *PollerStats)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(&p.stats)
}

func (p *Poller) run(ctx context.Context, pos string) {
	defer close(p.done)
	defer p.m.Stream.Unregister(p.m.Name)
	for {
		if err := p.m.Stream.Wait(ctx, pos); err != nil {
			return
		}
		raw := p.collect(ctx, pos)
		if len(raw) == 0 {
			continue
		}
		batch := p.filter(raw)
		if len(batch) > 0 && !p.processConcurrently(ctx, batch) {
			return // stopped mid-batch: no checkpoint
		}
		pos = raw[len(raw)-1].Change.SequenceNumber
		p.m.Stream.Checkpoint(p.m.Name, pos)
		p.count(func(s *PollerStats) { s.Position = pos })
	}
}

// collect reads up to BatchSize × ParallelizationFactor records after pos (one batch for each
// concurrent batch of the shard), waiting up to MaximumBatchingWindow (from the first available
// record) for a full batch.
func (p *Poller) collect(ctx context.Context, pos string) []events.DynamoDBEventRecord {
	limit := p.m.BatchSize * p.m.ParallelizationFactor
	recs := p.m.Stream.Read(pos, limit)
	if p.m.MaximumBatchingWindow <= 0 || len(recs) == 0 || len(recs) >= p.m.BatchSize {
		return recs
	}
	wctx, cancel := context.WithTimeout(ctx, p.m.MaximumBatchingWindow)
	defer cancel()
	for len(recs) < p.m.BatchSize {
		if err := p.m.Stream.Wait(wctx, recs[len(recs)-1].Change.SequenceNumber); err != nil {
			break
		}
		recs = p.m.Stream.Read(pos, limit)
	}
	return recs
}

// filter keeps the records matching at least one FilterCriteria pattern.
func (p *Poller) filter(recs []events.DynamoDBEventRecord) []events.DynamoDBEventRecord {
	if len(p.m.Filters) == 0 {
		return recs
	}
	if p.m.Matcher == nil {
		p.log.Warn("filters configured without a matcher; delivering every record")
		return recs
	}
	kept := make([]events.DynamoDBEventRecord, 0, len(recs))
	for _, r := range recs {
		matched := r
		if !p.filterImages {
			matched.Change = events.DynamoDBStreamRecord{}
		}
		doc, err := json.Marshal(matched)
		if err != nil {
			p.log.Error("encode record for filtering", "err", err)
			continue
		}
		for _, pattern := range p.m.Filters {
			ok, err := p.m.Matcher(pattern, doc)
			if err != nil {
				p.log.Warn("filter pattern error", "pattern", string(pattern), "err", err)
				continue
			}
			if ok {
				kept = append(kept, r)
				break
			}
		}
	}
	if dropped := len(recs) - len(kept); dropped > 0 {
		p.count(func(s *PollerStats) { s.FilteredRecords += int64(dropped) })
	}
	return kept
}

// patternsReadChange reports whether any pattern may refer to a record's "dynamodb" field; a pattern
// that is not a JSON object is assumed to.
func patternsReadChange(patterns [][]byte) bool {
	for _, p := range patterns {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(p, &fields); err != nil {
			return true
		}
		for name := range fields {
			if name == "dynamodb" || strings.HasPrefix(name, "$") { // "$or" may nest it
				return true
			}
		}
	}
	return false
}

// sleep waits d or until ctx ends, reporting whether it waited the whole time.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
