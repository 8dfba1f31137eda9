package ddbemu

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/aws/aws-lambda-go/events"
)

// Sequence numbers are fixed-width decimal strings (20 digits) so that they
// compare the same way as strings and as numbers.
const sequenceBase uint64 = 10_000_000_000_000_000_000

// retainedRecords bounds memory of a stream without a data directory (nothing to fall back on):
// older records are trimmed. A variable for tests.
var retainedRecords = 100_000

// memoryWindow bounds the records a persisted stream keeps in memory: records every registered
// consumer has passed leave memory at once, and at most this many stay in any case; older ones are
// read back from the stream's log (streamlog.go). A variable for tests.
var memoryWindow = 2048

// Stream is an append-only, per-table ordered log of change records (one shard).
//
// Records are numbered by a counter (the sequence number minus sequenceBase). With a data directory,
// every record is in the stream's log on disk for the retention period, and only a suffix of them,
// from memFirst on, is in memory.
type Stream struct {
	table    string
	arn      string
	shardID  string
	viewType string
	retain   int

	mu       sync.Mutex
	records  []events.DynamoDBEventRecord // counters memFirst .. nextN-1
	memFirst uint64                       // counter of records[0]
	firstN   uint64                       // oldest retained record (in memory or on disk)
	nextN    uint64                       // counter the next appended record gets
	changed  chan struct{}
	// consumers are the registered readers (event source mappings) and the counter each needs next.
	consumers map[string]uint64
	disk      *streamDisk // nil = memory only (see streamlog.go)
}

func newStream(table, arn, shardID, viewType string) *Stream {
	return &Stream{
		table: table, arn: arn, shardID: shardID, viewType: viewType,
		retain: retainedRecords, memFirst: 1, firstN: 1, nextN: 1, changed: make(chan struct{}),
		consumers: map[string]uint64{},
	}
}

// ARN is the stream ARN (eventSourceARN of its records).
func (st *Stream) ARN() string { return st.arn }

// ShardID names the single shard the emulated stream has.
func (st *Stream) ShardID() string { return st.shardID }

// Table is the name of the table the stream belongs to.
func (st *Stream) Table() string { return st.table }

// ViewType is the table's StreamViewType.
func (st *Stream) ViewType() string { return st.viewType }

func formatSequence(n uint64) string { return strconv.FormatUint(sequenceBase+n, 10) }

func parseSequence(seq string) (uint64, error) {
	v, err := strconv.ParseUint(seq, 10, 64)
	if err != nil || v < sequenceBase {
		return 0, fmt.Errorf("invalid sequence number %q", seq)
	}
	return v - sequenceBase, nil
}

// append assigns sequence numbers to the records, in order, and wakes waiters.
func (st *Stream) append(recs ...events.DynamoDBEventRecord) {
	if len(recs) == 0 {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, r := range recs {
		n := st.nextN
		r.Change.SequenceNumber = formatSequence(n)
		st.nextN++
		st.records = append(st.records, r)
		st.persist(n, r)
	}
	st.evict()
	close(st.changed)
	st.changed = make(chan struct{})
}

// evict drops records from memory. Without a log, the oldest records beyond retain are trimmed for
// good, a quarter more at a time. With one, records every registered consumer has passed and records
// beyond the memory window leave memory; they stay readable from the log. Callers hold st.mu.
func (st *Stream) evict() {
	if st.disk == nil {
		if excess := len(st.records) - st.retain; excess > st.retain/4 {
			st.dropFront(excess)
			st.firstN = st.memFirst
		}
		return
	}
	drop := max(len(st.records)-memoryWindow, 0)
	if len(st.consumers) > 0 {
		low := st.nextN
		for _, next := range st.consumers {
			low = min(low, next)
		}
		if low > st.memFirst {
			drop = max(drop, int(min(low-st.memFirst, uint64(len(st.records)))))
		}
	}
	if drop > 0 {
		st.dropFront(drop)
	}
}

// dropFront removes the first n records from memory, releasing their images. Callers hold st.mu.
func (st *Stream) dropFront(n int) {
	clear(st.records[:n])
	st.records = st.records[n:]
	st.memFirst += uint64(n)
	if cap(st.records) > 4*len(st.records)+64 {
		// Let go of the backing array once it is mostly the dropped prefix.
		st.records = append([]events.DynamoDBEventRecord(nil), st.records...)
	}
}

// fromAfter is the counter of the first record after afterSeq ("" = the oldest retained).
// A trimmed position starts at the oldest retained record. Callers hold st.mu.
func (st *Stream) fromAfter(afterSeq string) uint64 {
	if afterSeq == "" {
		return st.firstN
	}
	n, err := parseSequence(afterSeq)
	if err != nil || n+1 < st.firstN {
		return st.firstN
	}
	return min(n+1, st.nextN)
}

// Read returns up to max records with a sequence number greater than afterSeq
// ("" = from the oldest retained record). The maps inside records are shared:
// treat them as read-only.
func (st *Stream) Read(afterSeq string, max int) []events.DynamoDBEventRecord {
	st.mu.Lock()
	from := st.fromAfter(afterSeq)
	st.mu.Unlock()
	recs, next, _ := st.readFrom(from, max)
	for max <= 0 && len(recs) > 0 {
		more, after, _ := st.readFrom(next, 0)
		if len(more) == 0 {
			break
		}
		recs, next = append(recs, more...), after
	}
	return recs
}

// Wait blocks until a record after afterSeq exists or ctx ends.
func (st *Stream) Wait(ctx context.Context, afterSeq string) error {
	for {
		st.mu.Lock()
		ready := st.fromAfter(afterSeq) < st.nextN
		ch := st.changed
		st.mu.Unlock()
		if ready {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// bounds returns the counters of the oldest retained record and of the next record to come.
func (st *Stream) bounds() (first, next uint64) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.firstN, st.nextN
}

// readFrom returns up to max records (max ≤ 0: all in memory, or one log segment) from counter from
// on, and the counter after them; trimmed when records from there on are no longer retained.
func (st *Stream) readFrom(from uint64, max int) (recs []events.DynamoDBEventRecord, next uint64, trimmed bool) {
	st.mu.Lock()
	if from < st.firstN {
		st.mu.Unlock()
		return nil, from, true
	}
	if from >= st.memFirst || st.disk == nil {
		start := min(from-st.memFirst, uint64(len(st.records)))
		end := uint64(len(st.records))
		if max > 0 {
			end = min(start+uint64(max), end)
		}
		recs = append([]events.DynamoDBEventRecord(nil), st.records[start:end]...)
		st.mu.Unlock()
		return recs, from + uint64(len(recs)), false
	}
	until, d := st.memFirst, st.disk
	st.mu.Unlock()
	// Older than memory: from the log, without holding st.mu (writes to the table go on).
	recs, err := d.read(st, from, until, max)
	if err != nil {
		d.log.Error("read stream log", "table", st.table, "from", from, "err", err)
		return nil, from, false
	}
	return recs, from + uint64(len(recs)), false
}

// Latest is the sequence number of the last record ("" if none), for StartingPosition LATEST.
func (st *Stream) Latest() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.nextN == 1 {
		return ""
	}
	return formatSequence(st.nextN - 1)
}

// Register makes consumer (an event source mapping, by a stable name) a reader of the stream and
// returns the sequence number it resumes after: the position it checkpointed last, kept across
// restarts with a data directory, or else for startingPosition LATEST the last record and for
// TRIM_HORIZON "" (the oldest retained record). Records are kept in memory until every registered
// consumer has checkpointed past them.
func (st *Stream) Register(consumer, startingPosition string) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	next, known := uint64(0), false
	if st.disk != nil {
		next, known = st.disk.positions[consumer]
	}
	switch {
	case known:
		next = max(next, st.firstN)
	case startingPosition == "LATEST":
		next = st.nextN
	default:
		next = st.firstN
	}
	st.consumers[consumer] = next
	if next <= st.firstN {
		return ""
	}
	return formatSequence(next - 1)
}

// Checkpoint records that consumer has processed every record up to seq; records all consumers
// have passed leave memory. With a data directory the position is persisted (within a second; a
// crash before that redelivers, as AWS may).
func (st *Stream) Checkpoint(consumer, seq string) {
	n, err := parseSequence(seq)
	if err != nil {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.consumers[consumer]; !ok {
		return
	}
	st.consumers[consumer] = max(st.consumers[consumer], n+1)
	if st.disk != nil {
		st.disk.setPosition(consumer, n+1)
	}
	st.evict()
}

// Unregister removes a consumer (a stopped mapping); its persisted position stays.
func (st *Stream) Unregister(consumer string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.consumers, consumer)
}

// MemoryRecords is how many records the stream holds in memory (tests, the control plane).
func (st *Stream) MemoryRecords() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.records)
}
