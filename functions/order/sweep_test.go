package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/logging"
)

// seedAt puts an order row in the given state, created at the given time.
func (e *testEnv) seedAt(id, status string, at time.Time) {
	e.t.Helper()
	o := NewOrder(id, "alice", PlaceOrderRequest{Name: "Lee", Phone: "+821099998888", OrderType: "basic"}, 3800, "corr-"+id, at)
	o.Status = status
	if status != StatusPendingPayment {
		o.PendingShard = ""
		o.PaymentID, o.CardLast4, o.CardBrand = "pay-"+id, "1111", "visa"
	}
	if err := e.store.Create(context.Background(), o); err != nil {
		e.t.Fatalf("seed %s: %v", id, err)
	}
}

func (e *testEnv) answerStatus(orderID, status string) {
	e.pay.set(func(f *fakePayments) {
		if f.results == nil {
			f.results = map[string]contracts.PaymentResult{}
		}
		res := contracts.PaymentResult{Status: status, PaymentID: "pay-" + orderID, CardLast4: "4242", CardBrand: "visa"}
		if status == contracts.PaymentDeclinedStatus {
			res.Reason = "card_declined"
		}
		f.results[orderID] = res
	})
}

// ctx carries the function's logger, as a handler's does.
func (e *testEnv) ctx() context.Context {
	return logging.With(context.Background(), logging.New(&lockedWriter{w: e.logs}, "DEBUG"), "req-1", "")
}

const scheduledEvent = `{"version":"0","id":"sched-1","detail-type":"Scheduled Event","source":"aws.events",` +
	`"account":"123456789012","time":"2026-11-30T00:00:00Z","region":"ap-northeast-2",` +
	`"resources":["arn:aws:events:ap-northeast-2:123456789012:rule/order-sweep"],"detail":{}}`

// The sweep, run by its schedule, resolves every order left PENDING_PAYMENT for more than five minutes by
// its payment's state, and counts the ones that mean money was (or may have been) taken without a booking.
func TestSweepResolvesStuckOrders(t *testing.T) {
	e := newTestEnv(t)
	old, fresh := time.Now().Add(-6*time.Minute), time.Now().Add(-time.Minute)
	e.seedAt("o-approved", StatusPendingPayment, old)
	e.answerStatus("o-approved", contracts.PaymentApprovedStatus)
	e.seedAt("o-declined", StatusPendingPayment, old)
	e.answerStatus("o-declined", contracts.PaymentDeclinedStatus)
	e.seedAt("o-no-payment", StatusPendingPayment, old)
	e.seedAt("o-charging", StatusPendingPayment, old)
	e.answerStatus("o-charging", contracts.PaymentPendingStatus)
	e.seedAt("o-fresh", StatusPendingPayment, fresh)
	e.answerStatus("o-fresh", contracts.PaymentApprovedStatus)
	e.seedAt("o-paid", StatusPaid, old)

	if _, err := e.handlers.Invoke(context.Background(), []byte(scheduledEvent)); err != nil {
		t.Fatalf("scheduled invoke: %v", err)
	}
	want := map[string]string{
		"o-approved": StatusPaid, "o-declined": StatusDeclined, "o-no-payment": StatusPendingPayment,
		"o-charging": StatusPendingPayment, "o-fresh": StatusPendingPayment, "o-paid": StatusPaid,
	}
	for id, status := range want {
		if got := e.order(id); got.Status != status {
			t.Errorf("%s: %s, want %s", id, got.Status, status)
		}
	}
	if o := e.order("o-approved"); o.PaymentID != "pay-o-approved" || o.CardLast4 != "4242" {
		t.Errorf("completed order = %+v, want its payment recorded", o)
	}
	if o := e.order("o-no-payment"); o.Version != 2 {
		t.Errorf("order without payment: version %d, want 2 (parked)", o.Version)
	}

	e.publish()
	if names := e.bus.Names(); len(names) != 1 || names[0] != contracts.NameOrderPlaced {
		t.Errorf("published %v, want one OrderPlaced (the booking proceeds)", names)
	} else if ev := e.bus.Events()[0].(*contracts.OrderPlaced); ev.OrderID != "o-approved" || ev.PaymentID != "pay-o-approved" {
		t.Errorf("event = %+v", ev)
	}
	if !strings.Contains(e.metrics.String(), `"StuckOrdersFound":2`) {
		t.Errorf("metrics %s, want StuckOrdersFound 2 (the approved and the charging order)", e.metrics.String())
	}
	if !strings.Contains(e.logs.String(), `"found":4`) {
		t.Errorf("the sweep did not log what it found: %s", e.logs.String())
	}

	// The next run finds only the order whose charge has no outcome (parking is version-checked, so
	// the parked order is asked again only where the engine keeps the index key; it stays unpaid).
	res, err := e.svc.Sweep(e.ctx())
	if err != nil {
		t.Fatal(err)
	}
	if res.Completed != 0 || res.Declined != 0 || res.PaymentPending != 1 {
		t.Errorf("second sweep = %+v", res)
	}
}

// A payment that cannot answer leaves the order for the next run; the sweep itself does not fail.
func TestSweepPaymentUnavailable(t *testing.T) {
	e := newTestEnv(t)
	e.seedAt("o-1", StatusPendingPayment, time.Now().Add(-10*time.Minute))
	e.pay.set(func(f *fakePayments) { f.statusFailure = errors.Join(ErrPaymentUnavailable, errors.New("timeout")) })
	res, err := e.svc.Sweep(e.ctx())
	if err != nil || res.Found != 1 || res.Failed != 1 {
		t.Fatalf("sweep = %+v, %v", res, err)
	}
	if o := e.order("o-1"); o.Status != StatusPendingPayment {
		t.Errorf("status = %s", o.Status)
	}
}

// An order the sweep parked (no payment existed) is watched again when its customer resumes it.
func TestResumingAParkedOrderWatchesItAgain(t *testing.T) {
	e := newTestEnv(t)
	e.seedAt("o-parked", StatusPendingPayment, time.Now().Add(-10*time.Minute))
	if err := e.store.Park(context.Background(), "o-parked", 1, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := e.store.Park(context.Background(), "o-parked", 1, time.Now()); !errors.Is(err, ErrWrongState) {
		t.Errorf("a second park at the old version: %v, want ErrWrongState", err)
	}
	// As DynamoDB leaves a parked order (the embedded engine ignores REMOVE, so the test writes it).
	parked := NewOrder("o-parked-2", "alice", PlaceOrderRequest{Name: "Lee", Phone: "+821099998888", OrderType: "basic"}, 3800, "corr", time.Now())
	parked.PendingShard = ""
	if err := e.store.Create(context.Background(), parked); err != nil {
		t.Fatal(err)
	}
	n, err := PlaceOrderRequest{Name: "Lee", Phone: "+821099998888", OrderType: "basic", CardNo: testCard, Pickup: "Seoul Station"}.Normalize(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	o, err := e.svc.place(context.Background(), NewOrder("o-parked-2", "alice", n, 3800, "corr", time.Now()), n.CardNo, nil)
	if err != nil || o.Status != StatusPaid {
		t.Fatalf("resume = %+v, %v", o, err)
	}
	if o.Version != 3 {
		t.Errorf("version %d, want 3 (unparked, paid)", o.Version)
	}
}
