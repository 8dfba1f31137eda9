package ddbemu

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// fakeNow is a settable clock, safe for concurrent use.
type fakeNow struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeNow) now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }
func (f *fakeNow) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}

func txUpdate(id string) types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{
		TableName: aws.String("Orders"), Key: map[string]types.AttributeValue{"id": str(id)},
		UpdateExpression: aws.String("ADD #n :one"), ExpressionAttributeNames: map[string]string{"#n": "n"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": num("1")},
	}}
}

// DynamoDB developer guide, "Transaction conflict handling in DynamoDB": a PutItem, UpdateItem or
// DeleteItem on an item an ongoing TransactWriteItems includes fails with TransactionConflictException;
// a TransactWriteItems on such an item fails with TransactionCanceledException, reason TransactionConflict.
func TestTransactionConflictHandling(t *testing.T) {
	const hold = 100 * time.Millisecond
	put := func(c *dynamodb.Client, id string) error {
		_, err := c.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("Orders"),
			Item: map[string]types.AttributeValue{"id": str(id), "n": num("9")}})
		return err
	}
	update := func(c *dynamodb.Client, id string) error {
		_, err := c.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{TableName: aws.String("Orders"),
			Key: map[string]types.AttributeValue{"id": str(id)}, UpdateExpression: aws.String("SET #s = :s"),
			ExpressionAttributeNames:  map[string]string{"#s": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":s": str("x")}})
		return err
	}
	del := func(c *dynamodb.Client, id string) error {
		_, err := c.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: aws.String("Orders"),
			Key: map[string]types.AttributeValue{"id": str(id)}})
		return err
	}
	tests := []struct {
		name         string
		rate         float64
		write        func(*dynamodb.Client, string) error
		id           string
		after        time.Duration // time since the transaction committed
		wantConflict bool
	}{
		{name: "PutItem on a held item", rate: 1, write: put, id: "a", wantConflict: true},
		{name: "UpdateItem on a held item", rate: 1, write: update, id: "b", wantConflict: true},
		{name: "DeleteItem on a held item", rate: 1, write: del, id: "a", wantConflict: true},
		{name: "an item the transaction does not include", rate: 1, write: put, id: "c"},
		{name: "after the hold", rate: 1, write: put, id: "a", after: hold},
		{name: "off by default", write: update, id: "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeNow{t: time.Unix(1_700_000_000, 0)}
			_, client := startService(t, Options{Now: clock.now, TransactionConflictRate: tt.rate, TransactionHold: hold},
				ordersSpec("Orders", "NEW_AND_OLD_IMAGES"))
			ctx := context.Background()
			if _, err := client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{
				TransactItems: []types.TransactWriteItem{txUpdate("a"), txUpdate("b")}}); err != nil {
				t.Fatal(err)
			}
			clock.advance(tt.after)
			err := tt.write(client, tt.id)
			var conflict *types.TransactionConflictException
			if errors.As(err, &conflict) != tt.wantConflict || (!tt.wantConflict && err != nil) {
				t.Fatalf("err = %v, want conflict %v", err, tt.wantConflict)
			}
		})
	}
}

func TestTransactionConflictCancelsTheSecondTransaction(t *testing.T) {
	clock := &fakeNow{t: time.Unix(1_700_000_000, 0)}
	_, client := startService(t, Options{Now: clock.now, TransactionConflictRate: 1}, ordersSpec("Orders", ""))
	ctx := context.Background()
	if _, err := client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{
		TransactItems: []types.TransactWriteItem{txUpdate("a")}}); err != nil {
		t.Fatal(err)
	}
	_, err := client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{
		TransactItems: []types.TransactWriteItem{txUpdate("c"), txUpdate("a")}})
	var canceled *types.TransactionCanceledException
	if !errors.As(err, &canceled) {
		t.Fatalf("err = %v, want TransactionCanceledException", err)
	}
	var codes []string
	for _, r := range canceled.CancellationReasons {
		codes = append(codes, aws.ToString(r.Code))
	}
	if len(codes) != 2 || codes[0] != "None" || codes[1] != "TransactionConflict" {
		t.Fatalf("reasons %v, want [None TransactionConflict]", codes)
	}
	got, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("Orders"), Key: map[string]types.AttributeValue{"id": str("c")}})
	if err != nil || got.Item != nil {
		t.Fatalf("the cancelled transaction wrote c: %v %v", got.Item, err)
	}
}

func TestTransactionConflictRateIsAProbability(t *testing.T) {
	clock := &fakeNow{t: time.Unix(1_700_000_000, 0)}
	const rate, tries = 0.3, 400
	svc, client := startService(t, Options{Now: clock.now, TransactionConflictRate: rate}, ordersSpec("Orders", ""))
	ctx := context.Background()
	if _, err := client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{
		TransactItems: []types.TransactWriteItem{txUpdate("a")}}); err != nil {
		t.Fatal(err)
	}
	conflicts := 0
	for range tries {
		_, err := client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("Orders"),
			Key: map[string]types.AttributeValue{"id": str("a")}, UpdateExpression: aws.String("ADD #n :one"),
			ExpressionAttributeNames:  map[string]string{"#n": "n"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": num("1")}})
		var conflict *types.TransactionConflictException
		switch {
		case errors.As(err, &conflict):
			conflicts++
		case err != nil:
			t.Fatal(err)
		}
	}
	if n := svc.TransactionConflicts(); n != int64(conflicts) {
		t.Errorf("TransactionConflicts() = %d, want %d", n, conflicts)
	}
	if got := float64(conflicts) / tries; got < rate-0.1 || got > rate+0.1 {
		t.Fatalf("%d of %d writes conflicted (%.2f), want about %.1f", conflicts, tries, got, rate)
	}
}
