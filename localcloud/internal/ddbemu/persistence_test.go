package ddbemu

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func writeSampleData(t *testing.T, client *dynamodb.Client) {
	t.Helper()
	ctx := context.Background()
	orders := aws.String("Orders")
	steps := []func() error{
		func() error {
			_, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: orders, Item: map[string]types.AttributeValue{
				"id": str("o1"), "customerId": str("c1"), "createdAt": str("2024-01-01T00:00:00.000Z"), "version": num("1")}})
			return err
		},
		func() error {
			_, err := client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: orders, Key: map[string]types.AttributeValue{"id": str("o1")},
				UpdateExpression: aws.String("SET version = version + :one"), ExpressionAttributeValues: map[string]types.AttributeValue{":one": num("1")}})
			return err
		},
		func() error {
			_, err := client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"Orders": {
				{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"id": str("o2"), "customerId": str("c2"), "createdAt": str("2024-01-02T00:00:00.000Z")}}},
				{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"id": str("o3")}}},
			}}})
			return err
		},
		func() error {
			_, err := client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: orders, Key: map[string]types.AttributeValue{"id": str("o3")}})
			return err
		},
		func() error { // fails: must not be persisted
			_, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: orders, Item: map[string]types.AttributeValue{"id": str("o1")},
				ConditionExpression: aws.String("attribute_not_exists(id)")})
			if err == nil {
				t.Error("conditional put should fail")
			}
			return nil
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
}

func reopen(t *testing.T, opts Options, specs ...TableSpec) (*Service, *dynamodb.Client) {
	t.Helper()
	return startService(t, opts, specs...)
}

func TestPersistenceRoundTrip(t *testing.T) {
	dir := t.TempDir()
	spec := ordersSpec("Orders", "NEW_AND_OLD_IMAGES")
	svc, client := startService(t, Options{DataDir: dir}, spec)
	writeSampleData(t, client)
	want, err := svc.Scan("Orders")
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 2 || want[0]["version"] != json.Number("2") {
		t.Fatalf("unexpected data before restart: %v", want)
	}
	wantRecs, wantARN := svc.Stream("Orders").Read("", 0), svc.StreamARN("Orders")
	if err := svc.Close(); err != nil {
		t.Fatal(err)
	}

	svc2, client2 := reopen(t, Options{DataDir: dir}, spec)
	got, err := svc2.Scan("Orders")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after restart:\n got %v\nwant %v", got, want)
	}
	// Replay emits no records: the stream holds exactly the persisted ones, under the same ARN.
	gotRecs := svc2.Stream("Orders").Read("", 0)
	if len(gotRecs) != len(wantRecs) || svc2.StreamARN("Orders") != wantARN {
		t.Fatalf("after restart: %d records on %s, want %d on %s", len(gotRecs), svc2.StreamARN("Orders"), len(wantRecs), wantARN)
	}
	for i := range gotRecs {
		g, w := gotRecs[i], wantRecs[i]
		if g.EventID != w.EventID || g.Change.SequenceNumber != w.Change.SequenceNumber ||
			!reflect.DeepEqual(summarize(gotRecs[i:i+1]), summarize(wantRecs[i:i+1])) {
			t.Fatalf("record %d after restart: %+v, want %+v", i, g, w)
		}
	}
	// The GSI is rebuilt by replay.
	out, err := client2.Query(context.Background(), &dynamodb.QueryInput{
		TableName: aws.String("Orders"), IndexName: aws.String("customerId-createdAt-index"),
		KeyConditionExpression:    aws.String("customerId = :c"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": str("c2")},
	})
	if err != nil || len(out.Items) != 1 {
		t.Fatalf("GSI after restart: %v %v", out, err)
	}
	_ = svc2.Close()

	svc3, _ := reopen(t, Options{DataDir: dir, Reset: true}, spec)
	if rows, _ := svc3.Scan("Orders"); len(rows) != 0 {
		t.Fatalf("Reset kept %d rows", len(rows))
	}
}

func TestPersistenceSurvivesTornTail(t *testing.T) {
	dir := t.TempDir()
	spec := ordersSpec("Orders", "")
	svc, client := startService(t, Options{DataDir: dir}, spec)
	writeSampleData(t, client)
	want, _ := svc.Scan("Orders")
	_ = svc.Close()

	logPath := filepath.Join(dir, "dynamodb", walFileName)
	f, err := os.OpenFile(logPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString(`{"op":"PutItem","body":{"TableName":"Orders","Item":{"id":{"S":"torn`)
	_ = f.Close()

	svc2, client2 := reopen(t, Options{DataDir: dir}, spec)
	if got, _ := svc2.Scan("Orders"); !reflect.DeepEqual(got, want) {
		t.Fatalf("after torn tail: %v", got)
	}
	if _, err := client2.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("Orders"),
		Item: map[string]types.AttributeValue{"id": str("o9")}}); err != nil {
		t.Fatal(err)
	}
	_ = svc2.Close()

	svc3, _ := reopen(t, Options{DataDir: dir}, spec)
	got, _ := svc3.Scan("Orders")
	if len(got) != len(want)+1 || got[len(got)-1]["id"] != "o9" {
		t.Fatalf("write after torn tail lost: %v", got)
	}
}

func TestCompactionKeepsState(t *testing.T) {
	dir := t.TempDir()
	spec := ordersSpec("Orders", "")
	svc, client := startService(t, Options{DataDir: dir}, spec)
	writeSampleData(t, client)
	if _, err := client.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String("Extra"),
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("k"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("k"), AttributeType: types.ScalarAttributeTypeS}},
		BillingMode:          types.BillingModePayPerRequest,
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("Extra"),
		Item: map[string]types.AttributeValue{"k": str("x")}}); err != nil {
		t.Fatal(err)
	}
	stats, err := svc.Compact()
	if err != nil || stats.Items != 3 {
		t.Fatalf("Compact() = %+v, %v", stats, err)
	}
	// Written after the snapshot: in the next log generation.
	if _, err := client.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("Orders"),
		Item: map[string]types.AttributeValue{"id": str("after")}}); err != nil {
		t.Fatal(err)
	}
	want, _ := svc.Scan("Orders")
	_ = svc.Close()
	files, _ := filepath.Glob(filepath.Join(dir, "dynamodb", "*-*"))
	for i, f := range files {
		files[i] = filepath.Base(f)
	}
	if !slices.Equal(files, []string{snapshotName(1), walName(1)}) {
		t.Fatalf("data files after compaction: %v", files)
	}

	svc3, _ := reopen(t, Options{DataDir: dir}, spec)
	if got, _ := svc3.Scan("Orders"); !reflect.DeepEqual(got, want) {
		t.Fatalf("after compaction: %v, want %v", got, want)
	}
	if extra, err := svc3.Scan("Extra"); err != nil || len(extra) != 1 {
		t.Fatalf("API-created table after compaction: %v %v", extra, err)
	}
}
