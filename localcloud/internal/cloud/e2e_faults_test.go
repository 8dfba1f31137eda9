package cloud_test

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// stopFunction runs a fault drill (POST /_local/functions/{name}/{stop|fail|start}) and checks the
// state it reports, the same state GET /_local/functions lists.
func stopFunction(t *testing.T, u *user, name, action string) {
	t.Helper()
	want := map[string]string{"stop": "throttled", "fail": "failing", "start": "running"}[action]
	r := call(t, u.c, "POST", "/_local/functions/"+name+"/"+action, nil)
	if r.Status != 200 || r.str("state") != want {
		t.Fatalf("%s %s: %d %s, want state %q", action, name, r.Status, r.RawBody, want)
	}
	physical := r.str("function")
	fns := call(t, u.c, "GET", "/_local/functions", nil)
	listed, _ := fns.Body["functions"].([]any)
	for _, f := range listed {
		if m, _ := f.(map[string]any); m["name"] == physical {
			if m["state"] != want {
				t.Fatalf("GET /_local/functions lists %s as %v, want %q", physical, m["state"], want)
			}
			return
		}
	}
	t.Fatalf("GET /_local/functions does not list %s: %s", physical, fns.RawBody)
}

// Payment down: the customer is told to retry, nothing is processed, and the same key succeeds later.
// "stop" is what AWS shows with reserved concurrency 0 (the Invoke API answers 429
// TooManyRequestsException, so the order API says busy); "fail" is a broken deploy (a function
// error, so the order API says unavailable).
func TestPaymentStoppedThenResumed(t *testing.T) {
	t.Parallel()
	c := startCloud(t, nil)
	customer := newUser(t, c, "customers")
	manager := newUser(t, c, "managers")

	tests := []struct {
		drill  string
		status int
		code   string
	}{
		{"stop", 429, "PAYMENT_BUSY"},
		{"fail", 503, "PAYMENT_UNAVAILABLE"},
	}
	for _, tt := range tests {
		t.Run(tt.drill, func(t *testing.T) {
			key := "pay-down-" + tt.drill
			requested := len(manager.do("GET", "/reservations?status=REQUESTED", nil).items())
			stopFunction(t, customer, "PaymentFunction", tt.drill)
			body := orderBody("basic", goodCard)
			r := customer.do("POST", "/orders", body, "Idempotency-Key", key)
			if r.Status != tt.status || r.Header.Get("Retry-After") == "" || r.errorCode() != tt.code {
				t.Fatalf("order while payment is down (%s): %d %s (Retry-After %q), want %d %s",
					tt.drill, r.Status, r.RawBody, r.Header.Get("Retry-After"), tt.status, tt.code)
			}
			if list := manager.do("GET", "/reservations?status=REQUESTED", nil); len(list.items()) != requested {
				t.Errorf("a reservation exists for an unpaid order: %s", list.RawBody)
			}

			stopFunction(t, customer, "PaymentFunction", "start")
			again := customer.do("POST", "/orders", body, "Idempotency-Key", key)
			if again.Status != 201 || again.str("status") != "PAID" {
				t.Fatalf("retry after start: %d %s", again.Status, again.RawBody)
			}
			replay := customer.do("POST", "/orders", body, "Idempotency-Key", key)
			if replay.Status != 201 || replay.str("id") != again.str("id") {
				t.Errorf("replay: %d %s, want the same order %s", replay.Status, replay.RawBody, again.str("id"))
			}
			pays := customer.do("GET", "/paymentHistories?orderId="+again.str("id"), nil)
			if n := len(pays.items()); n != 1 {
				t.Errorf("payments = %d, want exactly one: %s", n, pays.RawBody)
			}
			waitMypageStatus(t, customer, again.str("id"), "RESERVED")
		})
	}
}

// The manager side down: bookings are still taken and reach the company once it is back.
func TestReservationStoppedOrdersStillTaken(t *testing.T) {
	t.Parallel()
	c := startCloud(t, nil)
	customer := newUser(t, c, "customers")
	manager := newUser(t, c, "managers")

	stopFunction(t, customer, "ReservationFunction", "stop")
	var ids []string
	for i := 0; i < 3; i++ {
		r := customer.do("POST", "/orders", orderBody("prime", goodCard))
		if r.Status != 201 {
			t.Fatalf("order %d while reservation is stopped: %d %s", i, r.Status, r.RawBody)
		}
		ids = append(ids, r.str("id"))
	}
	waitMypageStatus(t, customer, ids[0], "PAID")

	stopFunction(t, customer, "ReservationFunction", "start")
	for _, id := range ids {
		eventually(t, "reservation for "+id, 30*time.Second, func() (bool, string) {
			r := manager.do("GET", "/reservations/rsv-"+id, nil)
			return r.Status == 200 && r.str("status") == "REQUESTED", r.RawBody
		})
		waitMypageStatus(t, customer, id, "RESERVED")
	}
}

// Payment at its reserved concurrency: some customers are told to retry (429), none get a 5xx, and
// retrying with the same key never charges twice.
func TestPaymentThrottled(t *testing.T) {
	t.Parallel()
	c := startCloud(t, map[string]string{"PaymentConcurrency": "1", "PaymentGatewayLatencyMs": "300"})
	customer := newUser(t, c, "customers")

	const clients = 12
	type outcome struct {
		key    string
		body   map[string]any
		status int
		retry  string
		id     string
	}
	outcomes := make([]outcome, clients)
	var wg sync.WaitGroup
	for i := range outcomes {
		outcomes[i] = outcome{key: fmt.Sprintf("throttle-%d", i), body: orderBody("basic", goodCard)}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := customer.do("POST", "/orders", outcomes[i].body, "Idempotency-Key", outcomes[i].key)
			outcomes[i].status, outcomes[i].retry, outcomes[i].id = r.Status, r.Header.Get("Retry-After"), r.str("id")
		}()
	}
	wg.Wait()

	throttled := 0
	for _, o := range outcomes {
		switch {
		case o.status == 429:
			throttled++
			if o.retry == "" {
				t.Errorf("429 without Retry-After")
			}
		case o.status == 201:
		default:
			t.Errorf("order %s: status %d, want 201 or 429", o.key, o.status)
		}
	}
	if throttled == 0 {
		t.Errorf("no request was throttled with payment concurrency 1 and %d concurrent clients", clients)
	}

	// Everyone retries with their key until served; each order is charged exactly once.
	for i := range outcomes {
		o := &outcomes[i]
		eventually(t, "order "+o.key+" served", 60*time.Second, func() (bool, string) {
			if o.status == 201 {
				return true, ""
			}
			r := customer.do("POST", "/orders", o.body, "Idempotency-Key", o.key)
			if r.Status >= 500 {
				t.Errorf("retry of %s: %d %s", o.key, r.Status, r.RawBody)
			}
			o.status, o.id = r.Status, r.str("id")
			return o.status == 201, r.RawBody
		})
		pays := customer.do("GET", "/paymentHistories?orderId="+o.id, nil)
		if items := pays.items(); len(items) != 1 || items[0]["status"] != "APPROVED" {
			t.Errorf("order %s payments: %s", o.id, pays.RawBody)
		}
	}
	fns := call(t, c, "GET", "/_local/functions", nil)
	t.Logf("throttled %d of %d; functions: %.300s", throttled, clients, fns.RawBody)
}
