package ddbemu

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

type wantRecord struct {
	event string
	keyID string
	old   map[string]string
	new   map[string]string
}

func summarize(recs []events.DynamoDBEventRecord) []wantRecord {
	out := make([]wantRecord, len(recs))
	for i, r := range recs {
		out[i] = wantRecord{r.EventName, r.Change.Keys["id"].String(), plainImage(r.Change.OldImage), plainImage(r.Change.NewImage)}
	}
	return out
}

func TestWritesProduceExactRecords(t *testing.T) {
	ctx := context.Background()
	svc, client := startService(t, Options{Region: "eu-west-1"}, ordersSpec("Orders", "NEW_AND_OLD_IMAGES"), ordersSpec("Other", ""))
	table := aws.String("Orders")
	key := func(id string) map[string]types.AttributeValue { return map[string]types.AttributeValue{"id": str(id)} }
	var ccf *types.ConditionalCheckFailedException
	var canceled *types.TransactionCanceledException

	steps := []struct {
		name    string
		do      func() error
		wantErr any
		want    []wantRecord
	}{
		{"put new item", func() error {
			_, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: map[string]types.AttributeValue{"id": str("a"), "v": num("1")}})
			return err
		}, nil, []wantRecord{{"INSERT", "a", nil, map[string]string{"id": "a", "v": "1"}}}},
		{"put identical item", func() error {
			_, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: map[string]types.AttributeValue{"id": str("a"), "v": num("1")}})
			return err
		}, nil, nil},
		{"update changes attribute", func() error {
			_, err := client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: table, Key: key("a"),
				UpdateExpression: aws.String("SET v = :v"), ExpressionAttributeValues: map[string]types.AttributeValue{":v": num("2")}})
			return err
		}, nil, []wantRecord{{"MODIFY", "a", map[string]string{"id": "a", "v": "1"}, map[string]string{"id": "a", "v": "2"}}}},
		{"update to same value", func() error {
			_, err := client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: table, Key: key("a"),
				UpdateExpression: aws.String("SET v = :v"), ExpressionAttributeValues: map[string]types.AttributeValue{":v": num("2")}})
			return err
		}, nil, nil},
		{"conditional put fails", func() error {
			_, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: map[string]types.AttributeValue{"id": str("a"), "v": num("9")},
				ConditionExpression: aws.String("attribute_not_exists(id)")})
			return err
		}, &ccf, nil},
		{"delete item", func() error {
			_, err := client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: table, Key: key("a")})
			return err
		}, nil, []wantRecord{{"REMOVE", "a", map[string]string{"id": "a", "v": "2"}, nil}}},
		{"delete missing item", func() error {
			_, err := client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: table, Key: key("a")})
			return err
		}, nil, nil},
		{"batch write across tables", func() error {
			_, err := client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
				"Orders": {
					{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"id": str("b"), "v": num("1")}}},
					{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"id": str("c"), "v": num("1")}}},
				},
				"Other": {{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"id": str("x")}}}},
			}})
			return err
		}, nil, []wantRecord{
			{"INSERT", "b", nil, map[string]string{"id": "b", "v": "1"}},
			{"INSERT", "c", nil, map[string]string{"id": "c", "v": "1"}},
		}},
		{"transaction", func() error {
			_, err := client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Update: &types.Update{TableName: table, Key: key("b"), UpdateExpression: aws.String("SET v = v + :one"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":one": num("1")}}},
				{Delete: &types.Delete{TableName: table, Key: key("c")}},
				{Put: &types.Put{TableName: table, Item: map[string]types.AttributeValue{"id": str("d")}}},
			}})
			return err
		}, nil, []wantRecord{
			{"MODIFY", "b", map[string]string{"id": "b", "v": "1"}, map[string]string{"id": "b", "v": "2"}},
			{"REMOVE", "c", map[string]string{"id": "c", "v": "1"}, nil},
			{"INSERT", "d", nil, map[string]string{"id": "d"}},
		}},
		{"cancelled transaction", func() error {
			_, err := client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: table, Item: map[string]types.AttributeValue{"id": str("e")}}},
				{ConditionCheck: &types.ConditionCheck{TableName: table, Key: key("b"), ConditionExpression: aws.String("v = :nine"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":nine": num("9")}}},
			}})
			return err
		}, &canceled, nil},
	}

	stream := svc.Stream("Orders")
	pos := stream.Latest()
	for _, step := range steps {
		err := step.do()
		switch target := step.wantErr.(type) {
		case nil:
			if err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
		default:
			if !errors.As(err, target) {
				t.Fatalf("%s: err = %v, want %T", step.name, err, target)
			}
		}
		got := stream.Read(pos, 100)
		if s := summarize(got); !reflect.DeepEqual(s, step.want) && !(len(s) == 0 && len(step.want) == 0) {
			t.Fatalf("%s: records = %+v, want %+v", step.name, s, step.want)
		}
		for _, r := range got {
			if r.EventSource != "aws:dynamodb" || r.AWSRegion != "eu-west-1" || r.EventSourceArn != svc.StreamARN("Orders") ||
				r.EventID == "" || r.Change.SizeBytes <= 0 || r.Change.StreamViewType != "NEW_AND_OLD_IMAGES" ||
				r.Change.ApproximateCreationDateTime.IsZero() || r.UserIdentity != nil {
				t.Fatalf("%s: incomplete record %+v", step.name, r)
			}
			if r.Change.SequenceNumber <= pos {
				t.Fatalf("%s: sequence %s not after %s", step.name, r.Change.SequenceNumber, pos)
			}
			pos = r.Change.SequenceNumber
		}
	}
	if svc.Stream("Other") != nil || svc.StreamARN("Other") != "" {
		t.Fatal("table without stream has one")
	}
}

func TestBatchWriteWithDuplicateKeysIsRejected(t *testing.T) {
	ctx := context.Background()
	svc, client := startService(t, Options{}, ordersSpec("Orders", "KEYS_ONLY"))
	item := map[string]types.AttributeValue{"id": str("a")}
	_, err := client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
		"Orders": {{PutRequest: &types.PutRequest{Item: item}}, {DeleteRequest: &types.DeleteRequest{Key: item}}},
	}})
	if err == nil {
		t.Fatal("expected ValidationException")
	}
	if n := len(svc.Stream("Orders").Read("", 10)); n != 0 {
		t.Fatalf("%d records for a rejected batch", n)
	}
}

func TestStreamViewTypes(t *testing.T) {
	cases := []struct {
		view             string
		wantOld, wantNew bool
	}{
		{"KEYS_ONLY", false, false},
		{"NEW_IMAGE", false, true},
		{"OLD_IMAGE", true, false},
		{"NEW_AND_OLD_IMAGES", true, true},
	}
	for _, c := range cases {
		t.Run(c.view, func(t *testing.T) {
			ctx := context.Background()
			svc, client := startService(t, Options{}, ordersSpec("T", c.view))
			for _, v := range []string{"1", "2"} {
				if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("T"),
					Item: map[string]types.AttributeValue{"id": str("k"), "v": num(v)}}); err != nil {
					t.Fatal(err)
				}
			}
			recs := svc.Stream("T").Read("", 10)
			if len(recs) != 2 || recs[1].EventName != "MODIFY" {
				t.Fatalf("records: %+v", summarize(recs))
			}
			r := recs[1].Change
			if r.StreamViewType != c.view || r.Keys["id"].String() != "k" || len(r.Keys) != 1 {
				t.Fatalf("record: %+v", r)
			}
			if (r.OldImage != nil) != c.wantOld || (r.NewImage != nil) != c.wantNew {
				t.Fatalf("old=%v new=%v, want old=%v new=%v", r.OldImage, r.NewImage, c.wantOld, c.wantNew)
			}
			if c.wantOld && r.OldImage["v"].Number() != "1" || c.wantNew && r.NewImage["v"].Number() != "2" {
				t.Fatalf("wrong images: %+v", r)
			}
		})
	}
}

func TestConcurrentWritersKeepPerItemOrder(t *testing.T) {
	ctx := context.Background()
	svc, client := startService(t, Options{}, ordersSpec("Orders", "NEW_IMAGE"))
	const writers, updates = 8, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range updates {
				_, err := client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
					TableName: aws.String("Orders"), Key: map[string]types.AttributeValue{"id": str(fmt.Sprintf("item-%d", w))},
					UpdateExpression:          aws.String("ADD n :one"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":one": num("1")},
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	recs := svc.Stream("Orders").Read("", 0)
	if len(recs) != writers*updates {
		t.Fatalf("%d records, want %d", len(recs), writers*updates)
	}
	next := map[string]int{}
	prevSeq := ""
	for _, r := range recs {
		if r.Change.SequenceNumber <= prevSeq {
			t.Fatalf("sequence %s after %s", r.Change.SequenceNumber, prevSeq)
		}
		prevSeq = r.Change.SequenceNumber
		id := r.Change.Keys["id"].String()
		next[id]++
		if got := r.Change.NewImage["n"].Number(); got != fmt.Sprint(next[id]) {
			t.Fatalf("%s: n = %s, want %d (out of order)", id, got, next[id])
		}
		wantEvent := "MODIFY"
		if next[id] == 1 {
			wantEvent = "INSERT"
		}
		if r.EventName != wantEvent {
			t.Fatalf("%s #%d: %s, want %s", id, next[id], r.EventName, wantEvent)
		}
	}
}

// It runs in a synctest bubble: synctest.Wait tells when the waiter is parked, so the append must wake it.
func TestStreamReadWaitLatest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := newStream("T", "arn", "shard", "KEYS_ONLY")
		if st.Latest() != "" || st.Read("", 10) != nil {
			t.Fatal("new stream not empty")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		if err := st.Wait(ctx, ""); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Wait on empty stream = %v", err)
		}

		done := make(chan error, 1)
		go func() { done <- st.Wait(context.Background(), "") }()
		synctest.Wait() // the waiter is parked
		st.append(events.DynamoDBEventRecord{EventName: "INSERT"}, events.DynamoDBEventRecord{EventName: "MODIFY"}, events.DynamoDBEventRecord{EventName: "REMOVE"})
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(time.Second):
			t.Fatal("Wait did not wake up")
		}

		all := st.Read("", 0)
		if len(all) != 3 || st.Latest() != all[2].Change.SequenceNumber {
			t.Fatalf("records %d, latest %s", len(all), st.Latest())
		}
		tests := []struct {
			after string
			max   int
			want  []string
		}{
			{"", 2, []string{"INSERT", "MODIFY"}},
			{all[0].Change.SequenceNumber, 0, []string{"MODIFY", "REMOVE"}},
			{all[2].Change.SequenceNumber, 0, nil},
			{"garbage", 1, []string{"INSERT"}},
		}
		for _, tc := range tests {
			var got []string
			for _, r := range st.Read(tc.after, tc.max) {
				got = append(got, r.EventName)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Read(%q,%d) = %v, want %v", tc.after, tc.max, got, tc.want)
			}
		}
		ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel2()
		if err := st.Wait(ctx2, st.Latest()); err == nil {
			t.Fatal("Wait after latest returned without a new record")
		}
		if err := st.Wait(context.Background(), all[1].Change.SequenceNumber); err != nil {
			t.Fatal(err)
		}
	})
}

func TestStreamTrimsOldRecords(t *testing.T) {
	st := newStream("T", "arn", "shard", "KEYS_ONLY")
	st.retain = 8
	for range 30 {
		st.append(events.DynamoDBEventRecord{})
	}
	recs := st.Read("", 0)
	if len(recs) < 8 || len(recs) > 10 {
		t.Fatalf("retained %d records", len(recs))
	}
	if recs[len(recs)-1].Change.SequenceNumber != st.Latest() {
		t.Fatal("latest record lost")
	}
	if got := st.Read(formatSequence(1), 0); len(got) != len(recs) {
		t.Fatalf("trimmed position should restart at oldest, got %d", len(got))
	}
}
