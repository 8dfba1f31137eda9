// Package ddbemu is the local cloud's DynamoDB: the DynamoDB JSON 1.0 API over a compact item
// store (itemstore.go; expressions evaluated by minidyn's expression language, expr.go), with the
// X-Amz-Crc32 response header, table metadata ops, DynamoDB Streams records, TTL expiry and a
// write log plus snapshots for persistence across restarts.
package ddbemu

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/awsclock"
)

// Options configures a Service.
type Options struct {
	DataDir   string // "" = memory only; otherwise the log lives in DataDir/dynamodb/
	Reset     bool   // wipe DataDir/dynamodb/ first
	Logger    *slog.Logger
	Region    string // default us-east-1
	AccountID string // default 000000000000

	TTLSweepInterval time.Duration    // default 5s (AWS deletes expired items within days, not seconds)
	Now              func() time.Time // default time.Now (tests)
	// CompactAboveBytes: the tables are snapshotted and the write log dropped (compact.go) once the
	// log is bigger than this and than 1/16 of the last snapshot (compactDue). Default 4 MiB; negative
	// disables.
	CompactAboveBytes int64
	// StreamRetention is how long stream records stay on disk; default AWS's 24 hours.
	StreamRetention time.Duration

	// TransactionConflictRate is the probability (0 to 1) that a write to an item a recent
	// TransactWriteItems holds fails as on AWS (see conflicts.go). 0, the default, never fails one.
	TransactionConflictRate float64
	// TransactionHold is how long (wall time) a committed transaction holds its items; default 50ms.
	TransactionHold time.Duration
	// TTLDeletionDelay is the AWS time an expired item stays readable and writable before the sweep
	// deletes it (see ttl.go). Default 5 minutes; negative deletes it at the first sweep after expiry.
	TTLDeletionDelay time.Duration
	// Clock converts TTLDeletionDelay to wall time; nil is real time.
	Clock *awsclock.Clock
}

const defaultTTLDeletionDelay = 5 * time.Minute

const streamLabelLayout = "2006-01-02T15:04:05.000"

// tableState is a table: its schema, items and stream.
type tableState struct {
	spec      TableSpec
	hashKey   string
	rangeKey  string
	arn       string
	createdAt time.Time
	stream    *Stream // nil without a stream
	ttlAttr   string
	attrTypes map[string]string // declared key attribute types (S, N, B)
	indexes   []indexKeys       // global secondary indexes, by name

	createBody []byte // CreateTable request, for tables created through the API (compaction)

	store *itemStore

	writeMu sync.Mutex // serialises item writes to this table (see writeLocked)
}

func (t *tableState) keyAttrs() []string {
	if t.rangeKey == "" {
		return []string{t.hashKey}
	}
	return []string{t.hashKey, t.rangeKey}
}

// Service is the emulated DynamoDB endpoint.
type Service struct {
	opts Options
	log  *slog.Logger

	// mu guards tables and closed. Reads and item writes share it (item writes lock their tables, see
	// writeLocked); table operations, replay and shutdown take it exclusively.
	mu     sync.RWMutex
	tables map[string]*tableState

	holds *txHolds // items recent transactions hold (conflicts.go)

	wal           *writeLog // nil when memory only; the log of generation walGen (compact.go)
	walGen        int
	replayGens    []int // log generations replayed by the first CreateTables, after snapshot snapGen
	snapGen       int   // -1: no snapshot
	snapshotBytes int64
	replayLimit   int64 // bytes of the current log present at start
	replayed      bool
	replaying     bool // replayData runs: writes are neither logged nor streamed
	closed        bool
	compactMu     sync.Mutex

	stopSweep    context.CancelFunc
	sweepDone    chan struct{}
	maintainDone chan struct{}
	closeOnce    sync.Once
	closeErr     error
}

// New creates the service; with a DataDir it opens (or, with Reset, wipes) the write log.
func New(opts Options) (*Service, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.AccountID == "" {
		opts.AccountID = "000000000000"
	}
	if opts.TTLSweepInterval <= 0 {
		opts.TTLSweepInterval = 5 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.CompactAboveBytes == 0 {
		opts.CompactAboveBytes = 4 << 20
	}
	if opts.TTLDeletionDelay == 0 {
		opts.TTLDeletionDelay = defaultTTLDeletionDelay
	}
	if opts.StreamRetention <= 0 {
		opts.StreamRetention = 24 * time.Hour
	}
	s := &Service{
		opts:    opts,
		log:     opts.Logger.With("component", "dynamodb"),
		tables:  map[string]*tableState{},
		holds:   newTxHolds(opts.TransactionConflictRate, opts.TransactionHold, opts.Now),
		snapGen: -1,
	}
	if opts.DataDir != "" {
		dir := filepath.Join(opts.DataDir, "dynamodb")
		if opts.Reset {
			if err := os.RemoveAll(dir); err != nil {
				return nil, fmt.Errorf("reset %s: %w", dir, err)
			}
		}
		logs, snap, err := dataFiles(dir)
		if err != nil {
			return nil, err
		}
		s.snapGen, s.walGen = snap, max(snap, 0)
		for _, g := range logs {
			if g >= snap {
				s.replayGens = append(s.replayGens, g)
				s.walGen = max(s.walGen, g)
			}
		}
		wal, valid, err := openWriteLog(dir, walName(s.walGen), s.log)
		if err != nil {
			return nil, err
		}
		s.wal, s.replayLimit = wal, valid
		if !slices.Contains(s.replayGens, s.walGen) {
			s.replayGens = append(s.replayGens, s.walGen)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stopSweep, s.sweepDone = cancel, make(chan struct{})
	go s.sweepLoop(ctx)
	s.maintainDone = make(chan struct{})
	go s.maintainLoop(ctx)
	return s, nil
}

// CreateTables creates the tables (keeping any that already exist) and, on the
// first call, replays the persisted write log without emitting stream records.
func (s *Service) CreateTables(specs []TableSpec) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, spec := range specs {
		if err := spec.validate(); err != nil {
			return err
		}
		if _, exists := s.tables[spec.Name]; exists {
			continue
		}
		t := s.registerTable(spec, nil)
		if s.replayed {
			if err := s.attachStreamLog(t, false); err != nil {
				return err
			}
		}
	}
	if s.wal == nil || s.replayed {
		return nil
	}
	s.replayed = true
	if err := s.replayData(); err != nil {
		return err
	}
	for _, name := range s.tableNamesLocked() {
		if err := s.attachStreamLog(s.tables[name], false); err != nil {
			return err
		}
	}
	return s.removeStaleStreamLogs()
}

// registerTable records a created table. Callers hold s.mu.
func (s *Service) registerTable(spec TableSpec, createBody []byte) *tableState {
	now := s.opts.Now().UTC()
	hash, rng := keyNames(spec.KeySchema)
	t := &tableState{
		spec: spec, hashKey: hash, rangeKey: rng, createdAt: now, ttlAttr: spec.TTLAttribute,
		arn:        fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", s.opts.Region, s.opts.AccountID, spec.Name),
		createBody: createBody,
		attrTypes:  map[string]string{},
	}
	for _, d := range spec.AttributeDefinitions {
		t.attrTypes[d.AttributeName] = d.AttributeType
	}
	for _, g := range spec.GlobalSecondaryIndexes {
		h, r := keyNames(g.KeySchema)
		idx := indexKeys{name: g.IndexName, attrs: []string{h}, projection: g.ProjectionType, include: g.NonKeyAttributes}
		if r != "" {
			idx.attrs = append(idx.attrs, r)
		}
		t.indexes = append(t.indexes, idx)
	}
	slices.SortFunc(t.indexes, func(a, b indexKeys) int { return strings.Compare(a.name, b.name) })
	if spec.StreamViewType != "" {
		label := now.Format(streamLabelLayout)
		shard := fmt.Sprintf("shardId-%020d-%s", now.UnixMilli(), newEventID()[:8])
		t.stream = newStream(spec.Name, t.arn+"/stream/"+label, shard, spec.StreamViewType)
	}
	t.store = newItemStore(t)
	s.tables[spec.Name] = t
	return t
}

func (s *Service) table(name string) *tableState {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.tables[name]
}

// Stream returns the table's stream, nil if the table has none (or does not exist).
func (s *Service) Stream(table string) *Stream {
	if t := s.table(table); t != nil {
		return t.stream
	}
	return nil
}

// StreamARN returns the table's latest stream ARN, "" without a stream.
func (s *Service) StreamARN(table string) string {
	if st := s.Stream(table); st != nil {
		return st.arn
	}
	return ""
}

// TableNames lists the tables, sorted.
func (s *Service) TableNames() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.tableNamesLocked()
}

func (s *Service) tableNamesLocked() []string {
	names := make([]string, 0, len(s.tables))
	for n := range s.tables {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Close stops the TTL sweep and flushes and closes the write log.
func (s *Service) Close() error {
	s.closeOnce.Do(func() {
		s.stopSweep()
		<-s.sweepDone
		<-s.maintainDone
		s.mu.Lock()
		defer s.mu.Unlock()
		s.closed = true
		var errs []error
		for _, t := range s.tables {
			errs = append(errs, s.closeStreamLog(t, false))
		}
		if s.wal != nil {
			errs = append(errs, s.wal.close())
			s.wal = nil
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}
