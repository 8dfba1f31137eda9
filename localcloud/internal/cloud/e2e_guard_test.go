package cloud_test

import (
	"sync"
	"testing"
	"time"
)

// The overload guard guards charges only (issue 9): with payment's reserved concurrency taken by a slow
// charge, another charge is told to retry (429 + Retry-After), while GET /paymentHistories, served by the
// unreserved PaymentRecordsFunction, still answers 200.
func TestPaymentGuardSaturatedHistoryStillServed(t *testing.T) {
	c := startCloud(t, map[string]string{"PaymentConcurrency": "1", "PaymentGatewayLatencyMs": "3000"})
	customer := newUser(t, c, "customers")

	paid := customer.do("POST", "/orders", orderBody("basic", goodCard))
	if paid.Status != 201 {
		t.Fatalf("first order: %d %s", paid.Status, paid.RawBody)
	}

	var wg sync.WaitGroup
	wg.Add(1)
	var slow response
	go func() { // holds payment's only execution environment for 3 s
		defer wg.Done()
		slow = customer.do("POST", "/orders", orderBody("basic", goodCard), "Idempotency-Key", "guard-slow")
	}()
	eventually(t, "payment busy with the slow charge", 20*time.Second, func() (bool, string) {
		r := customer.do("POST", "/orders", orderBody("basic", goodCard)) // a new order each time
		return r.Status == 429, r.RawBody
	})
	throttled := customer.do("POST", "/orders", orderBody("basic", goodCard), "Idempotency-Key", "guard-throttled")
	if throttled.Status != 429 || throttled.Header.Get("Retry-After") == "" || throttled.errorCode() != "PAYMENT_BUSY" {
		t.Errorf("charge while the guard is full: %d %s (Retry-After %q), want 429 PAYMENT_BUSY", throttled.Status, throttled.RawBody, throttled.Header.Get("Retry-After"))
	}
	for i := range 5 {
		h := customer.do("GET", "/paymentHistories?orderId="+paid.str("id"), nil)
		if h.Status != 200 || len(h.items()) != 1 {
			t.Errorf("history read %d while the guard is full: %d %s", i, h.Status, h.RawBody)
		}
	}
	wg.Wait()
	if slow.Status != 201 {
		t.Errorf("the slow charge: %d %s", slow.Status, slow.RawBody)
	}
}
