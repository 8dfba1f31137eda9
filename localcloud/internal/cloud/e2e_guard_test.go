package cloud_test

import (
	"sync"
	"testing"
	"time"
)

// The overload guard guards charges only (issue 9): while charges keep payment's reserved concurrency
// (1) full behind a slow gateway, further charges are told to retry (429 + Retry-After), and
// GET /paymentHistories, served by the unreserved PaymentRecordsFunction, still answers 200.
func TestPaymentGuardSaturatedHistoryStillServed(t *testing.T) {
	t.Parallel()
	c := startCloud(t, map[string]string{"PaymentConcurrency": "1", "PaymentGatewayLatencyMs": "1500"})
	customer := newUser(t, c, "customers")

	paid := customer.do("POST", "/orders", orderBody("basic", goodCard))
	if paid.Status != 201 {
		t.Fatalf("first order: %d %s", paid.Status, paid.RawBody)
	}

	const chargers = 4
	stop := make(chan struct{})
	var (
		mu       sync.Mutex
		statuses = map[int]int{}
		busy     []response
		wg       sync.WaitGroup
	)
	for range chargers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				r := customer.do("POST", "/orders", orderBody("basic", goodCard))
				mu.Lock()
				statuses[r.Status]++
				if r.Status == 429 {
					busy = append(busy, r)
				}
				mu.Unlock()
				if r.Status == 429 {
					time.Sleep(50 * time.Millisecond) // keep trying, gently, so the guard stays full
				}
			}
		}()
	}
	deadline := time.Now().Add(5 * time.Second)
	reads := 0
	for time.Now().Before(deadline) {
		h := customer.do("GET", "/paymentHistories?orderId="+paid.str("id"), nil)
		reads++
		if h.Status != 200 || len(h.items()) != 1 {
			t.Errorf("history read while charges fill the guard: %d %s", h.Status, h.RawBody)
		}
		time.Sleep(100 * time.Millisecond)
	}
	close(stop)
	wg.Wait()

	t.Logf("charges by status %v; %d history reads", statuses, reads)
	if len(busy) == 0 {
		t.Fatal("no charge was throttled: the guard was never full")
	}
	for _, r := range busy {
		if r.Header.Get("Retry-After") == "" || r.errorCode() != "PAYMENT_BUSY" {
			t.Errorf("throttled charge: %s (Retry-After %q), want PAYMENT_BUSY with Retry-After", r.RawBody, r.Header.Get("Retry-After"))
		}
	}
	for status, n := range statuses {
		if status != 201 && status != 429 {
			t.Errorf("%d charges answered %d, want only 201 or 429", n, status)
		}
	}
}
