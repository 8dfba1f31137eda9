package ddbemu

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Writes to different tables run in parallel; writes to one table must still produce a stream whose
// records chain: every MODIFY's old image is the previous record's new image, in sequence order.
func TestConcurrentWritesKeepEachStreamConsistent(t *testing.T) {
	const writers, perWriter = 6, 20
	tables := []string{"OrdersA", "OrdersB"}
	svc, client := startService(t, Options{}, ordersSpec(tables[0], "NEW_AND_OLD_IMAGES"), ordersSpec(tables[1], "NEW_AND_OLD_IMAGES"))
	ctx := context.Background()
	keys := []string{"k1", "k2"}

	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter*len(tables))
	for _, table := range tables {
		for w := range writers {
			wg.Go(func() {
				for i := range perWriter {
					_, err := client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
						TableName:                 aws.String(table),
						Key:                       map[string]types.AttributeValue{"id": str(keys[(w+i)%len(keys)])},
						UpdateExpression:          aws.String("ADD #n :one"),
						ExpressionAttributeNames:  map[string]string{"#n": "n"},
						ExpressionAttributeValues: map[string]types.AttributeValue{":one": num("1")},
					})
					if err != nil {
						errs <- err
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	for _, table := range tables {
		recs := svc.Stream(table).Read("", 0)
		if want := writers * perWriter; len(recs) != want {
			t.Fatalf("%s: %d records, want %d", table, len(recs), want)
		}
		last := map[string]int{} // key → n of its last new image
		prevSeq := ""
		for _, r := range recs {
			if r.Change.SequenceNumber <= prevSeq {
				t.Fatalf("%s: sequence %s after %s", table, r.Change.SequenceNumber, prevSeq)
			}
			prevSeq = r.Change.SequenceNumber
			key := r.Change.Keys["id"].String()
			n, _ := strconv.Atoi(r.Change.NewImage["n"].Number())
			old := 0
			if r.Change.OldImage != nil {
				old, _ = strconv.Atoi(r.Change.OldImage["n"].Number())
			}
			if old != last[key] || n != old+1 {
				t.Fatalf("%s %s: record %s old %d new %d after new %d", table, key, r.Change.SequenceNumber, old, n, last[key])
			}
			last[key] = n
		}
		if got := fmt.Sprint(last["k1"] + last["k2"]); got != strconv.Itoa(writers*perWriter) {
			t.Fatalf("%s: final counters sum %s", table, got)
		}
	}
}
