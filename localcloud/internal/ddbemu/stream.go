package ddbemu

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/aws/aws-lambda-go/events"
)

// Sequence numbers are fixed-width decimal strings (20 digits) so that they
// compare the same way as strings and as numbers.
const sequenceBase uint64 = 10_000_000_000_000_000_000

// retainedRecords bounds memory; AWS keeps 24 h of records, we keep a count. A variable for tests.
var retainedRecords = 100_000

// Stream is an append-only, per-table ordered log of change records (one shard).
type Stream struct {
	table    string
	arn      string
	shardID  string
	viewType string
	retain   int

	mu      sync.Mutex
	records []events.DynamoDBEventRecord
	firstN  uint64 // counter of records[0]
	nextN   uint64 // counter the next appended record gets
	changed chan struct{}
	wal     *writeLog // nil = memory only (see streamlog.go)
}

func newStream(table, arn, shardID, viewType string) *Stream {
	return &Stream{
		table: table, arn: arn, shardID: shardID, viewType: viewType,
		retain: retainedRecords, firstN: 1, nextN: 1, changed: make(chan struct{}),
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
		r.Change.SequenceNumber = formatSequence(st.nextN)
		st.nextN++
		st.records = append(st.records, r)
		st.persist(r)
	}
	st.trim()
	close(st.changed)
	st.changed = make(chan struct{})
}

// trim drops the oldest records once there are a quarter more than retain. Callers hold st.mu.
func (st *Stream) trim() {
	if excess := len(st.records) - st.retain; excess > st.retain/4 {
		st.records = slices.Clone(st.records[excess:])
		st.firstN += uint64(excess)
	}
}

// startIndex returns the index in st.records of the first record after afterSeq.
// An unknown or trimmed position starts at the oldest retained record.
func (st *Stream) startIndex(afterSeq string) int {
	if afterSeq == "" {
		return 0
	}
	n, err := parseSequence(afterSeq)
	if err != nil || n+1 < st.firstN {
		return 0
	}
	idx := n + 1 - st.firstN
	if idx > uint64(len(st.records)) {
		return len(st.records)
	}
	return int(idx)
}

// Read returns up to max records with a sequence number greater than afterSeq
// ("" = from the oldest retained record). The maps inside records are shared:
// treat them as read-only.
func (st *Stream) Read(afterSeq string, max int) []events.DynamoDBEventRecord {
	st.mu.Lock()
	defer st.mu.Unlock()
	start := st.startIndex(afterSeq)
	end := len(st.records)
	if max > 0 && end-start > max {
		end = start + max
	}
	if start >= end {
		return nil
	}
	return slices.Clone(st.records[start:end])
}

// Wait blocks until a record after afterSeq exists or ctx ends.
func (st *Stream) Wait(ctx context.Context, afterSeq string) error {
	for {
		st.mu.Lock()
		ready := st.startIndex(afterSeq) < len(st.records)
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

// readFrom returns up to max records from counter from on, and the counter after them;
// trimmed when records from there on are no longer retained.
func (st *Stream) readFrom(from uint64, max int) (recs []events.DynamoDBEventRecord, next uint64, trimmed bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if from < st.firstN {
		return nil, from, true
	}
	start := min(from-st.firstN, uint64(len(st.records)))
	end := min(start+uint64(max), uint64(len(st.records)))
	recs = slices.Clone(st.records[start:end])
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
