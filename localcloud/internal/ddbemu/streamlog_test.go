package ddbemu

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

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
		// Every order is written twice (booked, then paid): records with old and new images.
		body := fmt.Sprintf(`{"TableName":"Orders","Item":{"id":{"S":"order-%012d"},"customerId":{"S":"customer-%06d"},`+
			`"createdAt":{"S":"2026-11-30T06:%02d:%02d.%03dZ"},"status":{"S":"%s"},"fare":{"N":"%d"},`+
			`"pickup":{"M":{"lat":{"N":"-6.2%05d"},"lng":{"N":"106.8%05d"}}},"note":{"S":"please call on arrival"}}}`,
			i/2, i/2%5000, i/60000%60, i/1000%60, i%1000, [2]string{"BOOKED", "PAID"}[i%2], 20000+i%300*100, i%99991, i%99989)
		if res := svc.dispatch("PutItem", []byte(body)); !res.ok() {
			b.Fatalf("put: %s", res.body)
		}
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

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
