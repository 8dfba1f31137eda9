package ddbemu

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Stream records are persisted per stream in DataDir/dynamodb/streams/<table>/:
//
//	meta.json                 the stream's ARN, shard and view type
//	positions.json            each event source mapping's checkpoint (the counter it needs next)
//	<first counter>.jsonl     log segments in the write log format, one "Record" entry per record;
//	<first counter>.jsonl.gz  the one with the highest counter is appended to, older ones are
//	                          sealed and compressed
//	<first counter>.jsonl.gz.idx  a sealed segment's offset index (see compressSegment)
//
// so that after a restart consumers find the records (with the same ARN, shard and sequence
// numbers) they had not consumed yet, and a late reader (a new mapping, the Streams API) finds
// every record of the retention period. Records stay on disk for 24 hours, as on AWS ("Change data
// capture for DynamoDB Streams": "All data in DynamoDB Streams is subject to a 24-hour lifetime"),
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html; in memory only the
// records a registered consumer still needs, at most memoryWindow of them (stream.go).
//
// A record is written (one write(2)) before the write it describes is acknowledged, after that
// write is in the table log; a crash between the two loses the record of an unacknowledged write.

const (
	streamLogDir        = "streams"
	streamMetaFile      = "meta.json"
	streamPositionsFile = "positions.json"
	streamSegmentSuffix = ".jsonl"
	streamRecordOp      = "Record"
	// The format before segments: one DataDir/dynamodb/streams/<table>.jsonl starting with a
	// "Stream" entry. It is taken over as the first segment.
	legacyMetaOp    = "Stream"
	legacyLogSuffix = ".jsonl"

	// indexEvery: the active segment's offset of every indexEvery-th record is kept, so a read of
	// records that left memory decodes at most this many records it does not return.
	indexEvery = 32
	// A sealed segment is compressed in gzip members of memberBytes (or memberRecords records),
	// each starting at a record, so that a read from its middle decompresses at most a member it
	// does not return. Smaller members compress worse (each starts with an empty window): with
	// these, and level 2 instead of 1, a segment of order records is ~5 % smaller than as one
	// member at level 1 (BenchmarkStreamReadSealed), for about the same CPU.
	memberBytes  = 64 << 10
	segmentLevel = 2
	// A sealed segment's index: the compressed offset of each member and the counter of its first
	// record.
	segmentIndexSuffix = ".idx"
)

// memberRecords: see memberBytes. A variable for tests.
var memberRecords = 4 * indexEvery

// segmentBytes is the size at which the active segment is sealed (and compressed). A variable for tests.
var segmentBytes int64 = 4 << 20

type streamMeta struct {
	ARN      string `json:"arn"`
	ShardID  string `json:"shardId"`
	ViewType string `json:"viewType"`
}

type segment struct {
	first   uint64
	path    string
	gz      bool
	modTime time.Time
	marks   []offsetMark // gz: where its members start; nil: read it from the start
}

type offsetMark struct {
	n   uint64
	off int64
}

// streamDisk is a stream's log directory.
type streamDisk struct {
	dir string
	log *slog.Logger

	// mu (taken before Stream.mu) keeps segment files in place while they are read: sealing,
	// compressing and retention take it exclusively.
	mu       sync.RWMutex
	segments []segment // sealed, by first counter

	// Guarded by Stream.mu.
	active         *writeLog
	activeFirst    uint64
	index          []offsetMark
	positions      map[string]uint64
	positionsDirty bool
}

func segmentName(first uint64) string { return fmt.Sprintf("%020d%s", first, streamSegmentSuffix) }

// persist appends a record to the active segment. Callers hold st.mu.
func (st *Stream) persist(n uint64, r events.DynamoDBEventRecord) {
	d := st.disk
	if d == nil {
		return
	}
	body, err := json.Marshal(r)
	if err == nil {
		var off int64
		off, err = d.active.appendEntry(walEntry{Op: streamRecordOp, N: n, Body: body})
		if err == nil && (n-d.activeFirst)%indexEvery == 0 {
			d.index = append(d.index, offsetMark{n, off})
		}
	}
	if err != nil {
		d.log.Error("persist stream record", "table", st.table, "err", err)
	}
}

func (d *streamDisk) setPosition(consumer string, next uint64) {
	if d.positions[consumer] != next {
		d.positions[consumer] = next
		d.positionsDirty = true
	}
}

// entryCounter is the record's counter: the entry's n, or (segments of the legacy format) the
// sequence number inside the record.
func entryCounter(e walEntry) (uint64, bool) {
	if e.Op != streamRecordOp {
		return 0, false
	}
	if e.N > 0 {
		return e.N, true
	}
	var r struct {
		Dynamodb struct{ SequenceNumber string } `json:"dynamodb"`
	}
	if json.Unmarshal(e.Body, &r) != nil {
		return 0, false
	}
	n, err := parseSequence(r.Dynamodb.SequenceNumber)
	return n, err == nil
}

// read returns up to max records (max ≤ 0: as many as one segment has) from counter from on and
// before until, from the log.
func (d *streamDisk) read(st *Stream, from, until uint64, max int) ([]events.DynamoDBEventRecord, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	st.mu.Lock()
	path, gz, at := "", false, offsetMark{}
	if from >= d.activeFirst {
		path, at = d.active.path, markBefore(d.index, from)
	} else if i := sort.Search(len(d.segments), func(i int) bool { return d.segments[i].first > from }); i > 0 {
		seg := d.segments[i-1]
		path, gz, at = seg.path, seg.gz, markBefore(seg.marks, from)
	}
	st.mu.Unlock()
	if path == "" {
		return nil, nil
	}
	var recs []events.DynamoDBEventRecord
	errDone := errors.New("done")
	fellBack, err := scanSegment(path, gz, at, from, func(n uint64, e walEntry) error {
		if n >= until {
			return errDone
		}
		var rec events.DynamoDBEventRecord
		if err := json.Unmarshal(e.Body, &rec); err != nil {
			return fmt.Errorf("decode stream record %d: %w", n, err)
		}
		recs = append(recs, rec)
		if max > 0 && len(recs) >= max {
			return errDone
		}
		return nil
	})
	if fellBack {
		d.log.Warn("stream log index does not match its segment, read from the start", "path", path, "counter", at.n)
	}
	if err != nil && !errors.Is(err, errDone) {
		return recs, err
	}
	return recs, nil
}

// markBefore is the last mark at or before counter n (the zero mark, the start, if none).
func markBefore(marks []offsetMark, n uint64) offsetMark {
	if i := sort.Search(len(marks), func(i int) bool { return marks[i].n > n }); i > 0 {
		return marks[i-1]
	}
	return offsetMark{}
}

var errMarkMismatch = errors.New("offset index does not match its segment")

// scanSegment calls fn for the records of a segment (gzip members if gz) from the record at mark
// on, skipping those before counter skip without decoding them. A mark that is not where its record
// starts (a stale or damaged index) is ignored and the scan starts over from the start of the
// file: fn has seen nothing yet then, so no record is skipped or seen twice. A torn last entry
// ends the scan.
func scanSegment(path string, gz bool, at offsetMark, skip uint64, fn func(n uint64, e walEntry) error) (fellBack bool, err error) {
	err = scanSegmentAt(path, gz, at, skip, fn)
	if errors.Is(err, errMarkMismatch) {
		fellBack, err = true, scanSegmentAt(path, gz, offsetMark{}, skip, fn)
	}
	return fellBack, err
}

func scanSegmentAt(path string, gz bool, at offsetMark, skip uint64, fn func(n uint64, e walEntry) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	// From a mark, every failure before its record checks out is the mark's.
	checked := at == offsetMark{}
	if _, err := f.Seek(at.off, io.SeekStart); err != nil {
		return fmt.Errorf("seek %s: %w", path, err)
	}
	var r io.Reader = f
	if gz {
		zr, err := gzip.NewReader(f)
		if err != nil && !checked {
			return errMarkMismatch
		}
		if err != nil {
			return fmt.Errorf("open %s: %w", path, err)
		}
		r = zr
	}
	br := bufio.NewReaderSize(r, 1<<16)
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long := slices.Clone(line)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if err != nil {
			switch {
			case !checked:
				return errMarkMismatch
			case errors.Is(err, io.EOF):
				return nil // a torn last line (len(line) > 0) or none
			}
			return fmt.Errorf("read %s: %w", path, err)
		}
		if n, ok := recordLineCounter(line); ok && checked && n < skip {
			continue
		}
		var e walEntry
		if json.Unmarshal(line, &e) != nil || e.Op == "" {
			if !checked {
				return errMarkMismatch
			}
			return nil // as scanEntries: what follows a damaged entry is not trusted
		}
		n, ok := entryCounter(e)
		if !checked {
			if !ok || n != at.n {
				return errMarkMismatch
			}
			checked = true
		}
		if !ok || n < skip {
			continue
		}
		if err := fn(n, e); err != nil {
			return err
		}
	}
}

func (s *Service) streamLogDir() string {
	return filepath.Join(s.opts.DataDir, "dynamodb", streamLogDir)
}

// attachStreamLog opens the stream's log directory and, unless fresh (a table created now), takes
// over the ARN, shard, checkpoints and records persisted for the same stream of this table: the
// records after the oldest checkpoint (at most memoryWindow of them) into memory, the rest stay
// on disk. Callers hold s.mu exclusively, in the same critical section that registered the table:
// nobody else has seen the stream yet.
func (s *Service) attachStreamLog(t *tableState, fresh bool) error {
	st := t.stream
	if s.wal == nil || st == nil || st.disk != nil {
		return nil
	}
	name := t.spec.Name
	dir := filepath.Join(s.streamLogDir(), name)
	legacy := filepath.Join(s.streamLogDir(), name+legacyLogSuffix)
	if fresh {
		for _, p := range []string{dir, legacy} {
			if err := os.RemoveAll(p); err != nil {
				return fmt.Errorf("remove stale stream log of %s: %w", name, err)
			}
		}
	}
	if err := migrateLegacyStreamLog(legacy, dir); err != nil {
		return fmt.Errorf("stream log of %s: %w", name, err)
	}
	var meta streamMeta
	raw, err := os.ReadFile(filepath.Join(dir, streamMetaFile))
	if err != nil || json.Unmarshal(raw, &meta) != nil || meta.ViewType != st.viewType || !strings.HasPrefix(meta.ARN, t.arn+"/stream/") {
		// No stream of this table persisted (or another one): start a new log.
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("reset stream log of %s: %w", name, err)
		}
		meta = streamMeta{ARN: st.arn, ShardID: st.shardID, ViewType: st.viewType}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create stream log of %s: %w", name, err)
		}
		if err := writeFileAtomic(filepath.Join(dir, streamMetaFile), mustJSON(meta)); err != nil {
			return fmt.Errorf("stream log of %s: %w", name, err)
		}
	}
	st.arn, st.shardID = meta.ARN, meta.ShardID
	d := &streamDisk{dir: dir, log: s.log, positions: map[string]uint64{}}
	if raw, err := os.ReadFile(filepath.Join(dir, streamPositionsFile)); err == nil {
		_ = json.Unmarshal(raw, &d.positions) // unreadable: mappings start over at their starting position
	}
	segs, err := listSegments(dir)
	if err != nil {
		return fmt.Errorf("stream log of %s: %w", name, err)
	}
	// The newest plain segment is the active one; a new one starts when there is none.
	activeFirst := uint64(1)
	if len(segs) > 0 {
		last := segs[len(segs)-1]
		if !last.gz {
			activeFirst, segs = last.first, segs[:len(segs)-1]
		} else if activeFirst, err = segmentEnd(last); err != nil {
			return fmt.Errorf("stream log of %s: %w", name, err)
		}
	}
	cutoff := s.opts.Now().Add(-s.opts.StreamRetention)
	for len(segs) > 0 && segs[0].modTime.Before(cutoff) {
		if err := removeSegment(segs[0]); err != nil {
			return fmt.Errorf("stream log of %s: drop expired segment: %w", name, err)
		}
		segs = segs[1:]
	}
	d.segments = segs
	wal, valid, err := openWriteLog(dir, segmentName(activeFirst), s.log)
	if err != nil {
		return fmt.Errorf("open stream log of %s: %w", name, err)
	}
	d.active, d.activeFirst = wal, activeFirst

	// Scan the active segment: its offsets and last counter, and the records memory will hold.
	low := uint64(0)
	for _, next := range d.positions {
		if low == 0 || next < low {
			low = next
		}
	}
	type pending struct {
		n    uint64
		body json.RawMessage
	}
	var keep []pending
	nextN, start := activeFirst, int64(0)
	f, err := os.Open(wal.path)
	if err != nil {
		_ = wal.close()
		return fmt.Errorf("read stream log of %s: %w", name, err)
	}
	err = scanEntries(f, valid, func(e walEntry, end int64) error {
		off := start
		start = end
		n, ok := entryCounter(e)
		if !ok || n < nextN {
			return nil
		}
		if (n-activeFirst)%indexEvery == 0 {
			d.index = append(d.index, offsetMark{n, off})
		}
		nextN = n + 1
		if n >= low {
			keep = append(keep, pending{n, e.Body})
			if len(keep) > 2*memoryWindow {
				keep = slices.Clone(keep[len(keep)-memoryWindow:])
			}
		}
		return nil
	})
	f.Close()
	if err != nil {
		_ = wal.close()
		return fmt.Errorf("read stream log of %s: %w", name, err)
	}
	if len(keep) > memoryWindow {
		keep = keep[len(keep)-memoryWindow:]
	}
	st.records, st.memFirst, st.nextN = nil, nextN, nextN
	for i, p := range keep {
		var r events.DynamoDBEventRecord
		if err := json.Unmarshal(p.body, &r); err != nil {
			// Keep memory a contiguous suffix: what precedes an unreadable record stays on disk.
			st.records = st.records[:0]
			continue
		}
		if len(st.records) == 0 {
			st.memFirst = keep[i].n
		}
		st.records = append(st.records, r)
	}
	st.firstN = activeFirst
	if len(d.segments) > 0 {
		st.firstN = d.segments[0].first
	}
	st.disk = d
	return nil
}

// segmentEnd is the counter after a sealed segment's last record.
func segmentEnd(seg segment) (uint64, error) {
	next := seg.first
	var last offsetMark
	if len(seg.marks) > 0 {
		last = seg.marks[len(seg.marks)-1]
	}
	_, err := scanSegment(seg.path, seg.gz, last, 0, func(n uint64, _ walEntry) error {
		next = n + 1
		return nil
	})
	if err != nil {
		return 0, err
	}
	return next, nil
}

// listSegments lists a stream log directory's segments by first counter, with their offset
// indexes, removing leftovers of an interrupted compression or retention (a temp file, a plain
// segment whose compressed copy was completed, an index without its segment).
func listSegments(dir string) ([]segment, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	byFirst := map[uint64]segment{}
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(dir, name)
		if strings.HasSuffix(name, ".tmp") {
			if err := os.Remove(path); err != nil {
				return nil, fmt.Errorf("remove %s: %w", path, err)
			}
			continue
		}
		if gzName, ok := strings.CutSuffix(name, segmentIndexSuffix); ok {
			if _, err := os.Stat(filepath.Join(dir, gzName)); errors.Is(err, os.ErrNotExist) {
				if err := os.Remove(path); err != nil {
					return nil, fmt.Errorf("remove %s: %w", path, err)
				}
			}
			continue
		}
		base, gz := strings.CutSuffix(name, ".gz")
		digits, ok := strings.CutSuffix(base, streamSegmentSuffix)
		if !ok {
			continue
		}
		first, err := strconv.ParseUint(digits, 10, 64)
		if err != nil {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, fmt.Errorf("stat %s: %w", path, err)
		}
		seg := segment{first: first, path: path, gz: gz, modTime: info.ModTime()}
		if gz {
			seg.marks = loadSegmentIndex(path, info.Size())
		}
		if prev, dup := byFirst[first]; dup {
			plain := prev
			if !gz {
				plain, seg = seg, prev
			}
			if err := os.Remove(plain.path); err != nil {
				return nil, fmt.Errorf("remove %s: %w", plain.path, err)
			}
		}
		byFirst[first] = seg
	}
	segs := make([]segment, 0, len(byFirst))
	for _, seg := range byFirst {
		segs = append(segs, seg)
	}
	slices.SortFunc(segs, func(a, b segment) int { return compareUint(a.first, b.first) })
	return segs, nil
}

func compareUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// migrateLegacyStreamLog turns a single-file stream log into a directory with that file as its
// first segment.
func migrateLegacyStreamLog(legacy, dir string) error {
	f, err := os.Open(legacy)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", legacy, err)
	}
	var meta *streamMeta
	first := uint64(0)
	errDone := errors.New("done")
	err = scanEntries(f, -1, func(e walEntry, _ int64) error {
		if e.Op == legacyMetaOp && meta == nil {
			var m streamMeta
			if json.Unmarshal(e.Body, &m) == nil {
				meta = &m
			}
		}
		if n, ok := entryCounter(e); ok {
			first = n
			return errDone
		}
		return nil
	})
	f.Close()
	if err != nil && !errors.Is(err, errDone) && !errors.Is(err, errTornEntry) {
		return fmt.Errorf("read %s: %w", legacy, err)
	}
	if meta == nil {
		return os.Remove(legacy)
	}
	if first == 0 {
		first = 1
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("reset %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	if err := writeFileAtomic(filepath.Join(dir, streamMetaFile), mustJSON(meta)); err != nil {
		return err
	}
	if err := os.Rename(legacy, filepath.Join(dir, segmentName(first))); err != nil {
		return fmt.Errorf("move %s: %w", legacy, err)
	}
	return nil
}

// flushPositions persists the consumers' checkpoints if they moved.
func (st *Stream) flushPositions() error {
	d := st.disk
	if d == nil {
		return nil
	}
	st.mu.Lock()
	if !d.positionsDirty {
		st.mu.Unlock()
		return nil
	}
	body := mustJSON(d.positions)
	d.positionsDirty = false
	st.mu.Unlock()
	if err := writeFileAtomic(filepath.Join(d.dir, streamPositionsFile), body); err != nil {
		st.mu.Lock()
		d.positionsDirty = true
		st.mu.Unlock()
		return err
	}
	return nil
}

// maintain seals the active segment once it is segmentBytes long, compresses sealed segments and
// drops those older than the retention period.
func (st *Stream) maintain(now time.Time, retention time.Duration) error {
	d := st.disk
	if d == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	st.mu.Lock()
	if d.active.sizeNow() >= segmentBytes {
		next, _, err := openWriteLog(d.dir, segmentName(st.nextN), d.log)
		if err != nil {
			st.mu.Unlock()
			return fmt.Errorf("seal stream segment of %s: %w", st.table, err)
		}
		old := d.active
		d.segments = append(d.segments, segment{first: d.activeFirst, path: old.path, modTime: now})
		d.active, d.activeFirst, d.index = next, st.nextN, nil
		if err := old.close(); err != nil {
			d.log.Error("close sealed stream segment", "table", st.table, "err", err)
		}
	}
	st.mu.Unlock()
	for i, seg := range d.segments {
		if seg.gz {
			continue
		}
		gzPath, marks, err := compressSegment(seg.path)
		if err != nil {
			return fmt.Errorf("compress stream segment of %s: %w", st.table, err)
		}
		d.segments[i].path, d.segments[i].gz, d.segments[i].marks = gzPath, true, marks
	}
	cutoff := now.Add(-retention)
	drop := 0
	for drop < len(d.segments) && d.segments[drop].modTime.Before(cutoff) {
		if err := removeSegment(d.segments[drop]); err != nil {
			return fmt.Errorf("drop expired stream segment of %s: %w", st.table, err)
		}
		drop++
	}
	if drop > 0 {
		d.segments = slices.Clone(d.segments[drop:])
		st.mu.Lock()
		st.firstN = d.activeFirst
		if len(d.segments) > 0 {
			st.firstN = d.segments[0].first
		}
		if st.memFirst < st.firstN {
			st.dropFront(int(min(st.firstN-st.memFirst, uint64(len(st.records)))))
		}
		st.mu.Unlock()
	}
	return nil
}

// removeSegment deletes a segment and its index (the index first: a segment left without one by a
// crash is still read, from its start).
func removeSegment(seg segment) error {
	if seg.gz {
		if err := os.Remove(seg.path + segmentIndexSuffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return os.Remove(seg.path)
}

// compressSegment writes path.gz through a temp file (fsynced, renamed) and removes path. The
// file is a series of gzip members (one gzip stream to any reader: gzip(1) and Go's gzip.Reader
// read concatenated members) of memberRecords records or memberBytes each, so that a read from the
// middle of the segment decompresses at most one member's worth of records it does not return
// (and skips them without decoding them), not the segment from its start. Where the members start
// is in the index written (atomically) to path.gz.idx before path.gz appears; a segment without a
// usable index (sealed by an earlier version, or a crash) is read from its start.
func compressSegment(path string) (string, []offsetMark, error) {
	in, err := os.Open(path)
	if err != nil {
		return "", nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer in.Close()
	gzPath := path + ".gz"
	tmp := gzPath + ".tmp"
	out, err := os.Create(tmp)
	if err != nil {
		return "", nil, fmt.Errorf("create %s: %w", tmp, err)
	}
	bw := bufio.NewWriterSize(out, 1<<16)
	cw := &countingWriter{w: bw}
	zw, _ := gzip.NewWriterLevel(cw, segmentLevel)
	var marks []offsetMark
	open, records, size := false, 0, 0
	br := bufio.NewReaderSize(in, 1<<16)
	for err == nil {
		var line []byte
		line, err = br.ReadBytes('\n')
		if len(line) == 0 {
			break
		}
		// A member starts at a complete record.
		n, ok := lineCounter(line)
		if ok && line[len(line)-1] == '\n' && (!open || records >= memberRecords || size >= memberBytes) {
			if open {
				if err = zw.Close(); err != nil {
					break
				}
				zw.Reset(cw)
			}
			marks = append(marks, offsetMark{n, cw.n})
			records, size = 0, 0
		}
		open = true
		records++
		size += len(line)
		if _, werr := zw.Write(line); werr != nil {
			err = werr
		}
	}
	if errors.Is(err, io.EOF) {
		err = nil
	}
	if err == nil {
		err = zw.Close()
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = writeFileAtomic(gzPath+segmentIndexSuffix, encodeSegmentIndex(cw.n, marks))
	}
	if err != nil {
		_ = os.Remove(tmp)
		return "", nil, fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, gzPath); err != nil {
		return "", nil, fmt.Errorf("rename %s: %w", tmp, err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return "", nil, err
	}
	if err := os.Remove(path); err != nil {
		return "", nil, fmt.Errorf("remove %s: %w", path, err)
	}
	return gzPath, marks, nil
}

// lineCounter is the counter of a log line's record.
func lineCounter(line []byte) (uint64, bool) {
	if n, ok := recordLineCounter(line); ok {
		return n, true
	}
	var e walEntry
	if json.Unmarshal(line, &e) != nil {
		return 0, false
	}
	return entryCounter(e)
}

// recordLineCounter is the counter of a line in the form persist writes, read without decoding
// the line; false for any other line.
func recordLineCounter(line []byte) (uint64, bool) {
	const prefix = `{"op":"` + streamRecordOp + `","n":`
	rest, ok := bytes.CutPrefix(line, []byte(prefix))
	if !ok {
		return 0, false
	}
	var n uint64
	for i, c := range rest {
		switch {
		case c >= '0' && c <= '9' && i < 19:
			n = n*10 + uint64(c-'0')
		case c == ',' && i > 0 && n > 0:
			return n, true
		default:
			return 0, false
		}
	}
	return 0, false
}

// segmentIndex is the file form of a sealed segment's offset index: the size of the segment it
// belongs to, and its marks as [counter, offset] pairs.
type segmentIndex struct {
	Bytes int64       `json:"bytes"`
	Marks [][2]uint64 `json:"marks"`
}

func encodeSegmentIndex(size int64, marks []offsetMark) []byte {
	idx := segmentIndex{Bytes: size, Marks: make([][2]uint64, len(marks))}
	for i, m := range marks {
		idx.Marks[i] = [2]uint64{m.n, uint64(m.off)}
	}
	return mustJSON(idx)
}

// loadSegmentIndex reads the index of the sealed segment path, size bytes long. An index that is
// missing, unreadable or not of this file gives nil: the segment is read from its start.
func loadSegmentIndex(path string, size int64) []offsetMark {
	raw, err := os.ReadFile(path + segmentIndexSuffix)
	if err != nil {
		return nil
	}
	var idx segmentIndex
	if json.Unmarshal(raw, &idx) != nil || idx.Bytes != size {
		return nil
	}
	marks := make([]offsetMark, len(idx.Marks))
	for i, m := range idx.Marks {
		marks[i] = offsetMark{m[0], int64(m[1])}
		if int64(m[1]) >= size || i > 0 && (m[0] <= marks[i-1].n || marks[i].off <= marks[i-1].off) {
			return nil
		}
	}
	return marks
}

// closeStreamLog closes the stream's log, persisting the checkpoints; with remove (the table is
// deleted), the directory goes too.
func (s *Service) closeStreamLog(t *tableState, remove bool) error {
	st := t.stream
	if st == nil || st.disk == nil {
		return nil
	}
	err := st.flushPositions()
	st.mu.Lock()
	d := st.disk
	st.disk = nil
	st.mu.Unlock()
	if cerr := d.active.close(); err == nil {
		err = cerr
	}
	if remove {
		if rerr := os.RemoveAll(d.dir); rerr != nil && err == nil {
			err = fmt.Errorf("remove stream log of %s: %w", t.spec.Name, rerr)
		}
	}
	return err
}

// removeStaleStreamLogs deletes the logs of streams that no longer exist. Callers hold s.mu.
func (s *Service) removeStaleStreamLogs() error {
	entries, err := os.ReadDir(s.streamLogDir())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list stream logs: %w", err)
	}
	for _, e := range entries {
		table := e.Name()
		if !e.IsDir() {
			var ok bool
			if table, ok = strings.CutSuffix(table, legacyLogSuffix); !ok {
				continue
			}
		}
		if t := s.tables[table]; t != nil && t.stream != nil {
			continue
		}
		if err := os.RemoveAll(filepath.Join(s.streamLogDir(), e.Name())); err != nil {
			return fmt.Errorf("remove stale stream log: %w", err)
		}
	}
	return nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encode %T: %v", v, err))
	}
	return b
}

// writeFileAtomic replaces path with data: a temp file, fsynced, renamed over it, the directory fsynced.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("create %s: %w", tmp, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename %s: %w", tmp, err)
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
