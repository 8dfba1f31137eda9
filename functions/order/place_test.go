package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/calltaxi/call-taxi/shared/apperr"
	"github.com/calltaxi/call-taxi/shared/contracts"
)

func TestPlaceOrderChargesTheGradeFare(t *testing.T) {
	tests := []struct {
		grade string
		fare  int64
	}{
		{"basic", 3800},
		{"prime", 5700},
		{"platinum", 9500},
	}
	for _, tt := range tests {
		t.Run(tt.grade, func(t *testing.T) {
			e := newTestEnv(t)
			resp := e.place(alice, orderBody(tt.grade, testCard), "")
			if resp.StatusCode != 201 {
				t.Fatalf("status = %d %s", resp.StatusCode, resp.Body)
			}
			v := decodeView(t, resp)
			if v.Fare != tt.fare || v.Status != StatusPaid || v.CustomerID != "alice" || v.OrderType != tt.grade {
				t.Errorf("view = %+v", v)
			}
			if v.PaymentID != "pay-"+v.ID || v.CardLast4 != "1111" || v.CardBrand != "visa" || v.Pickup != "Gangnam Station" {
				t.Errorf("payment fields = %+v", v)
			}
			if e.pay.charges[0].Amount != tt.fare || e.pay.charges[0].CardNo != "4111111111111111" {
				t.Errorf("charge request amount %d card normalized? %v", e.pay.charges[0].Amount, e.pay.charges[0].CardNo == "4111111111111111")
			}
			row := e.order(v.ID)
			if row.Status != StatusPaid || row.Version != 2 || row.Entity != "order" || row.OrderID != v.ID || row.CorrelationID != "req-1" {
				t.Errorf("row = %+v", row)
			}
			e.publish()
			evs := e.bus.Events()
			if len(evs) != 1 {
				t.Fatalf("published %v", e.bus.Names())
			}
			placed, ok := evs[0].(*contracts.OrderPlaced)
			if !ok || placed.OrderID != v.ID || placed.Fare != tt.fare || placed.PaymentID != v.PaymentID || placed.CorrelationID != "req-1" {
				t.Errorf("event = %+v", evs[0])
			}
		})
	}
}

func TestPlaceOrderRejectsBadInput(t *testing.T) {
	valid := map[string]string{"name": `"Kim"`, "phone": `"+821012345678"`, "orderType": `"basic"`, "cardNo": `"4111111111111111"`, "pickup": `"Gangnam Station"`}
	body := func(field, value string) string {
		parts := []string{}
		for _, k := range []string{"name", "phone", "orderType", "cardNo", "pickup"} {
			v := valid[k]
			if k == field {
				v = value
			}
			if v != "" {
				parts = append(parts, fmt.Sprintf("%q:%s", k, v))
			}
		}
		if field != "" && valid[field] == "" {
			parts = append(parts, fmt.Sprintf("%q:%s", field, value))
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	tests := []struct {
		name, field, body string
	}{
		{"empty name", "name", body("name", `""`)},
		{"missing name", "name", body("name", "")},
		{"long name", "name", body("name", `"`+strings.Repeat("a", 101)+`"`)},
		{"bad phone", "phone", body("phone", `"01012345678"`)},
		{"bad grade", "orderType", body("orderType", `"luxury"`)},
		{"luhn", "cardNo", body("cardNo", `"4111111111111112"`)},
		{"short card", "cardNo", body("cardNo", `"411111"`)},
		{"long pickup", "pickup", body("pickup", `"`+strings.Repeat("p", 201)+`"`)},
		{"long destination", "destination", body("destination", `"`+strings.Repeat("d", 201)+`"`)},
		{"missing pickup", "pickup", body("pickup", "")},
		{"blank pickup", "pickup", body("pickup", `"  "`)},
		{"long note", "note", body("note", `"`+strings.Repeat("n", 201)+`"`)},
		{"pickupAt in the past", "pickupAt", body("pickupAt", `"2020-01-01T09:00:00+09:00"`)},
		{"pickupAt too soon", "pickupAt", body("pickupAt", fmt.Sprintf("%q", time.Now().Add(5*time.Minute).Format(time.RFC3339)))},
		{"pickupAt too far ahead", "pickupAt", body("pickupAt", fmt.Sprintf("%q", time.Now().Add(8*24*time.Hour).Format(time.RFC3339)))},
		{"pickupAt without offset", "pickupAt", body("pickupAt", `"2030-01-01T09:00:00"`)},
		{"pickupAt unparseable", "pickupAt", body("pickupAt", `"tomorrow morning"`)},
		{"pickupAt a number", "pickupAt", body("pickupAt", `1767225600`)},
		{"client fare", "fare", body("fare", `1`)},
		{"number name", "name", body("name", `12`)},
		{"malformed", "", `{"name":`},
		{"empty body", "", ``},
	}
	e := newTestEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := e.place(alice, tt.body, "")
			if resp.StatusCode != 400 {
				t.Fatalf("status = %d %s", resp.StatusCode, resp.Body)
			}
			if got := decodeError(t, resp).Error; got.Code != "VALIDATION_FAILED" || got.Field != tt.field {
				t.Errorf("error = %+v, want field %q", got, tt.field)
			}
		})
	}
	if charges, _, _ := e.pay.counts(); charges != 0 {
		t.Errorf("invalid input reached payment %d times", charges)
	}
}

func TestPlaceOrderDeclined(t *testing.T) {
	e := newTestEnv(t)
	resp := e.place(alice, orderBody("basic", declinedCard), "k-declined")
	if resp.StatusCode != 402 {
		t.Fatalf("status = %d %s", resp.StatusCode, resp.Body)
	}
	if got := decodeError(t, resp).Error; got.Code != "PAYMENT_DECLINED" || got.Field != "cardNo" || !strings.Contains(got.Message, "card_declined") {
		t.Errorf("error = %+v", got)
	}
	e.publish()
	if n := e.bus.Count(contracts.NameOrderPlaced); n != 0 {
		t.Errorf("OrderPlaced published %d times for a declined order", n)
	}
	if row := e.order(e.pay.charges[0].OrderID); row.Status != StatusDeclined || row.DeclineReason != "card_declined" || row.Version != 2 {
		t.Errorf("row = %+v", row)
	}
	// The decline is the key's final answer: a repeat replays it without charging again.
	again := e.place(alice, orderBody("basic", declinedCard), "k-declined")
	if again.StatusCode != 402 || again.Body != resp.Body {
		t.Errorf("repeat = %d %s, want %s", again.StatusCode, again.Body, resp.Body)
	}
	if charges, _, _ := e.pay.counts(); charges != 1 {
		t.Errorf("charges = %d, want 1", charges)
	}
}

func TestPlaceOrderPaymentInvalidNamesPaymentsField(t *testing.T) {
	e := newTestEnv(t)
	e.pay.invalidField = "amount"
	resp := e.place(alice, orderBody("basic", testCard), "")
	if resp.StatusCode != 400 || decodeError(t, resp).Error.Field != "amount" {
		t.Errorf("status = %d %s", resp.StatusCode, resp.Body)
	}
}

func TestPlaceOrderPaymentFailuresAreRetryable(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		status     int
		code       string
		retryAfter string
	}{
		{"throttled", fmt.Errorf("%w: Rate Exceeded", ErrPaymentThrottled), 429, "PAYMENT_BUSY", "1"},
		{"function error", fmt.Errorf("%w: Unhandled", ErrPaymentUnavailable), 503, "PAYMENT_UNAVAILABLE", "2"},
		{"timeout", fmt.Errorf("%w: %w", ErrPaymentUnavailable, context.DeadlineExceeded), 503, "PAYMENT_UNAVAILABLE", "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			e.pay.failWith = tt.err
			resp := e.place(alice, orderBody("prime", testCard), "k-retry")
			if resp.StatusCode != tt.status || resp.Headers["Retry-After"] != tt.retryAfter || decodeError(t, resp).Error.Code != tt.code {
				t.Fatalf("status = %d %v %s", resp.StatusCode, resp.Headers, resp.Body)
			}
			firstID := e.pay.charges[0].OrderID
			if row := e.order(firstID); row.Status != StatusPendingPayment {
				t.Errorf("order after failure = %s, want PENDING_PAYMENT", row.Status)
			}

			e.pay.set(func(f *fakePayments) { f.failWith = nil })
			retry := e.place(alice, orderBody("prime", testCard), "k-retry")
			if retry.StatusCode != 201 {
				t.Fatalf("retry = %d %s", retry.StatusCode, retry.Body)
			}
			if v := decodeView(t, retry); v.ID != firstID || v.Status != StatusPaid {
				t.Errorf("retry placed %s (%s), want the same order %s", v.ID, v.Status, firstID)
			}
			if charges, approved, _ := e.pay.counts(); charges != 2 || approved != 1 {
				t.Errorf("charges = %d approved = %d, want 2 calls and 1 approval", charges, approved)
			}
			e.publish()
			if n := e.bus.Count(contracts.NameOrderPlaced); n != 1 {
				t.Errorf("OrderPlaced published %d times", n)
			}
		})
	}
}

func TestPlaceOrderRepeatReplaysTheFirstAnswer(t *testing.T) {
	e := newTestEnv(t)
	first := e.place(alice, orderBody("platinum", testCard), "k-1")
	second := e.place(alice, orderBody("platinum", testCard), "k-1")
	if first.StatusCode != 201 || second.StatusCode != 201 || first.Body != second.Body {
		t.Fatalf("first %d %s, second %d %s", first.StatusCode, first.Body, second.StatusCode, second.Body)
	}
	if charges, _, _ := e.pay.counts(); charges != 1 {
		t.Errorf("charges = %d, want 1", charges)
	}
	e.publish()
	if n := e.bus.Count(contracts.NameOrderPlaced); n != 1 {
		t.Errorf("OrderPlaced published %d times", n)
	}
	// The key belongs to its caller: another customer's same key is another order.
	other := e.place(bob, orderBody("platinum", testCard), "k-1")
	if other.StatusCode != 201 || decodeView(t, other).ID == decodeView(t, first).ID {
		t.Errorf("bob's request = %d %s", other.StatusCode, other.Body)
	}
}

func TestPlaceOrderSameKeyDifferentBodyConflicts(t *testing.T) {
	e := newTestEnv(t)
	if resp := e.place(alice, orderBody("basic", testCard), "k-2"); resp.StatusCode != 201 {
		t.Fatalf("first = %d %s", resp.StatusCode, resp.Body)
	}
	resp := e.place(alice, orderBody("prime", testCard), "k-2")
	if resp.StatusCode != 409 || !strings.Contains(decodeError(t, resp).Error.Message, "different request") {
		t.Errorf("status = %d %s", resp.StatusCode, resp.Body)
	}
}

func TestPlaceOrderInProgressConflicts(t *testing.T) {
	e := newTestEnv(t)
	e.pay.gate, e.pay.entered = make(chan struct{}), make(chan struct{}, 1)
	done := make(chan int)
	go func() { done <- e.place(alice, orderBody("basic", testCard), "k-3").StatusCode }()
	<-e.pay.entered

	resp := e.place(alice, orderBody("basic", testCard), "k-3")
	if resp.StatusCode != 409 || !strings.Contains(decodeError(t, resp).Error.Message, "in progress") {
		t.Errorf("concurrent = %d %s", resp.StatusCode, resp.Body)
	}
	close(e.pay.gate)
	if status := <-done; status != 201 {
		t.Errorf("first = %d", status)
	}
}

func TestPlaceOrderWithoutKeyPlacesEachRequest(t *testing.T) {
	e := newTestEnv(t)
	a, b := e.placePaid(alice), e.placePaid(alice)
	if a.ID == b.ID {
		t.Errorf("two requests without a key share order %s", a.ID)
	}
	e.publish()
	if n := e.bus.Count(contracts.NameOrderPlaced); n != 2 {
		t.Errorf("OrderPlaced published %d times", n)
	}
}

// The issue-14 case: PutEvents fails while a customer books. POST /orders answers 201 PAID anyway (the
// order is written; nothing is published in the request), and OrderPlaced follows from the Orders stream
// once PutEvents recovers, though the customer never repeats the request.
func TestPlaceOrderWhilePutEventsFails(t *testing.T) {
	e := newTestEnv(t)
	e.bus.Fail = true
	resp := e.place(alice, orderBody("basic", testCard), "")
	if resp.StatusCode != 201 {
		t.Fatalf("status = %d %s", resp.StatusCode, resp.Body)
	}
	id := decodeView(t, resp).ID
	for range 3 {
		if !e.publish() {
			t.Fatal("the outbox acknowledged a change it could not publish")
		}
	}
	e.bus.Fail = false
	e.publish()
	evs := e.bus.Events()
	if len(evs) != 1 {
		t.Fatalf("published %v, want one OrderPlaced", e.bus.Names())
	}
	if ev, ok := evs[0].(*contracts.OrderPlaced); !ok || ev.OrderID != id || ev.PaymentID != "pay-"+id || ev.Fare != 3800 {
		t.Errorf("event = %+v", evs[0])
	}
	if charges, _, _ := e.pay.counts(); charges != 1 {
		t.Errorf("charges = %d, want 1", charges)
	}
}

func TestPlaceOrderRequestChecks(t *testing.T) {
	tests := []struct {
		name    string
		who     caller
		body    string
		headers map[string]string
		status  int
		field   string
	}{
		{"driver", driver, orderBody("basic", testCard), nil, 403, ""},
		{"manager", manager, orderBody("basic", testCard), nil, 403, ""},
		{"no token", caller{}, orderBody("basic", testCard), nil, 401, ""},
		{"oversize", alice, `{"name":"` + strings.Repeat("a", 70<<10) + `"}`, nil, 413, ""},
		{"long key", alice, orderBody("basic", testCard), map[string]string{"idempotency-key": strings.Repeat("k", 129)}, 400, "Idempotency-Key"},
		{"empty key", alice, orderBody("basic", testCard), map[string]string{"idempotency-key": ""}, 400, "Idempotency-Key"},
		{"control char key", alice, orderBody("basic", testCard), map[string]string{"Idempotency-Key": "a\nb"}, 400, "Idempotency-Key"},
	}
	e := newTestEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := e.call(apiRequest("POST /orders", tt.who, "", tt.body, tt.headers))
			if resp.StatusCode != tt.status || decodeError(t, resp).Error.Field != tt.field {
				t.Errorf("status = %d %s, want %d field %q", resp.StatusCode, resp.Body, tt.status, tt.field)
			}
		})
	}
	if charges, _, _ := e.pay.counts(); charges != 0 {
		t.Errorf("refused requests reached payment %d times", charges)
	}
	ok := e.call(apiRequest("POST /orders", alice, "", orderBody("basic", testCard), map[string]string{"idempotency-key": strings.Repeat("k", 128)}))
	if ok.StatusCode != 201 {
		t.Errorf("a 128-character key = %d %s", ok.StatusCode, ok.Body)
	}
}

func TestCardNumberIsNeverKeptOrLogged(t *testing.T) {
	e := newTestEnv(t)
	e.place(alice, orderBody("basic", testCard), "k-card")
	e.place(alice, orderBody("basic", declinedCard), "k-card-2")
	for _, table := range []string{ordersTable, idemTable} {
		out, err := e.db.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table)})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Items) == 0 {
			t.Fatalf("%s is empty", table)
		}
		dump := dumpItems(out.Items)
		for _, card := range []string{"4111111111111111", declinedCard} {
			if strings.Contains(dump, card) {
				t.Errorf("%s holds a card number", table)
			}
		}
	}
	if strings.Contains(e.logs.String(), "4111111111111111") || strings.Contains(e.logs.String(), "4111 1111") {
		t.Error("logs contain the card number")
	}
	if e.logs.Len() == 0 {
		t.Error("nothing was logged: the check proves nothing")
	}
}

// dumpItems renders every attribute value as text, binary ones included.
func dumpItems(items []map[string]types.AttributeValue) string {
	var b strings.Builder
	var write func(v types.AttributeValue)
	write = func(v types.AttributeValue) {
		switch x := v.(type) {
		case *types.AttributeValueMemberS:
			b.WriteString(x.Value)
		case *types.AttributeValueMemberN:
			b.WriteString(x.Value)
		case *types.AttributeValueMemberB:
			b.Write(x.Value)
		case *types.AttributeValueMemberM:
			for _, m := range x.Value {
				write(m)
			}
		case *types.AttributeValueMemberL:
			for _, m := range x.Value {
				write(m)
			}
		}
		b.WriteByte(' ')
	}
	for _, item := range items {
		for _, v := range item {
			write(v)
		}
	}
	return b.String()
}

// DynamoDB TTL deletes lazily ("Working with expired items"): a key reused after its 24 h window may still
// find its record. The repeat is a new request: a new order and a new charge, not a replay of the old one.
func TestPlaceOrderKeyReusedAfterExpiryStartsANewOrder(t *testing.T) {
	e := newTestEnv(t)
	first := e.place(alice, orderBody("basic", testCard), "k-expired")
	if first.StatusCode != 201 {
		t.Fatalf("first = %d %s", first.StatusCode, first.Body)
	}
	// The record outlives its expiresAt, as it may on AWS until TTL gets to it.
	_, err := e.db.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName:                 aws.String(idemTable),
		Key:                       map[string]types.AttributeValue{"key": &types.AttributeValueMemberS{Value: alice.sub + ":k-expired"}},
		UpdateExpression:          aws.String("SET #e = :past"),
		ConditionExpression:       aws.String("attribute_exists(#e)"),
		ExpressionAttributeNames:  map[string]string{"#e": "expiresAt"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":past": &types.AttributeValueMemberN{Value: fmt.Sprint(time.Now().Add(-time.Hour).Unix())}},
	})
	if err != nil {
		t.Fatalf("age the idempotency record: %v", err)
	}
	second := e.place(alice, orderBody("basic", testCard), "k-expired")
	if second.StatusCode != 201 || decodeView(t, second).ID == decodeView(t, first).ID {
		t.Fatalf("reuse after expiry = %d %s, want a new order (first %s)", second.StatusCode, second.Body, first.Body)
	}
	if charges, _, _ := e.pay.counts(); charges != 2 {
		t.Errorf("charges = %d, want 2", charges)
	}
	e.publish()
	if n := e.bus.Count(contracts.NameOrderPlaced); n != 2 {
		t.Errorf("OrderPlaced published %d times, want 2", n)
	}
}

// TestReplayStoredOutcome: an Idempotency-Key record keeps the outcome, not an HTTP status; records
// written with the status before are still read.
func TestReplayStoredOutcome(t *testing.T) {
	tests := []struct {
		name     string
		raw      string
		declined bool
	}{
		{"placed", `{"outcome":"placed","order":{"id":"o1"}}`, false},
		{"declined", `{"outcome":"declined","order":{"id":"o1"},"reason":"insufficient_funds"}`, true},
		{"placed, written with a status", `{"status":201,"order":{"id":"o1"}}`, false},
		{"declined, written with a status", `{"status":402,"order":{"id":"o1"},"reason":"insufficient_funds"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			view, err := replay([]byte(tt.raw))
			if tt.declined {
				if apperr.KindOf(err) != apperr.KindDeclined {
					t.Fatalf("err = %v, want declined", err)
				}
				return
			}
			if err != nil || view.ID != "o1" {
				t.Fatalf("view %+v, err %v", view, err)
			}
		})
	}
}
