package idempotency

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/calltaxi/call-taxi/shared/ddbtest"
)

func newStore(t *testing.T) (*Store, *time.Time) {
	client := ddbtest.New(t, ddbtest.Table{Name: "idem", Hash: "key"})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := New(client, "idem", 24*time.Hour, 30*time.Second)
	s.now = func() time.Time { return now }
	return s, &now
}

func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	s, now := newStore(t)

	rec, started, err := s.Begin(ctx, "k1", "fp", "order-A")
	if err != nil || !started || rec.Ref != "order-A" {
		t.Fatalf("first Begin = %+v %v %v", rec, started, err)
	}
	if _, _, err := s.Begin(ctx, "k1", "fp", "order-B"); !errors.Is(err, ErrInProgress) {
		t.Fatalf("concurrent Begin err = %v, want ErrInProgress", err)
	}
	if _, _, err := s.Begin(ctx, "k1", "other", "order-B"); !errors.Is(err, ErrMismatch) {
		t.Fatalf("different fingerprint err = %v, want ErrMismatch", err)
	}

	// The attempt fails and releases: the next repeat takes over and keeps the first ref.
	if err := s.Release(ctx, "k1"); err != nil {
		t.Fatal(err)
	}
	rec, started, err = s.Begin(ctx, "k1", "fp", "order-C")
	if err != nil || !started || rec.Ref != "order-A" {
		t.Fatalf("takeover Begin = %+v %v %v, want ref order-A", rec, started, err)
	}

	if err := s.Complete(ctx, "k1", map[string]string{"id": "order-A"}); err != nil {
		t.Fatal(err)
	}
	rec, started, err = s.Begin(ctx, "k1", "fp", "order-D")
	if err != nil || started || rec.Status != Completed || string(rec.Result) != `{"id":"order-A"}` {
		t.Fatalf("replay Begin = %+v %v %v", rec, started, err)
	}

	// An abandoned attempt (crashed, never released) is taken over once its lease ends.
	if _, _, err := s.Begin(ctx, "k2", "fp", "order-E"); err != nil {
		t.Fatal(err)
	}
	*now = now.Add(31 * time.Second)
	rec, started, err = s.Begin(ctx, "k2", "fp", "order-F")
	if err != nil || !started || rec.Ref != "order-E" {
		t.Fatalf("lease-expired Begin = %+v %v %v", rec, started, err)
	}
}

func TestConcurrentBeginsHaveOneWinner(t *testing.T) {
	s, _ := newStore(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	winners := 0
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() { // each attempt with its own ref, as every caller chooses one
			defer wg.Done()
			_, started, err := s.Begin(context.Background(), "race", "fp", fmt.Sprint("r", i))
			if started && err == nil {
				mu.Lock()
				winners++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if winners != 1 {
		t.Errorf("winners = %d, want 1", winners)
	}
}

// DynamoDB developer guide, "Working with expired items": TTL deletes expired items lazily (typically
// within a few days), so a key reused after its window may find its old record still there. It is free:
// the new attempt starts with its own ref and no result.
func TestKeyReusedAfterExpiryWhileTheRecordIsStillPresent(t *testing.T) {
	const ttl, lease = 24 * time.Hour, 30 * time.Second
	tests := []struct {
		name        string
		complete    bool // the first attempt finished
		fingerprint string
		after       time.Duration
		wantStarted bool
		wantRef     string
		wantErr     error
	}{
		{name: "completed, reused after expiry", complete: true, fingerprint: "fp", after: ttl + time.Hour, wantStarted: true, wantRef: "order-new"},
		{name: "completed, reused after expiry with another request", complete: true, fingerprint: "other", after: ttl + time.Hour, wantStarted: true, wantRef: "order-new"},
		{name: "abandoned, reused after expiry", fingerprint: "fp", after: ttl + time.Second, wantStarted: true, wantRef: "order-new"},
		{name: "completed, within the window: replayed", complete: true, fingerprint: "fp", after: ttl - time.Second, wantRef: "order-old"},
		{name: "abandoned, within the window: taken over with its ref", fingerprint: "fp", after: ttl - time.Second, wantStarted: true, wantRef: "order-old"},
		{name: "completed, within the window, another request", complete: true, fingerprint: "other", after: ttl - time.Second, wantErr: ErrMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, now := newStore(t)
			if _, started, err := s.Begin(ctx, "k", "fp", "order-old"); err != nil || !started {
				t.Fatalf("first Begin: %v %v", started, err)
			}
			if tt.complete {
				if err := s.Complete(ctx, "k", map[string]string{"id": "order-old"}); err != nil {
					t.Fatal(err)
				}
			}
			*now = now.Add(tt.after)
			rec, started, err := s.Begin(ctx, "k", tt.fingerprint, "order-new")
			if !errors.Is(err, tt.wantErr) || started != tt.wantStarted {
				t.Fatalf("Begin = %+v, started %v, err %v; want started %v, err %v", rec, started, err, tt.wantStarted, tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			if rec.Ref != tt.wantRef {
				t.Errorf("ref %q, want %q", rec.Ref, tt.wantRef)
			}
			// The claim also removes the old result; the embedded engine (minidyn v0.8.2) ignores REMOVE, and
			// a result is only ever read from a COMPLETED record, so it is not checked here.
			if started && (rec.Status != InProgress || rec.Fingerprint != tt.fingerprint || rec.ExpiresAt != now.Add(ttl).Unix()) {
				t.Errorf("claimed record %+v, want a fresh IN_PROGRESS record expiring in %v", rec, ttl)
			}
			if started {
				if _, again, err := s.Begin(ctx, "k", tt.fingerprint, "order-third"); again || !errors.Is(err, ErrInProgress) {
					t.Errorf("a repeat during the new attempt: started %v, err %v, want ErrInProgress", again, err)
				}
			}
		})
	}
}

// counting counts the DynamoDB calls the store makes.
type counting struct {
	*dynamodb.Client
	calls []string
}

func (c *counting) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	c.calls = append(c.calls, "UpdateItem")
	return c.Client.UpdateItem(ctx, in, opts...)
}

func (c *counting) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.calls = append(c.calls, "GetItem")
	return c.Client.GetItem(ctx, in, opts...)
}

// A claim written in a transaction with the work it guards (ClaimItem), and a result with the work's last
// write (CompleteItem), answer every repeat as Begin does. A cancelled claim's reason carries the record
// (ReturnValuesOnConditionCheckFailure ALL_OLD), so Taken replays or refuses without another call, and
// only an abandoned attempt costs the takeover's write.
func TestClaimAndCompleteInATransaction(t *testing.T) {
	const ttl, lease = 24 * time.Hour, 30 * time.Second
	tests := []struct {
		name        string
		first       string        // "" no earlier claim, "abandoned", "running", "completed", "own" (this call's, committed)
		after       time.Duration // since the first claim
		fingerprint string
		wantClaimed bool   // the transaction committed
		wantStarted bool   // Taken took over (the transaction was cancelled)
		wantErr     error  // Taken's
		wantRef     string // of the record worked on or replayed
		wantCalls   []string
	}{
		{name: "free key", fingerprint: "fp", wantClaimed: true, wantRef: "new"},
		{name: "completed: replayed", first: "completed", after: time.Minute, fingerprint: "fp", wantRef: "old", wantCalls: []string{}},
		{name: "running: in progress", first: "running", after: time.Second, fingerprint: "fp", wantErr: ErrInProgress, wantCalls: []string{}},
		{name: "another request: mismatch", first: "completed", after: time.Minute, fingerprint: "other", wantErr: ErrMismatch, wantCalls: []string{}},
		{name: "this call's own claim, committed by a try whose answer was lost", first: "own", after: time.Second, fingerprint: "fp", wantStarted: true, wantRef: "new", wantCalls: []string{}},
		{name: "abandoned: taken over with its ref", first: "abandoned", after: lease + time.Second, fingerprint: "fp", wantStarted: true, wantRef: "old", wantCalls: []string{"UpdateItem"}},
		{name: "expired completed record: free", first: "completed", after: ttl + time.Second, fingerprint: "other", wantClaimed: true, wantRef: "new"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := &counting{Client: ddbtest.New(t, ddbtest.Table{Name: "idem", Hash: "key"}, ddbtest.Table{Name: "work", Hash: "id"})}
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			s := New(db, "idem", ttl, lease)
			s.now = func() time.Time { return now }
			if tt.first != "" {
				ref := "old"
				if tt.first == "own" {
					ref = "new"
				}
				if _, started, err := s.Begin(ctx, "k", "fp", ref); err != nil || !started {
					t.Fatalf("first Begin: %v %v", started, err)
				}
				if tt.first == "completed" {
					if err := s.Complete(ctx, "k", map[string]string{"id": "old"}); err != nil {
						t.Fatal(err)
					}
				}
			}
			now = now.Add(tt.after)
			db.calls = nil

			claim, err := s.ClaimItem("k", tt.fingerprint, "new")
			if err != nil {
				t.Fatal(err)
			}
			_, err = db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: aws.String("work"), Item: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "new"}}}},
				claim,
			}})
			if tt.wantClaimed {
				if err != nil {
					t.Fatalf("transaction: %v", err)
				}
				if rec, err := s.get(ctx, "k"); err != nil || rec.Ref != tt.wantRef || rec.Status != InProgress || rec.Fingerprint != tt.fingerprint || rec.ExpiresAt != now.Add(ttl).Unix() {
					t.Errorf("claimed record %+v (%v)", rec, err)
				}
				return
			}
			canceled, ok := errors.AsType[*types.TransactionCanceledException](err)
			if !ok || len(canceled.CancellationReasons) != 2 || aws.ToString(canceled.CancellationReasons[1].Code) != "ConditionalCheckFailed" {
				t.Fatalf("transaction err = %v, want cancelled for the claim", err)
			}
			if got, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("work"), Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "new"}}}); err != nil || got.Item != nil {
				t.Errorf("the work was written although its claim failed: %v %v", got.Item, err)
			}
			db.calls = []string{}
			rec, started, err := s.Taken(ctx, "k", tt.fingerprint, "new", canceled.CancellationReasons[1].Item)
			if started != tt.wantStarted || !errors.Is(err, tt.wantErr) {
				t.Fatalf("Taken = %+v, started %v, err %v; want started %v, err %v", rec, started, err, tt.wantStarted, tt.wantErr)
			}
			if tt.wantErr == nil && rec.Ref != tt.wantRef {
				t.Errorf("ref %q, want %q", rec.Ref, tt.wantRef)
			}
			if !slices.Equal(db.calls, tt.wantCalls) {
				t.Errorf("calls %v, want %v", db.calls, tt.wantCalls)
			}
			// Without the record from the cancellation, Taken reads it and answers the same.
			if tt.wantStarted && tt.first != "own" {
				return // a second takeover is refused: the first holds the lease now
			}
			rec2, started2, err2 := s.Taken(ctx, "k", tt.fingerprint, "new", nil)
			if started2 != started || !errors.Is(err2, tt.wantErr) || rec2.Ref != rec.Ref {
				t.Errorf("Taken without the record = %+v %v %v, want %+v %v %v", rec2, started2, err2, rec, started, err)
			}
		})
	}
}

func TestCompleteItemStoresTheAnswerWithTheWork(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	if _, started, err := s.Begin(ctx, "k", "fp", "order-A"); err != nil || !started {
		t.Fatalf("Begin: %v %v", started, err)
	}
	done, err := s.CompleteItem("k", map[string]string{"id": "order-A"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.(*dynamodb.Client).TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{done}}); err != nil {
		t.Fatal(err)
	}
	rec, started, err := s.Begin(ctx, "k", "fp", "order-B")
	if err != nil || started || rec.Status != Completed || string(rec.Result) != `{"id":"order-A"}` {
		t.Fatalf("replay Begin = %+v %v %v", rec, started, err)
	}
}

// A record is written in transactions now, so its single writes retry conflicts as every store's do.
func TestSingleWritesRetryTransactionConflicts(t *testing.T) {
	tests := []struct {
		name  string
		write func(ctx context.Context, s *Store) error
	}{
		{"begin", func(ctx context.Context, s *Store) error {
			_, started, err := s.Begin(ctx, "k2", "fp", "r")
			if err == nil && !started {
				err = errors.New("not started")
			}
			return err
		}},
		{"complete", func(ctx context.Context, s *Store) error { return s.Complete(ctx, "k", "done") }},
		{"release", func(ctx context.Context, s *Store) error { return s.Release(ctx, "k") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := &ddbtest.Conflicting{Client: ddbtest.New(t, ddbtest.Table{Name: "idem", Hash: "key"})}
			s := New(db, "idem", time.Hour, time.Minute)
			if _, _, err := s.Begin(ctx, "k", "fp", "r"); err != nil {
				t.Fatal(err)
			}
			db.Writes, db.Conflicts = 0, 2
			if err := tt.write(ctx, s); err != nil {
				t.Fatalf("%s after 2 conflicts: %v", tt.name, err)
			}
			if db.Writes != 3 {
				t.Errorf("%d calls, want 3", db.Writes)
			}
		})
	}
}
