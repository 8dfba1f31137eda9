package main

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func lifecycle() []SourceRecord {
	return []SourceRecord{
		orderRec(1, "PENDING_PAYMENT", 0), paymentRec(2, "APPROVED", 1), orderRec(2, "PAID", 2),
		reservationRec(1, "REQUESTED", 3), withTaxi(reservationRec(2, "ASSIGNING", 4)), withTaxi(reservationRec(3, "CONFIRMED", 5)),
	}
}

func batch(t *testing.T, recs []SourceRecord) events.DynamoDBEvent {
	var ev events.DynamoDBEvent
	for i, r := range recs {
		ev.Records = append(ev.Records, streamRecord(t, "MODIFY", fmt.Sprintf("%03d", i+1), r))
	}
	return ev
}

func failedSeqs(resp events.DynamoDBEventResponse) []string {
	seqs := []string{}
	for _, f := range resp.BatchItemFailures {
		seqs = append(seqs, f.ItemIdentifier)
	}
	return seqs
}

func mustGet(t *testing.T, store Store, orderID string) View {
	t.Helper()
	v, found, err := store.Get(context.Background(), orderID)
	if err != nil || !found {
		t.Fatalf("get view %s: found=%v err=%v", orderID, found, err)
	}
	return v
}

func TestStreamHandler(t *testing.T) {
	undecodable := streamRecord(t, "MODIFY", "002", orderRec(2, "PAID", 1))
	undecodable.Change.NewImage["version"] = events.NewStringAttribute("two")
	removed := streamRecord(t, "REMOVE", "001", nil)
	removed.Change.OldImage = toStreamImage(t, orderRec(2, "PAID", 1))

	tests := []struct {
		name        string
		deliveries  []events.DynamoDBEvent
		wantFound   bool
		wantStatus  string
		wantRev     int64
		wantHistory int
	}{
		{
			name:       "lifecycle in one batch",
			deliveries: []events.DynamoDBEvent{batch(t, lifecycle())},
			wantFound:  true, wantStatus: StatusConfirmed, wantRev: 6, wantHistory: 3,
		},
		{
			name:       "replayed batch changes nothing",
			deliveries: []events.DynamoDBEvent{batch(t, lifecycle()), batch(t, lifecycle())},
			wantFound:  true, wantStatus: StatusConfirmed, wantRev: 6, wantHistory: 3,
		},
		{
			name:       "REMOVE is ignored",
			deliveries: []events.DynamoDBEvent{{Records: []events.DynamoDBEventRecord{removed}}},
			wantFound:  false,
		},
		{
			name: "undecodable and foreign records are skipped, the rest applied",
			deliveries: []events.DynamoDBEvent{{Records: []events.DynamoDBEventRecord{
				streamRecord(t, "INSERT", "001", SourceRecord{Entity: "taxi", ID: "taxi-1", Version: 1}),
				undecodable,
				streamRecord(t, "MODIFY", "003", paymentRec(2, "APPROVED", 2)),
			}}},
			wantFound: true, wantStatus: StatusPaid, wantRev: 1, wantHistory: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newTestStore(t)
			h := NewStreamHandler(NewService(store, nil), quietLogger())
			for _, ev := range tt.deliveries {
				resp, err := h.Handle(context.Background(), ev)
				if err != nil || len(resp.BatchItemFailures) != 0 {
					t.Fatalf("Handle = %v, %v", failedSeqs(resp), err)
				}
			}
			v, found, err := store.Get(context.Background(), testOrderID)
			if err != nil || found != tt.wantFound {
				t.Fatalf("found=%v err=%v, want found=%v", found, err, tt.wantFound)
			}
			if !found {
				return
			}
			if v.Status != tt.wantStatus || v.Rev != tt.wantRev || len(v.History) != tt.wantHistory {
				t.Errorf("view status %q rev %d history %v; want %q rev %d %d entries", v.Status, v.Rev, v.History, tt.wantStatus, tt.wantRev, tt.wantHistory)
			}
		})
	}
}

func TestStreamHandlerPermutationsAgainstDynamoDB(t *testing.T) {
	store := newTestStore(t)
	h := NewStreamHandler(NewService(store, nil), quietLogger())
	recs := []SourceRecord{orderRec(2, "PAID", 1), paymentRec(2, "APPROVED", 1), withTaxi(reservationRec(3, "CONFIRMED", 4))}
	var want *View
	n := 0
	permutations(len(recs), func(order []int) {
		n++
		orderID := fmt.Sprintf("perm-%d", n)
		shuffled := make([]SourceRecord, 0, len(recs))
		for _, i := range order {
			r := recs[i]
			r.OrderID = orderID
			shuffled = append(shuffled, r)
		}
		if resp, err := h.Handle(context.Background(), batch(t, shuffled)); err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("order %v: %v %v", order, failedSeqs(resp), err)
		}
		got := withoutHistory(mustGet(t, store, orderID))
		got.OrderID = ""
		if want == nil {
			want = &got
		} else if !reflect.DeepEqual(got, *want) {
			t.Fatalf("order %v ends in %+v, want %+v", order, got, *want)
		}
	})
	if want.Status != StatusConfirmed {
		t.Errorf("status %q, want CONFIRMED", want.Status)
	}
}

// flakyStore fails Save for the records whose version/entity match failOn, while failing is on.
type flakyStore struct {
	Store
	failing atomic.Bool
	failOn  func(View) bool
}

func (s *flakyStore) Save(ctx context.Context, v View, expectedRev int64) error {
	if s.failing.Load() && s.failOn(v) {
		return errors.New("dynamodb unavailable")
	}
	return s.Store.Save(ctx, v, expectedRev)
}

func TestStreamFailureReportsTheRestOfTheBatchAndRetrySucceeds(t *testing.T) {
	store := &flakyStore{Store: newTestStore(t), failOn: func(v View) bool { return v.ReservationVersion == 1 }}
	store.failing.Store(true)
	h := NewStreamHandler(NewService(store, nil), quietLogger())
	ev := batch(t, lifecycle())

	resp, err := h.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := failedSeqs(resp), []string{"004", "005", "006"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("failures %v, want %v", got, want)
	}
	if v := mustGet(t, store, testOrderID); v.Status != StatusPaid || v.ReservationVersion != 0 {
		t.Fatalf("after the failed batch: %+v", v)
	}

	// Lambda retries from the first failed sequence number.
	store.failing.Store(false)
	resp, err = h.Handle(context.Background(), events.DynamoDBEvent{Records: ev.Records[3:]})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("retry: %v %v", failedSeqs(resp), err)
	}
	v := mustGet(t, store, testOrderID)
	statuses := []string{}
	for _, e := range v.History {
		statuses = append(statuses, e.Status)
	}
	if v.Status != StatusConfirmed || !reflect.DeepEqual(statuses, []string{StatusPaid, StatusReserved, StatusConfirmed}) {
		t.Errorf("after retry: status %s history %v", v.Status, statuses)
	}
}

// racingStore lets another writer slip in between this writer's read and its first conditional write.
type racingStore struct {
	Store
	once  sync.Once
	rival func()
}

func (s *racingStore) Save(ctx context.Context, v View, expectedRev int64) error {
	s.once.Do(s.rival)
	return s.Store.Save(ctx, v, expectedRev)
}

func TestProjectRereadsAndRemergesOnConflict(t *testing.T) {
	base := newTestStore(t)
	rivalSvc := NewService(base, nil)
	racing := &racingStore{Store: base}
	racing.rival = func() {
		if _, err := rivalSvc.Project(context.Background(), orderRec(2, "PAID", 1), at(1)); err != nil {
			t.Errorf("rival write: %v", err)
		}
	}
	changed, err := NewService(racing, nil).Project(context.Background(), reservationRec(1, "REQUESTED", 3), at(3))
	if err != nil || !changed {
		t.Fatalf("Project = %v, %v", changed, err)
	}
	v := mustGet(t, base, testOrderID)
	if v.OrderStatus != "PAID" || v.ReservationStatus != "REQUESTED" || v.Name == "" || v.Status != StatusReserved || v.Rev != 2 {
		t.Errorf("merged view lost a write: %+v", v)
	}
}

func TestConcurrentMappingsConverge(t *testing.T) {
	store := newTestStore(t)
	h := NewStreamHandler(NewService(store, nil), quietLogger())
	perSource := map[string][]SourceRecord{}
	for _, r := range lifecycle() {
		perSource[r.Entity] = append(perSource[r.Entity], r)
	}
	var wg sync.WaitGroup
	for _, recs := range perSource {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, r := range recs { // one record per invocation, as a mapping with small batches would
				resp, err := h.Handle(context.Background(), batch(t, []SourceRecord{r}))
				if err != nil || len(resp.BatchItemFailures) != 0 {
					t.Errorf("concurrent Handle: %v %v", failedSeqs(resp), err)
				}
			}
		}()
	}
	wg.Wait()
	got := mustGet(t, store, testOrderID)
	want := applyAll(lifecycle())
	if got.Rev != 6 {
		t.Errorf("rev %d, want 6 (one write per record)", got.Rev)
	}
	got.Rev = 0
	if !reflect.DeepEqual(withoutHistory(got), withoutHistory(want)) {
		t.Errorf("concurrent result\n%+v\nwant\n%+v", got, want)
	}
	checkHistory(t, got)
}

// forOrder moves a record to another order (and its row ids with it).
func forOrder(r SourceRecord, orderID string) SourceRecord {
	switch r.Entity {
	case EntityOrder:
		r.ID = orderID
	case EntityPayment:
		r.ID = "pay-" + orderID
	case EntityReservation:
		r.ID = "rsv-" + orderID
	}
	r.OrderID = orderID
	return r
}

func TestInterleavedOrdersFailureRetriesFromTheLowestFailedRecord(t *testing.T) {
	orders := []string{"order-a", "order-b", "order-c", "order-d", "order-e"}
	var recs []SourceRecord
	for _, step := range lifecycle() { // interleaved: step 1 of every order, then step 2, …
		for _, id := range orders {
			recs = append(recs, forOrder(step, id))
		}
	}
	ev := batch(t, recs)
	// order-c's first reservation record (index 3*5+2, sequence 018) fails while failing is on.
	store := &flakyStore{Store: newTestStore(t), failOn: func(v View) bool { return v.OrderID == "order-c" && v.ReservationVersion == 1 }}
	store.failing.Store(true)
	h := NewStreamHandler(NewService(store, nil), quietLogger())

	resp, err := h.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := 18; i <= len(recs); i++ {
		want = append(want, fmt.Sprintf("%03d", i))
	}
	if got := failedSeqs(resp); !reflect.DeepEqual(got, want) {
		t.Fatalf("failures %v, want %v", got, want)
	}
	if v := mustGet(t, store, "order-c"); v.Status != StatusPaid || v.ReservationVersion != 0 {
		t.Fatalf("order-c after the failed batch: status %s reservation v%d", v.Status, v.ReservationVersion)
	}

	store.failing.Store(false)
	resp, err = h.Handle(context.Background(), events.DynamoDBEvent{Records: ev.Records[17:]})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("retry: %v %v", failedSeqs(resp), err)
	}
	for _, id := range orders {
		v := mustGet(t, store, id)
		var statuses []string
		for _, e := range v.History {
			statuses = append(statuses, e.Status)
		}
		if v.Status != StatusConfirmed || !reflect.DeepEqual(statuses, []string{StatusPaid, StatusReserved, StatusConfirmed}) {
			t.Errorf("%s: status %s history %v", id, v.Status, statuses)
		}
	}
}
