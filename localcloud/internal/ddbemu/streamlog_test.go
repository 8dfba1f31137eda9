package ddbemu

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
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

// Memory stays capped at restart as while running; the log is cut down to what is kept.
func TestStreamLogKeepsOnlyRetainedRecords(t *testing.T) {
	defer func(n int) { retainedRecords = n }(retainedRecords)
	retainedRecords = 4
	dir := t.TempDir()
	spec := ordersSpec("Orders", "KEYS_ONLY")
	svc, client := startService(t, Options{DataDir: dir}, spec)
	putIDs(t, client, "Orders", "1", "2", "3", "4", "5", "6", "7", "8", "9")
	_, seqs := recordIDs(t, svc, "Orders", "")
	_ = svc.Close()
	logPath := filepath.Join(dir, "dynamodb", streamLogDir, "Orders"+streamLogSuffix)
	before, _ := os.Stat(logPath)

	svc2, _ := startService(t, Options{DataDir: dir}, spec)
	ids, gotSeqs := recordIDs(t, svc2, "Orders", "")
	if len(ids) < 4 || len(ids) > 5 || ids[len(ids)-1] != "9" || gotSeqs[len(gotSeqs)-1] != seqs[len(seqs)-1] {
		t.Fatalf("retained after restart: %v", ids)
	}
	after, _ := os.Stat(logPath)
	if after.Size() >= before.Size() {
		t.Fatalf("stream log not cut down: %d → %d bytes", before.Size(), after.Size())
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
	if _, err := os.Stat(filepath.Join(dir, "dynamodb", streamLogDir, "Extra"+streamLogSuffix)); !os.IsNotExist(err) {
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
	f, err := os.OpenFile(filepath.Join(dir, "dynamodb", streamLogDir, "Orders"+streamLogSuffix), os.O_APPEND|os.O_WRONLY, 0)
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
