package ddbemu

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func putIDs(t *testing.T, client *dynamodb.Client, table string, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if _, err := client.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table),
			Item: map[string]types.AttributeValue{"id": str(id)}}); err != nil {
			t.Fatalf("put %s: %v", id, err)
		}
	}
}

func recordIDs(t *testing.T, svc *Service, table, after string) (ids, seqs []string) {
	t.Helper()
	for _, r := range svc.Stream(table).Read(after, 0) {
		ids = append(ids, r.Change.Keys["id"].String())
		seqs = append(seqs, r.Change.SequenceNumber)
	}
	return ids, seqs
}

// A consumer that checkpointed a sequence number finds the records after it once the local cloud
// restarts on the same data dir: same stream ARN, shard and sequence numbers, and new records
// continue the sequence.
func TestStreamRecordsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	spec := ordersSpec("Orders", "NEW_AND_OLD_IMAGES")
	svc, client := startService(t, Options{DataDir: dir}, spec)
	putIDs(t, client, "Orders", "a", "b", "c")
	_, seqs := recordIDs(t, svc, "Orders", "")
	consumed := seqs[0]
	arn, shard := svc.StreamARN("Orders"), svc.Stream("Orders").ShardID()
	if err := svc.Close(); err != nil {
		t.Fatal(err)
	}

	svc2, client2 := startService(t, Options{DataDir: dir}, spec)
	st := svc2.Stream("Orders")
	if st.ARN() != arn || st.ShardID() != shard {
		t.Fatalf("stream %s/%s after restart, want %s/%s", st.ARN(), st.ShardID(), arn, shard)
	}
	ids, gotSeqs := recordIDs(t, svc2, "Orders", consumed)
	if len(ids) != 2 || ids[0] != "b" || ids[1] != "c" || gotSeqs[0] != seqs[1] || gotSeqs[1] != seqs[2] {
		t.Fatalf("unconsumed records after restart: %v %v, want [b c] %v", ids, gotSeqs, seqs[1:])
	}
	if err := st.Wait(context.Background(), consumed); err != nil {
		t.Fatal(err)
	}
	putIDs(t, client2, "Orders", "d")
	ids, gotSeqs = recordIDs(t, svc2, "Orders", seqs[2])
	if len(ids) != 1 || ids[0] != "d" || gotSeqs[0] <= seqs[2] || st.Latest() != gotSeqs[0] {
		t.Fatalf("record after restart: %v %v (latest %s)", ids, gotSeqs, st.Latest())
	}
	_ = svc2.Close()

	// Records written after the first restart survive the next one too.
	svc3, _ := startService(t, Options{DataDir: dir}, spec)
	if ids, _ := recordIDs(t, svc3, "Orders", ""); len(ids) != 4 {
		t.Fatalf("records after second restart: %v", ids)
	}
}

// Records every registered consumer has checkpointed leave memory, and memory never holds more
// than the window; every record stays readable from the log (sealed, compressed segments included),
// across a restart, where the consumer resumes after its checkpoint.
func TestStreamMemoryHoldsOnlyUnconsumedRecords(t *testing.T) {
	defer func(w int, b int64) { memoryWindow, segmentBytes = w, b }(memoryWindow, segmentBytes)
	memoryWindow, segmentBytes = 4, 600
	dir := t.TempDir()
	spec := ordersSpec("Orders", "NEW_IMAGE")
	svc, client := startService(t, Options{DataDir: dir}, spec)
	st := svc.Stream("Orders")
	if after := st.Register("mapping", "TRIM_HORIZON"); after != "" {
		t.Fatalf("new consumer resumes after %q", after)
	}
	var all []string
	for i := range 20 {
		id := fmt.Sprintf("%02d", i)
		all = append(all, id)
		putIDs(t, client, "Orders", id)
		if i%5 == 4 {
			svc.maintain() // seals and compresses full segments
		}
	}
	_, seqs := recordIDs(t, svc, "Orders", "")
	st.Checkpoint("mapping", seqs[9])
	cases := []struct {
		name       string
		after      string
		want       []string
		memoryMost int
	}{
		{"all from the trim horizon", "", all, 4},
		{"after the checkpoint", seqs[9], all[10:], 4},
		{"after a record on disk only", seqs[2], all[3:], 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ids, _ := recordIDs(t, svc, "Orders", c.after)
			if !slices.Equal(ids, c.want) {
				t.Fatalf("records %v, want %v", ids, c.want)
			}
			if n := st.MemoryRecords(); n > c.memoryMost {
				t.Fatalf("%d records in memory, want ≤ %d", n, c.memoryMost)
			}
		})
	}
	gz, _ := filepath.Glob(filepath.Join(dir, "dynamodb", streamLogDir, "Orders", "*.jsonl.gz"))
	if len(gz) == 0 {
		t.Fatal("no sealed, compressed segment")
	}
	_ = svc.Close()

	svc2, _ := startService(t, Options{DataDir: dir}, spec)
	st2 := svc2.Stream("Orders")
	if after := st2.Register("mapping", "TRIM_HORIZON"); after != seqs[9] {
		t.Fatalf("consumer resumes after %s, want its checkpoint %s", after, seqs[9])
	}
	if ids, _ := recordIDs(t, svc2, "Orders", ""); !slices.Equal(ids, all) {
		t.Fatalf("records after restart %v", ids)
	}
	if n := st2.MemoryRecords(); n > 4 {
		t.Fatalf("%d records in memory after restart", n)
	}
}

// Segments older than the retention period are dropped ("Change data capture for DynamoDB
// Streams": 24 hours); reads start at the oldest retained record.
func TestStreamRetentionDropsOldSegments(t *testing.T) {
	defer func(b int64) { segmentBytes = b }(segmentBytes)
	segmentBytes = 200
	var now atomic.Int64
	now.Store(1_700_000_000)
	clock := func() time.Time { return time.Unix(now.Load(), 0) }
	dir := t.TempDir()
	svc, client := startService(t, Options{DataDir: dir, Now: clock}, ordersSpec("Orders", "KEYS_ONLY"))
	putIDs(t, client, "Orders", "old1", "old2")
	svc.maintain()
	now.Add(int64(25 * time.Hour / time.Second))
	putIDs(t, client, "Orders", "new")
	svc.maintain()
	if ids, _ := recordIDs(t, svc, "Orders", ""); !slices.Equal(ids, []string{"new"}) {
		t.Fatalf("records after 25 h: %v", ids)
	}
}

// A table deleted through the API takes its stream log along; a table created again under the
// same name gets a new stream, as on AWS.
func TestDeletedTableDropsItsStreamLog(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	var tick atomic.Int64 // every reading of the clock is a second later: distinct stream labels
	clock := func() time.Time { return time.Unix(1_700_000_000+tick.Add(1), 0) }
	svc, client := startService(t, Options{DataDir: dir, Now: clock})
	create := func() {
		t.Helper()
		if _, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
			TableName:            aws.String("Extra"),
			KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
			AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
			BillingMode:          types.BillingModePayPerRequest,
			StreamSpecification:  &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewImage},
		}); err != nil {
			t.Fatal(err)
		}
	}
	create()
	putIDs(t, client, "Extra", "x")
	oldARN := svc.StreamARN("Extra")
	if _, err := client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("Extra")}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "dynamodb", streamLogDir, "Extra")); !os.IsNotExist(err) {
		t.Fatalf("stream log of a deleted table: %v", err)
	}
	create()
	putIDs(t, client, "Extra", "y")
	newARN := svc.StreamARN("Extra")
	_ = svc.Close()

	svc2, _ := startService(t, Options{DataDir: dir})
	if ids, _ := recordIDs(t, svc2, "Extra", ""); len(ids) != 1 || ids[0] != "y" || newARN == oldARN || svc2.StreamARN("Extra") != newARN {
		t.Fatalf("records %v on %s (old %s, new %s)", ids, svc2.StreamARN("Extra"), oldARN, newARN)
	}
}

// A torn last line (a crash mid-write) is dropped, as in the table log.
func TestStreamLogSurvivesTornTail(t *testing.T) {
	dir := t.TempDir()
	spec := ordersSpec("Orders", "KEYS_ONLY")
	svc, client := startService(t, Options{DataDir: dir}, spec)
	putIDs(t, client, "Orders", "a", "b")
	_ = svc.Close()
	f, err := os.OpenFile(filepath.Join(dir, "dynamodb", streamLogDir, "Orders", segmentName(1)), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString(`{"op":"Record","body":{"eventID":"tor`)
	_ = f.Close()

	svc2, client2 := startService(t, Options{DataDir: dir}, spec)
	putIDs(t, client2, "Orders", "c")
	if ids, _ := recordIDs(t, svc2, "Orders", ""); len(ids) != 3 || ids[2] != "c" {
		t.Fatalf("records after torn tail: %v", ids)
	}
}

// BenchmarkStreamReadSealed reads batches of 25 records a lagging consumer finds only on disk: at
// the start and near the end of a sealed (compressed) segment, and in the active one.
func BenchmarkStreamReadSealed(b *testing.B) {
	svc, err := New(Options{DataDir: b.TempDir(), Logger: quietLogger(), CompactAboveBytes: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer svc.Close()
	if err := svc.CreateTables([]TableSpec{ordersSpec("Orders", "NEW_AND_OLD_IMAGES")}); err != nil {
		b.Fatal(err)
	}
	st := svc.Stream("Orders")
	for i := 0; len(st.disk.segments) < 3 || st.memFirst < st.disk.activeFirst+500; i++ {
		putOrder(b, svc, i)
		if i%1000 == 999 {
			svc.maintain()
		}
	}
	seg := st.disk.segments[1]
	info, err := os.Stat(seg.path)
	if err != nil {
		b.Fatal(err)
	}
	segRecords := st.disk.segments[2].first - seg.first
	for _, c := range []struct {
		name string
		from uint64
	}{
		{"sealed-start", seg.first},
		{"sealed-end", seg.first + segRecords - 30},
		{"active", st.memFirst - 100},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := processCPU()
			for b.Loop() {
				if recs, _, _ := st.readFrom(c.from, 25); len(recs) != 25 {
					b.Fatalf("read %d records from %d", len(recs), c.from)
				}
			}
			// CPU time as well as wall time: the machine running the benchmarks is shared.
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(info.Size()), "sealed-B")
			b.ReportMetric(float64(segRecords), "records/segment")
		})
	}
}

// putOrder writes the i-th write of a run of orders: every order is written twice (booked, then
// paid), so records have old and new images.
func putOrder(b *testing.B, svc *Service, i int) {
	body := fmt.Sprintf(`{"TableName":"Orders","Item":{"id":{"S":"order-%012d"},"customerId":{"S":"customer-%06d"},`+
		`"createdAt":{"S":"2026-11-30T06:%02d:%02d.%03dZ"},"status":{"S":"%s"},"fare":{"N":"%d"},`+
		`"pickup":{"M":{"lat":{"N":"-6.2%05d"},"lng":{"N":"106.8%05d"}}},"note":{"S":"please call on arrival"}}}`,
		i/2, i/2%5000, i/60000%60, i/1000%60, i%1000, [2]string{"BOOKED", "PAID"}[i%2], 20000+i%300*100, i%99991, i%99989)
	if res := svc.dispatch("PutItem", []byte(body)); !res.ok() {
		b.Fatalf("put: %s", res.body)
	}
}

// BenchmarkStreamMemoryWindow is what the in-memory window of decoded records costs: a read of 25
// of them (copies of the records, their maps shared), against decoding 25 from their log entries
// (what a read would cost if memory held them encoded); and, with memoryWindow records held, the
// live heap, objects and GC scan work per record, and the GC CPU per cycle the full window adds.
func BenchmarkStreamMemoryWindow(b *testing.B) {
	svc, st := windowOfOrders(b)
	defer svc.Close()
	var lines [][]byte
	f, err := os.Open(st.disk.active.path)
	if err != nil {
		b.Fatal(err)
	}
	err = scanEntries(f, -1, func(e walEntry, _ int64) error {
		lines = append(lines, mustJSON(e))
		return nil
	})
	f.Close()
	if err != nil || len(lines) != memoryWindow {
		b.Fatalf("%d log entries: %v", len(lines), err)
	}
	b.Run("read-25", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if recs, _, _ := st.readFrom(100, 25); len(recs) != 25 {
				b.Fatalf("read %d records", len(recs))
			}
		}
	})
	b.Run("decode-25", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, line := range lines[100:125] {
				var e walEntry
				var r events.DynamoDBEventRecord
				if json.Unmarshal(line, &e) != nil || json.Unmarshal(e.Body, &r) != nil {
					b.Fatal("decode")
				}
			}
		}
	})
	var encoded int
	for _, line := range lines {
		encoded += len(line)
	}
	b.Run("window", func(b *testing.B) {
		var full, empty heapStats
		for range b.N {
			svc, st := windowOfOrders(b)
			full = measureHeap()
			st.mu.Lock()
			st.dropFront(len(st.records))
			st.mu.Unlock()
			empty = measureHeap()
			_ = svc.Close()
		}
		n := float64(memoryWindow)
		b.ReportMetric(float64(full.live-empty.live)/n, "heap-B/record")
		b.ReportMetric(float64(full.objects-empty.objects)/n, "objects/record")
		b.ReportMetric(float64(full.scan-empty.scan)/n, "gc-scan-B/record")
		b.ReportMetric(float64(full.gcCPU-empty.gcCPU)/1e3, "window-gc-cpu-µs/cycle")
		b.ReportMetric(float64(empty.gcCPU)/1e3, "rest-gc-cpu-µs/cycle")
		b.ReportMetric(float64(encoded)/n, "encoded-B/record")
	})
}

// windowOfOrders is a stream with a data dir holding memoryWindow records in memory.
func windowOfOrders(b *testing.B) (*Service, *Stream) {
	svc, err := New(Options{DataDir: b.TempDir(), Logger: quietLogger(), CompactAboveBytes: -1})
	if err != nil {
		b.Fatal(err)
	}
	if err := svc.CreateTables([]TableSpec{ordersSpec("Orders", "NEW_AND_OLD_IMAGES")}); err != nil {
		b.Fatal(err)
	}
	st := svc.Stream("Orders")
	for i := range memoryWindow {
		putOrder(b, svc, i)
	}
	if n := st.MemoryRecords(); n != memoryWindow {
		b.Fatalf("%d records in memory", n)
	}
	return svc, st
}

type heapStats struct {
	live, objects, scan uint64
	gcCPU               time.Duration // per collection
}

// measureHeap runs garbage collections and returns the live heap, its objects, the heap bytes a
// collection scans, and the process's CPU time per collection (the runtime's own GC CPU metric
// counts wall time, which a busy machine inflates).
func measureHeap() heapStats {
	const cycles = 20
	samples := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/heap/objects:objects"}, {Name: "/gc/scan/heap:bytes"}}
	runtime.GC()
	cpu0 := processCPU()
	for range cycles {
		runtime.GC()
	}
	cpu := (processCPU() - cpu0) / cycles
	metrics.Read(samples)
	return heapStats{live: samples[0].Value.Uint64(), objects: samples[1].Value.Uint64(), scan: samples[2].Value.Uint64(), gcCPU: cpu}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// smallSegments makes stream log segments of a dozen records in gzip members of three, and memory
// hold at most four records, until the test ends.
func smallSegments(t *testing.T) {
	t.Helper()
	w, b, m := memoryWindow, segmentBytes, memberRecords
	t.Cleanup(func() { memoryWindow, segmentBytes, memberRecords = w, b, m })
	memoryWindow, segmentBytes, memberRecords = 4, 5000, 3
}

// sealedStreamLog writes records to the stream of spec in dir until its log has three sealed
// segments and an empty active one, and closes the service. It returns the records' ids by counter
// (the id of counter n is ids[n-1]).
func sealedStreamLog(t *testing.T, dir string, spec TableSpec) []string {
	t.Helper()
	svc, _ := startService(t, Options{DataDir: dir}, spec)
	st := svc.Stream(spec.Name)
	var ids []string
	for i := 0; len(ids) < 1000; i++ {
		id := fmt.Sprintf("r%03d", i)
		if res := svc.dispatch("PutItem", []byte(`{"TableName":"`+spec.Name+`","Item":{"id":{"S":"`+id+`"}}}`)); !res.ok() {
			t.Fatalf("put: %s", res.body)
		}
		ids = append(ids, id)
		if i%3 != 2 {
			continue
		}
		svc.maintain()
		st.mu.Lock()
		done := len(st.disk.segments) >= 3 && st.disk.active.sizeNow() == 0
		st.mu.Unlock()
		if done {
			break
		}
	}
	if err := svc.Close(); err != nil {
		t.Fatal(err)
	}
	return ids
}

type lockedLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A sealed segment is read from its gzip member holding the first record asked for, whatever that
// record; a segment of the format before (one member, no index), or with its index missing, torn
// or not matching it, is read from its start. Either way a consumer catching up from any record
// gets every record from there once, in order, across segment boundaries.
func TestStreamReadsSealedSegmentsFromAnyRecord(t *testing.T) {
	smallSegments(t)
	spec := ordersSpec("Orders", "KEYS_ONLY")
	segPaths := func(dir string) []string {
		gz, _ := filepath.Glob(filepath.Join(dir, "dynamodb", streamLogDir, "Orders", "*"+streamSegmentSuffix+".gz"))
		if len(gz) < 3 {
			t.Fatalf("sealed segments %v", gz)
		}
		return gz
	}
	cases := []struct {
		name     string
		damage   func(t *testing.T, seg, other string) // seg: the second sealed segment; other: the first
		indexed  bool                                  // the second segment is indexed after a restart
		fallback bool                                  // and its index does not match it
	}{
		{"indexed segment", func(*testing.T, string, string) {}, true, false},
		{"segment of the format before", func(t *testing.T, seg, _ string) {
			raw := gunzip(t, seg)
			var b bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
			_, _ = zw.Write(raw)
			_ = zw.Close()
			writeFile(t, seg, b.Bytes())
			removeFile(t, seg+segmentIndexSuffix)
		}, false, false},
		{"index missing", func(t *testing.T, seg, _ string) { removeFile(t, seg+segmentIndexSuffix) }, false, false},
		{"index torn", func(t *testing.T, seg, _ string) {
			raw, err := os.ReadFile(seg + segmentIndexSuffix)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, seg+segmentIndexSuffix, raw[:len(raw)/2])
		}, false, false},
		{"index with the offsets of another segment", func(t *testing.T, seg, other string) {
			idx, theirs := readIndex(t, seg), readIndex(t, other)
			for i := range min(len(idx.Marks), len(theirs.Marks)) {
				if theirs.Marks[i][1] != idx.Marks[i][1] && theirs.Marks[i][1] < uint64(idx.Bytes) {
					idx.Marks[i][1] = theirs.Marks[i][1]
				}
			}
			writeFile(t, seg+segmentIndexSuffix, mustJSON(idx))
		}, true, true},
		{"index naming the wrong records", func(t *testing.T, seg, _ string) {
			idx := readIndex(t, seg)
			for i := range idx.Marks {
				idx.Marks[i][0]++
			}
			writeFile(t, seg+segmentIndexSuffix, mustJSON(idx))
		}, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			ids := sealedStreamLog(t, dir, spec)
			gz := segPaths(dir)
			c.damage(t, gz[1], gz[0])
			var logged lockedLog
			svc, _ := startService(t, Options{DataDir: dir, Logger: slog.New(slog.NewTextHandler(&logged, nil))}, spec)
			st := svc.Stream("Orders")
			segs := st.disk.segments
			seg, end := segs[1], segs[2].first-1
			if indexed := len(seg.marks) > 0; indexed != c.indexed || c.indexed && len(seg.marks) < 3 {
				t.Fatalf("second segment's index %v, want indexed %v", seg.marks, c.indexed)
			}
			if first, next := st.bounds(); first != 1 || next != uint64(len(ids))+1 {
				t.Fatalf("bounds %d..%d, want 1..%d", first, next, len(ids)+1)
			}
			starts := []struct {
				name string
				from uint64
			}{
				{"first record of the log", 1},
				{"last record of the segment before", seg.first - 1},
				{"first record", seg.first},
				{"second record", seg.first + 1},
				{"first record of the second member", seg.first + uint64(memberRecords)},
				{"middle record", (seg.first + end) / 2},
				{"last record", end},
				{"first record of the next segment", end + 1},
			}
			for _, s := range starts {
				t.Run(s.name, func(t *testing.T) {
					recs, next, trimmed := st.readFrom(s.from, 2)
					if trimmed || len(recs) == 0 || next != s.from+uint64(len(recs)) || recs[0].Change.Keys["id"].String() != ids[s.from-1] {
						t.Fatalf("read from %d: %d records to %d (trimmed %v), want %s first", s.from, len(recs), next, trimmed, ids[s.from-1])
					}
					// A consumer catching up in batches.
					var got []string
					for from := s.from; from <= uint64(len(ids)); {
						recs, next, _ := st.readFrom(from, 5)
						if len(recs) == 0 {
							t.Fatalf("no records from %d", from)
						}
						for _, r := range recs {
							got = append(got, r.Change.Keys["id"].String())
						}
						from = next
					}
					if want := ids[s.from-1:]; !slices.Equal(got, want) {
						t.Fatalf("records from %d: %v, want %v", s.from, got, want)
					}
				})
			}
			if warned := strings.Contains(logged.String(), "does not match"); warned != c.fallback {
				t.Fatalf("warned of a mismatching index: %v, want %v", warned, c.fallback)
			}
		})
	}
}

// A log that ends with a sealed segment (no active one) continues the sequence after its last
// record, found from its last member; an index left without its segment (by a crash while
// retention dropped it) goes at the restart.
func TestStreamContinuesAfterSealedSegment(t *testing.T) {
	smallSegments(t)
	dir := t.TempDir()
	spec := ordersSpec("Orders", "KEYS_ONLY")
	ids := sealedStreamLog(t, dir, spec)
	logDir := filepath.Join(dir, "dynamodb", streamLogDir, "Orders")
	removeFile(t, filepath.Join(logDir, segmentName(uint64(len(ids))+1)))
	orphan := filepath.Join(logDir, segmentName(0)+".gz"+segmentIndexSuffix)
	writeFile(t, orphan, []byte(`{"bytes":1,"marks":[]}`))

	svc, client := startService(t, Options{DataDir: dir}, spec)
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Fatalf("orphan index: %v", err)
	}
	putIDs(t, client, "Orders", "next")
	ids = append(ids, "next")
	if got, _ := recordIDs(t, svc, "Orders", ""); !slices.Equal(got, ids) {
		t.Fatalf("records %v, want %v", got, ids)
	}
	if latest := svc.Stream("Orders").Latest(); latest != formatSequence(uint64(len(ids))) {
		t.Fatalf("latest %s, want counter %d", latest, len(ids))
	}
}

func gunzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func readIndex(t *testing.T, seg string) segmentIndex {
	t.Helper()
	var idx segmentIndex
	raw, err := os.ReadFile(seg + segmentIndexSuffix)
	if err == nil {
		err = json.Unmarshal(raw, &idx)
	}
	if err != nil || len(idx.Marks) < 2 {
		t.Fatalf("index of %s: %v %v", seg, idx, err)
	}
	return idx
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func removeFile(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}
