package idempotency

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

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
		go func() {
			defer wg.Done()
			_, started, err := s.Begin(context.Background(), "race", "fp", "r")
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
