package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/calltaxi/call-taxi/shared/apperr"
	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/ddbitem"
	"github.com/calltaxi/call-taxi/shared/ddbtest"
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/metrics"
	"github.com/calltaxi/call-taxi/shared/runtimeconfig"
	"github.com/calltaxi/call-taxi/shared/runtimeconfig/ssmtest"
)

const (
	txWrite = "dynamodb.TransactWriteItems"
	invoke  = "lambda.Invoke"
)

// POST /orders' sequential AWS calls (the fare is Parameter Store's, cached): a keyed order is one
// transaction writing the order and claiming the key, the charge, one transaction recording the outcome
// with the key's answer. A repeat is answered by the first transaction's cancellation alone.
func TestPlaceOrderSequentialAWSCalls(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(e *testEnv)
		body   string
		key    string
		status int
		want   []string
	}{
		{name: "keyed, approved", body: orderBody("basic", testCard), key: "k", status: 201,
			want: []string{txWrite, invoke, txWrite}},
		{name: "keyed, declined", body: orderBody("basic", declinedCard), key: "k", status: 402,
			want: []string{txWrite, invoke, txWrite}},
		{name: "keyless, approved", body: orderBody("basic", testCard), status: 201,
			want: []string{"dynamodb.PutItem", invoke, "dynamodb.UpdateItem"}},
		{name: "keyless, declined", body: orderBody("basic", declinedCard), status: 402,
			want: []string{"dynamodb.PutItem", invoke, "dynamodb.UpdateItem"}},
		{name: "keyed, payment throttled: the key is released", body: orderBody("basic", testCard), key: "k", status: 429,
			setup: func(e *testEnv) { e.pay.failWith = ErrPaymentThrottled },
			want:  []string{txWrite, invoke, "dynamodb.UpdateItem"}},
		{name: "replay of a placed order", body: orderBody("basic", testCard), key: "k", status: 201,
			setup: func(e *testEnv) { e.place(alice, orderBody("basic", testCard), "k") },
			want:  []string{txWrite}},
		{name: "replay of a declined order", body: orderBody("basic", declinedCard), key: "k", status: 402,
			setup: func(e *testEnv) { e.place(alice, orderBody("basic", declinedCard), "k") },
			want:  []string{txWrite}},
		{name: "same key, another request", body: orderBody("prime", testCard), key: "k", status: 409,
			setup: func(e *testEnv) { e.place(alice, orderBody("basic", testCard), "k") },
			want:  []string{txWrite}},
		{name: "same key while its first attempt runs", body: orderBody("basic", testCard), key: "k", status: 409,
			setup: func(e *testEnv) { e.claim("k", orderBody("basic", testCard), time.Now()) },
			want:  []string{txWrite}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			if tt.setup != nil {
				tt.setup(e)
			}
			e.calls.take()
			resp := e.place(alice, tt.body, tt.key)
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d %s, want %d", resp.StatusCode, resp.Body, tt.status)
			}
			if got := e.calls.take(); !slices.Equal(got, tt.want) {
				t.Errorf("calls %v, want %v", got, tt.want)
			}
		})
	}
}

// canceled is DynamoDB's TransactionCanceledException with one reason per action.
func canceled(codes ...string) error {
	reasons := make([]types.CancellationReason, len(codes))
	for i, c := range codes {
		reasons[i] = types.CancellationReason{Code: aws.String(c)}
	}
	return &types.TransactionCanceledException{Message: aws.String("Transaction cancelled"), CancellationReasons: reasons}
}

// How a keyed order answers each way DynamoDB may cancel its transactions. Conflicts (an item in another
// transaction) are retried with jittered backoff, then answered 503 with Retry-After as single writes are;
// a throttle is a 503 too; a condition on the key is the key's own answer (TestPlaceOrderSequentialAWSCalls,
// TestPlaceOrderRepeatReplaysTheFirstAnswer); nothing ever charges without an order or answers without
// recording the outcome, and the same key completes the order once DynamoDB answers again.
func TestPlaceOrderTransactionCancellations(t *testing.T) {
	const first, second = 1, 2 // which transaction of the request fails
	tests := []struct {
		name       string
		fails      int // the transaction that fails
		times      int // how many times in a row (0: every time)
		err        error
		status     int
		retryAfter string
		charged    bool // the card was charged before the failure
	}{
		{name: "first: conflicts, then committed", fails: first, times: 3, err: canceled("None", "TransactionConflict"), status: 201, charged: true},
		{name: "first: conflicts on both items, then committed", fails: first, times: 1, err: canceled("TransactionConflict", "TransactionConflict"), status: 201, charged: true},
		{name: "first: conflicts outlasting the retries", fails: first, err: canceled("None", "TransactionConflict"), status: 503, retryAfter: "1"},
		{name: "first: throttled", fails: first, err: canceled("ThrottlingError", "None"), status: 503, retryAfter: "1"},
		{name: "first: the order id is taken", fails: first, err: canceled("None", "ConditionalCheckFailed"), status: 500}, // (key, order)
		{name: "second: conflicts, then committed", fails: second, times: 2, err: canceled("TransactionConflict", "None"), status: 201, charged: true},
		{name: "second: conflicts outlasting the retries", fails: second, err: canceled("None", "TransactionConflict"), status: 503, retryAfter: "1", charged: true},
		{name: "second: throttled", fails: second, err: canceled("ThrottlingError", "None"), status: 503, retryAfter: "1", charged: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			body := orderBody("basic", testCard)
			transactions := 0
			e.aws.faultTransactions(func(n int, in *dynamodb.TransactWriteItemsInput) error {
				// The first transaction Puts the order; the second Updates it.
				which := second
				if in.TransactItems[keyedActionOrder].Put != nil {
					which = first
				}
				if which != tt.fails {
					return nil
				}
				transactions++
				if tt.times == 0 || transactions <= tt.times {
					return tt.err
				}
				return nil
			})
			resp := e.place(alice, body, "k-cancel")
			if resp.StatusCode != tt.status || resp.Headers["Retry-After"] != tt.retryAfter {
				t.Fatalf("status = %d (Retry-After %q) %s, want %d (%q)", resp.StatusCode, resp.Headers["Retry-After"], resp.Body, tt.status, tt.retryAfter)
			}
			if charges, _, _ := e.pay.counts(); (charges > 0) != tt.charged {
				t.Fatalf("charges = %d, want charged %v", charges, tt.charged)
			}
			orders := e.scan(ordersTable)
			if tt.charged != (len(orders) == 1) || len(orders) > 1 {
				t.Fatalf("%d order rows after the request (charged %v): a charge needs its order, and a cancelled transaction writes none", len(orders), tt.charged)
			}
			if tt.status == 201 {
				if v := decodeView(t, resp); v.Status != StatusPaid || e.order(v.ID).Status != StatusPaid {
					t.Errorf("placed %+v, row %s", v, e.order(v.ID).Status)
				}
			}

			// DynamoDB answers again: the same key places (or replays) the order, charging one order id.
			e.aws.faultTransactions(nil)
			again := e.place(alice, body, "k-cancel")
			if again.StatusCode != 201 {
				t.Fatalf("repeat = %d %s", again.StatusCode, again.Body)
			}
			if tt.status == 201 && again.Body != resp.Body {
				t.Errorf("repeat answered %s, want the first answer %s", again.Body, resp.Body)
			}
			id := decodeView(t, again).ID
			if len(e.scan(ordersTable)) != 1 || e.order(id).Status != StatusPaid {
				t.Errorf("orders %d, %s: want the one order PAID", len(e.scan(ordersTable)), e.order(id).Status)
			}
			for _, c := range e.pay.charges {
				if c.OrderID != id {
					t.Errorf("charged order %s, want only %s (payment dedupes by order id)", c.OrderID, id)
				}
			}
			e.publish()
			if n := e.bus.Count(contracts.NameOrderPlaced); n != 1 {
				t.Errorf("OrderPlaced published %d times, want 1", n)
			}
		})
	}
}

// A request that dies after its first transaction (a timeout, a crash) leaves its order PENDING_PAYMENT
// and its key in progress: no answer, maybe a charge. The PaymentApproved consumer or the sweep completes
// a charged order, the sweep parks an uncharged one, and the customer's repeat with the same key, once
// the lease is over, takes the attempt over and finishes the same order: one order, one payment id, one
// OrderPlaced, and from then on the same answer.
func TestPlaceOrderRequestDiedAfterTheFirstTransaction(t *testing.T) {
	tests := []struct {
		name        string
		charged     bool
		then        func(e *testEnv, id string) // what happens before the customer repeats
		leaseOver   bool
		wantStatus  int
		wantCharges int // in all
	}{
		{name: "not charged; the customer repeats", leaseOver: true, wantStatus: 201, wantCharges: 1},
		{name: "not charged; the sweep parks it, the customer repeats", leaseOver: true, wantStatus: 201, wantCharges: 1,
			then: func(e *testEnv, id string) { e.sweep(SweepResult{Found: 1, Parked: 1}) }},
		{name: "charged; the customer repeats first", charged: true, leaseOver: true, wantStatus: 201, wantCharges: 2},
		{name: "charged; the sweep completes it, the customer repeats", charged: true, leaseOver: true, wantStatus: 201, wantCharges: 1,
			then: func(e *testEnv, id string) { e.sweep(SweepResult{Found: 1, Completed: 1}) }},
		{name: "charged; PaymentApproved completes it, the customer repeats", charged: true, leaseOver: true, wantStatus: 201, wantCharges: 1,
			then: func(e *testEnv, id string) {
				if err := e.svc.PaymentApproved(e.ctx(), &contracts.PaymentApproved{OrderID: id, PaymentID: "pay-" + id, CardLast4: "1111", CardBrand: "visa"}); err != nil {
					e.t.Fatal(err)
				}
			}},
		{name: "charged; a repeat within the lease is refused", charged: true, wantStatus: 409, wantCharges: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			body := orderBody("basic", testCard)
			// The first attempt, six minutes ago (the sweep's age), up to its first transaction and maybe its charge.
			id := e.claim("k-died", body, time.Now().Add(-6*time.Minute))
			if o := e.order(id); o.Status != StatusPendingPayment || o.PendingShard == "" {
				t.Fatalf("order after the first transaction = %+v", o)
			}
			if tt.charged {
				if _, err := e.pay.Charge(context.Background(), contracts.PaymentRequest{OrderID: id, CustomerID: alice.sub, Amount: 3800, CardNo: testCard}); err != nil {
					t.Fatal(err)
				}
			}
			if tt.then != nil {
				tt.then(e, id)
			}
			if tt.leaseOver {
				e.endLease("k-died")
			}
			resp := e.place(alice, body, "k-died")
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("repeat = %d %s, want %d", resp.StatusCode, resp.Body, tt.wantStatus)
			}
			if charges, _, _ := e.pay.counts(); charges != tt.wantCharges {
				t.Errorf("charges = %d, want %d", charges, tt.wantCharges)
			}
			for _, c := range e.pay.charges {
				if c.OrderID != id {
					t.Errorf("charged order %s, want %s", c.OrderID, id)
				}
			}
			if tt.wantStatus != 201 {
				return
			}
			v := decodeView(t, resp)
			if v.ID != id || v.Status != StatusPaid || v.PaymentID != "pay-"+id {
				t.Errorf("answer %+v, want order %s PAID with its payment", v, id)
			}
			if again := e.place(alice, body, "k-died"); again.StatusCode != 201 || again.Body != resp.Body {
				t.Errorf("replay = %d %s, want %s", again.StatusCode, again.Body, resp.Body)
			}
			e.publish()
			if n := e.bus.Count(contracts.NameOrderPlaced); n != 1 {
				t.Errorf("OrderPlaced published %d times, want 1", n)
			}
			if n := len(e.scan(ordersTable)); n != 1 {
				t.Errorf("%d orders, want 1", n)
			}
		})
	}
}

// Concurrent requests with one key: one is placed and charged; each other one is refused as in progress,
// or, once the first has answered, replays its answer.
func TestPlaceOrderConcurrentSameKey(t *testing.T) {
	e := newTestEnv(t)
	const n = 8
	body := orderBody("prime", testCard)
	responses := make([]struct {
		status int
		body   string
	}, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			r := e.place(alice, body, "k-race")
			responses[i].status, responses[i].body = r.StatusCode, r.Body
		})
	}
	close(start)
	wg.Wait()
	var placed []string
	for _, r := range responses {
		switch {
		case r.status == 201:
			placed = append(placed, r.body)
		case r.status == 409 && strings.Contains(r.body, "in progress"):
		default:
			t.Errorf("response %d %s", r.status, r.body)
		}
	}
	if len(placed) == 0 {
		t.Fatal("no request placed the order")
	}
	for _, b := range placed[1:] {
		if b != placed[0] {
			t.Errorf("answers differ: %s vs %s", b, placed[0])
		}
	}
	if charges, _, _ := e.pay.counts(); charges != 1 {
		t.Errorf("charges = %d, want 1", charges)
	}
	if rows := len(e.scan(ordersTable)); rows != 1 {
		t.Errorf("%d order rows, want 1", rows)
	}
}

// The transactions change the order row exactly as the single writes do (the same item, so the same
// stream images and events), and what the request answers is the row as stored.
func TestKeyedWritesLeaveTheRowsAndEventsOfSingleWrites(t *testing.T) {
	for _, card := range []string{testCard, declinedCard} {
		t.Run(card, func(t *testing.T) {
			e := newTestEnv(t)
			rows := map[string]Order{}
			for _, key := range []string{"", "k-rows"} {
				resp := e.place(alice, orderBody("platinum", card), key)
				id := e.pay.charges[len(e.pay.charges)-1].OrderID
				row := e.order(id)
				if resp.StatusCode == 201 {
					if v := decodeView(t, resp); !reflect.DeepEqual(v, row.View()) {
						t.Errorf("key %q: answered %+v, stored %+v", key, v, row.View())
					}
				}
				rows[key] = normalizedRow(row)
			}
			if !reflect.DeepEqual(rows[""], rows["k-rows"]) {
				t.Errorf("keyed row %+v\nkeyless row %+v", rows["k-rows"], rows[""])
			}
			recs := e.stream.Take()
			if len(recs) != 4 {
				t.Fatalf("%d stream records, want an INSERT and a MODIFY per order", len(recs))
			}
			derived := make([][]contracts.Event, 2)
			for i := range 2 {
				if recs[2*i].EventName != "INSERT" || recs[2*i+1].EventName != "MODIFY" {
					t.Errorf("records %s, %s", recs[2*i].EventName, recs[2*i+1].EventName)
				}
				for _, rec := range recs[2*i : 2*i+2] {
					evs, err := DeriveEvents(rec)
					if err != nil {
						t.Fatal(err)
					}
					for _, ev := range evs {
						if p, ok := ev.(*contracts.OrderPlaced); ok {
							p.OrderID, p.PaymentID = "", ""
						}
					}
					derived[i] = append(derived[i], evs...)
				}
			}
			if !reflect.DeepEqual(derived[0], derived[1]) {
				t.Errorf("keyless order's events %+v, keyed order's %+v", derived[0], derived[1])
			}
			if wantPlaced := card == testCard; (len(derived[1]) == 1) != wantPlaced {
				t.Errorf("events %+v, want OrderPlaced %v", derived[1], wantPlaced)
			}
		})
	}
}

// normalizedRow is a row without what differs between two orders (ids, times), nor pendingShard, which
// both writes REMOVE but the embedded engine (minidyn) keeps.
func normalizedRow(o Order) Order {
	o.ID, o.OrderID, o.PaymentID, o.CreatedAt, o.UpdatedAt, o.PendingShard = "", "", "", "", "", ""
	return o
}

// A cold environment that cannot read the fare (Parameter Store failing) writes no order, yet a key
// whose first attempt finished still replays its answer, and one in use is still refused.
func TestPlaceOrderWithoutTheFare(t *testing.T) {
	e := newTestEnv(t)
	first := e.place(alice, orderBody("basic", testCard), "k-fare")
	if first.StatusCode != 201 {
		t.Fatalf("first = %d %s", first.StatusCode, first.Body)
	}
	e.claim("k-running", orderBody("basic", testCard), time.Now())
	down := &ssmtest.Store{}
	down.Fail(errors.New("ssm unreachable"))
	logger := logging.New(io.Discard, "ERROR")
	cold := NewService(e.store, e.keyed, e.pay, e.keys, metrics.New(io.Discard, "order"), NewParameterFares(runtimeconfig.New(down, 0, logger), minTaxiPriceParameter))
	tests := []struct {
		name, key string
		wantErr   bool
		wantCode  string
	}{
		{name: "replay", key: "k-fare"},
		{name: "in progress", key: "k-running", wantErr: true, wantCode: "CONFLICT"},
		{name: "new key", key: "k-new", wantErr: true, wantCode: "SERVICE_UNAVAILABLE"},
		{name: "no key", wantErr: true, wantCode: "SERVICE_UNAVAILABLE"},
	}
	var req PlaceOrderRequest
	if err := json.Unmarshal([]byte(orderBody("basic", testCard)), &req); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := cold.Place(context.Background(), alice.sub, req, tt.key)
			if tt.wantErr {
				if errorCode(err) != tt.wantCode {
					t.Fatalf("Place = %+v, %v; want %s", v, err, tt.wantCode)
				}
				return
			}
			if err != nil || v.ID != decodeView(t, first).ID {
				t.Fatalf("replay = %+v, %v", v, err)
			}
		})
	}
	if rows := len(e.scan(ordersTable)); rows != 2 {
		t.Errorf("%d orders, want the placed and the running one", rows)
	}
	if charges, _, _ := e.pay.counts(); charges != 1 {
		t.Errorf("charges = %d", charges)
	}
	// The new key was not kept: it is free once the fare can be read.
	if r := e.place(alice, orderBody("basic", testCard), "k-new"); r.StatusCode != 201 {
		t.Errorf("k-new afterwards = %d %s", r.StatusCode, r.Body)
	}
}

func errorCode(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Code
	}
	return ""
}

// claim runs a keyed request's first transaction for alice alone, as an attempt that went no further:
// its order (created at) is PENDING_PAYMENT and its key in progress for the lease. It returns the order id.
func (e *testEnv) claim(key, body string, at time.Time) string {
	e.t.Helper()
	var req PlaceOrderRequest
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		e.t.Fatal(err)
	}
	n, err := req.Normalize(time.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	o := NewOrder("o-"+key, alice.sub, n, Fare(n.OrderType, 3800), "corr-"+key, at)
	rec, started, err := e.svc.keyed.CreateClaimed(context.Background(), o, alice.sub+":"+key, fingerprint(n))
	if err != nil || !started || rec.Ref != o.ID {
		e.t.Fatalf("first transaction = %+v %v %v", rec, started, err)
	}
	return o.ID
}

// endLease makes the key's attempt abandoned, as its lease running out would.
func (e *testEnv) endLease(key string) {
	e.t.Helper()
	_, err := e.db.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName:                 aws.String(idemTable),
		Key:                       map[string]types.AttributeValue{"key": ddbitem.S(alice.sub + ":" + key)},
		UpdateExpression:          aws.String("SET lockedUntil = :past"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":past": ddbitem.N(time.Now().Add(-time.Second).UnixMilli())},
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *testEnv) sweep(want SweepResult) {
	e.t.Helper()
	got, err := e.svc.Sweep(e.ctx())
	if err != nil || got != want {
		e.t.Fatalf("sweep = %+v, %v; want %+v", got, err, want)
	}
}

func (e *testEnv) scan(table string) []map[string]types.AttributeValue {
	e.t.Helper()
	out, err := e.db.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table)})
	if err != nil {
		e.t.Fatal(err)
	}
	return out.Items
}

// Orders are written in transactions now, so the single writes to an order (the PaymentApproved consumer's
// and the sweep's MarkPaid, a cancel, a pickup, parking) retry transaction conflicts with jittered backoff,
// and answer 503 with Retry-After when they outlast the retries.
func TestOrderSingleWritesRetryTransactionConflicts(t *testing.T) {
	tests := []struct {
		name      string
		status    string
		write     func(s *DynamoStore, id string) error
		wantAfter string
	}{
		{"mark paid", StatusPendingPayment, func(s *DynamoStore, id string) error {
			_, err := s.MarkPaid(context.Background(), id, PaymentInfo{PaymentID: "pay-" + id}, time.Now())
			return err
		}, StatusPaid},
		{"mark declined", StatusPendingPayment, func(s *DynamoStore, id string) error {
			_, err := s.MarkDeclined(context.Background(), id, "card_declined", time.Now())
			return err
		}, StatusDeclined},
		{"cancel", StatusPaid, func(s *DynamoStore, id string) error {
			_, err := s.MarkCanceled(context.Background(), id, time.Now())
			return err
		}, StatusCanceled},
		{"park", StatusPendingPayment, func(s *DynamoStore, id string) error {
			return s.Park(context.Background(), id, 1, time.Now())
		}, StatusPendingPayment},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			e.seed("o-1", alice.sub, tt.status)
			db := &ddbtest.Conflicting{Client: e.db, Conflicts: 2}
			if err := tt.write(NewDynamoStore(db, ordersTable), "o-1"); err != nil {
				t.Fatalf("after 2 conflicts: %v", err)
			}
			if db.Writes != 3 || e.order("o-1").Status != tt.wantAfter || e.order("o-1").Version != 2 {
				t.Errorf("%d calls, order %+v", db.Writes, e.order("o-1"))
			}
			e.seed("o-2", alice.sub, tt.status)
			db = &ddbtest.Conflicting{Client: e.db, Conflicts: 100}
			err := tt.write(NewDynamoStore(db, ordersTable), "o-2")
			if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.KindUnavailable || ae.RetryAfter != ddbitem.ConflictRetryAfter {
				t.Errorf("conflicts outlasting the retries: %v, want 503 with Retry-After", err)
			}
		})
	}
}

// The first transaction commits but its answer is lost, and it is sent again (the SDK retries a timeout or
// a 5xx with the same input; here a conflict's retry stands in for it): the key's record holds this
// request's own order id, so the request goes on with the order it wrote instead of refusing itself.
func TestPlaceOrderFirstTransactionCommittedButItsAnswerLost(t *testing.T) {
	e := newTestEnv(t)
	e.aws.faultTransactions(func(n int, in *dynamodb.TransactWriteItemsInput) error {
		if n != 1 {
			return nil
		}
		if _, err := e.db.TransactWriteItems(context.Background(), in); err != nil {
			t.Errorf("commit: %v", err)
		}
		return canceled("None", "TransactionConflict")
	})
	e.calls.take()
	resp := e.place(alice, orderBody("basic", testCard), "k-lost")
	if resp.StatusCode != 201 {
		t.Fatalf("status = %d %s", resp.StatusCode, resp.Body)
	}
	if got, want := e.calls.take(), []string{txWrite, txWrite, invoke, txWrite}; !slices.Equal(got, want) {
		t.Errorf("calls %v, want %v", got, want)
	}
	if charges, _, _ := e.pay.counts(); charges != 1 || len(e.scan(ordersTable)) != 1 {
		t.Errorf("charges %d, orders %d: want one of each", charges, len(e.scan(ordersTable)))
	}
	if again := e.place(alice, orderBody("basic", testCard), "k-lost"); again.Body != resp.Body {
		t.Errorf("replay %s, want %s", again.Body, resp.Body)
	}
}
