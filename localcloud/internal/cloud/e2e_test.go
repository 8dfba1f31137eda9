package cloud_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestBookingLifecycle walks the seed's whole story on one local cloud: book by grade, reach the company,
// a manager confirms, the customer cancels — with mypage and SMS checked at each step.
func TestBookingLifecycle(t *testing.T) {
	t.Parallel()
	c := startCloud(t, nil)
	customer := newUser(t, c, "customers")
	manager := newUser(t, c, "managers")
	driver := newUser(t, c, "drivers")

	t.Run("fare by grade, paid in one step", func(t *testing.T) {
		for grade, fare := range map[string]float64{"basic": 3800, "prime": 5700, "platinum": 9500} {
			r := customer.do("POST", "/orders", orderBody(grade, goodCard))
			if r.Status != 201 || r.str("status") != "PAID" || r.Body["fare"] != fare {
				t.Errorf("%s: %d %s", grade, r.Status, r.RawBody)
			}
		}
	})

	taxiID := registerTaxi(t, driver, "prime", 2)
	body := orderBody("prime", goodCard)
	phone := body["phone"].(string)
	placed := customer.do("POST", "/orders", body, "Idempotency-Key", "lifecycle-1")
	if placed.Status != 201 {
		t.Fatalf("place order: %d %s", placed.Status, placed.RawBody)
	}
	orderID := placed.str("id")
	reservationID := "rsv-" + orderID

	t.Run("booking reaches the taxi company", func(t *testing.T) {
		eventually(t, "reservation REQUESTED", 20*time.Second, func() (bool, string) {
			r := manager.do("GET", "/reservations/"+reservationID, nil)
			return r.Status == 200 && r.str("status") == "REQUESTED", r.RawBody
		})
		list := manager.do("GET", "/reservations?status=REQUESTED", nil)
		found := false
		for _, it := range list.items() {
			found = found || it["id"] == reservationID
		}
		if !found {
			t.Errorf("reservation not in the manager's REQUESTED list: %s", list.RawBody)
		}
		waitMypageStatus(t, customer, orderID, "RESERVED")
	})

	t.Run("manager confirms, stock goes down", func(t *testing.T) {
		r := manager.do("POST", "/reservations/"+reservationID+"/confirm", map[string]any{"taxiId": taxiID})
		if r.Status != 202 {
			t.Fatalf("confirm: %d %s", r.Status, r.RawBody)
		}
		view := waitMypageStatus(t, customer, orderID, "CONFIRMED")
		if view.str("taxiId") != taxiID || view.str("taxiName") == "" {
			t.Errorf("mypage after confirm: %s", view.RawBody)
		}
		if got := taxiStock(t, driver, taxiID); got != 1 {
			t.Errorf("stock after assignment = %v, want 1", got)
		}
	})

	t.Run("cancel refunds, releases the taxi and shows CANCELED", func(t *testing.T) {
		r := customer.do("POST", "/orders/"+orderID+"/cancel", nil)
		if r.Status != 200 || r.str("status") != "CANCELED" {
			t.Fatalf("cancel: %d %s", r.Status, r.RawBody)
		}
		again := customer.do("POST", "/orders/"+orderID+"/cancel", nil)
		if again.Status != 200 {
			t.Errorf("repeated cancel: %d %s", again.Status, again.RawBody)
		}
		view := waitMypageStatus(t, customer, orderID, "CANCELED")
		var history []string
		for _, h := range view.Body["history"].([]any) {
			history = append(history, h.(map[string]any)["status"].(string))
		}
		if strings.Join(history, ",") != "PAID,RESERVED,CONFIRMED,CANCELED" {
			t.Errorf("history = %v", history)
		}
		pays := customer.do("GET", "/paymentHistories?orderId="+orderID, nil)
		if items := pays.items(); len(items) != 1 || items[0]["status"] != "CANCELED" {
			t.Errorf("payments after cancel: %s", pays.RawBody)
		}
		if strings.Contains(pays.RawBody, goodCard) {
			t.Error("payment history exposes the card number")
		}
		eventually(t, "reservation CANCELED and taxi released", 20*time.Second, func() (bool, string) {
			res := manager.do("GET", "/reservations/"+reservationID, nil)
			return res.str("status") == "CANCELED" && taxiStock(t, driver, taxiID) == 2, res.RawBody
		})
	})

	t.Run("every status change announced exactly once", func(t *testing.T) {
		waitAnnounced(t, c, phone, 20*time.Second, "PAID", "RESERVED", "CONFIRMED", "CANCELED")
		// Nothing more arrives once the statuses have settled: a later order's SMS is our barrier.
		barrier := orderBody("basic", goodCard)
		b := customer.do("POST", "/orders", barrier)
		waitMypageStatus(t, customer, b.str("id"), "RESERVED")
		waitAnnounced(t, c, barrier["phone"].(string), 20*time.Second, "PAID", "RESERVED")
		if statuses, texts := smsStatuses(t, c, phone); len(statuses) != 4 {
			t.Errorf("SMS for the booking announce %v: %q", statuses, texts)
		}
	})

	t.Run("mypage lists own bookings only, newest first", func(t *testing.T) {
		list := customer.do("GET", "/mypages", nil)
		if list.Status != 200 || len(list.items()) < 4 {
			t.Fatalf("mypages: %d %s", list.Status, list.RawBody)
		}
		other := newUser(t, c, "customers")
		if r := other.do("GET", "/mypages/"+orderID, nil); r.Status != 404 && r.Status != 403 {
			t.Errorf("another customer reads the booking: %d", r.Status)
		}
		if r := other.do("POST", "/orders/"+orderID+"/cancel", nil); r.Status != 404 && r.Status != 403 {
			t.Errorf("another customer cancels the booking: %d", r.Status)
		}
		if r := other.do("GET", "/mypages", nil); len(r.items()) != 0 {
			t.Errorf("another customer sees bookings: %s", r.RawBody)
		}
	})
}

func TestDeclinedCardBooksNothing(t *testing.T) {
	t.Parallel()
	c := startCloud(t, nil)
	customer := newUser(t, c, "customers")
	manager := newUser(t, c, "managers")

	declined := orderBody("basic", "4000000000000002")
	r := customer.do("POST", "/orders", declined)
	if r.Status != http.StatusPaymentRequired || r.errorCode() != "PAYMENT_DECLINED" {
		t.Fatalf("declined card: %d %s", r.Status, r.RawBody)
	}
	// A paid booking placed after it is the barrier: once its reservation exists, the declined order
	// would have produced one too.
	ok := customer.do("POST", "/orders", orderBody("basic", goodCard))
	waitMypageStatus(t, customer, ok.str("id"), "RESERVED")

	list := customer.do("GET", "/mypages", nil)
	if n := len(list.items()); n != 1 {
		t.Errorf("mypages after a declined and a paid order = %d items: %s", n, list.RawBody)
	}
	reservations := manager.do("GET", "/reservations?status=REQUESTED", nil)
	if n := len(reservations.items()); n != 1 {
		t.Errorf("reservations = %d, want only the paid one: %s", n, reservations.RawBody)
	}
	if sms := smsFor(t, c, declined["phone"].(string)); len(sms) != 0 {
		t.Errorf("declined order sent SMS: %q", sms)
	}
}

func TestLastTaxiContestedByTwoManagers(t *testing.T) {
	t.Parallel()
	c := startCloud(t, nil)
	customer := newUser(t, c, "customers")
	managers := []*user{newUser(t, c, "managers"), newUser(t, c, "managers")}
	driver := newUser(t, c, "drivers")
	taxiID := registerTaxi(t, driver, "platinum", 1)

	var reservationIDs []string
	for i := 0; i < 2; i++ {
		o := customer.do("POST", "/orders", orderBody("platinum", goodCard))
		waitMypageStatus(t, customer, o.str("id"), "RESERVED")
		reservationIDs = append(reservationIDs, "rsv-"+o.str("id"))
	}
	var wg sync.WaitGroup
	for i, m := range managers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := m.do("POST", "/reservations/"+reservationIDs[i]+"/confirm", map[string]any{"taxiId": taxiID}); r.Status != 202 {
				t.Errorf("confirm %d: %d %s", i, r.Status, r.RawBody)
			}
		}()
	}
	wg.Wait()

	var confirmed, rejected int
	eventually(t, "both assignments decided", 20*time.Second, func() (bool, string) {
		confirmed, rejected = 0, 0
		var states []string
		for _, id := range reservationIDs {
			r := managers[0].do("GET", "/reservations/"+id, nil)
			states = append(states, r.str("status")+"/"+r.str("rejectReason"))
			switch {
			case r.str("status") == "CONFIRMED":
				confirmed++
			case r.str("status") == "REQUESTED" && r.str("rejectReason") != "":
				rejected++
			}
		}
		return confirmed+rejected == 2, strings.Join(states, ", ")
	})
	if confirmed != 1 || rejected != 1 {
		t.Errorf("confirmed=%d rejected=%d, want exactly one winner", confirmed, rejected)
	}
	if got := taxiStock(t, driver, taxiID); got != 0 {
		t.Errorf("stock = %v, want 0", got)
	}
}

func TestDriverManagesAvailability(t *testing.T) {
	t.Parallel()
	c := startCloud(t, nil)
	driver := newUser(t, c, "drivers")
	other := newUser(t, c, "drivers")
	customer := newUser(t, c, "customers")

	taxiID := registerTaxi(t, driver, "basic", 3)
	if r := driver.do("PATCH", "/taxis/"+taxiID, map[string]any{"stockCnt": 5}); r.Status != 200 {
		t.Fatalf("update: %d %s", r.Status, r.RawBody)
	}
	if got := taxiStock(t, customer, taxiID); got != 5 {
		t.Errorf("stock = %v, want 5", got)
	}
	tests := []struct {
		name   string
		who    *user
		method string
		path   string
		body   any
		status int
	}{
		{"other driver cannot update", other, "PATCH", "/taxis/" + taxiID, map[string]any{"stockCnt": 0}, 403},
		{"customer cannot register", customer, "POST", "/taxis", map[string]any{"taxiName": "x", "companyName": "y", "grade": "basic", "stockCnt": 1, "itemPrice": 1}, 403},
		{"negative stock", driver, "PATCH", "/taxis/" + taxiID, map[string]any{"stockCnt": -1}, 400},
		{"bad grade", driver, "POST", "/taxis", map[string]any{"taxiName": "x", "companyName": "y", "grade": "gold", "stockCnt": 1, "itemPrice": 1}, 400},
		{"unknown field", driver, "POST", "/taxis", `{"taxiName":"x","colour":"red"}`, 400},
		{"malformed JSON", driver, "POST", "/taxis", `{"taxiName":`, 400},
	}
	for _, tt := range tests {
		if r := tt.who.do(tt.method, tt.path, tt.body); r.Status != tt.status {
			t.Errorf("%s: %d %s, want %d", tt.name, r.Status, r.RawBody, tt.status)
		}
	}
}

func TestAuthorizer(t *testing.T) {
	t.Parallel()
	c := startCloud(t, nil)
	expired, err := c.MintToken("someone", []string{"customers"}, -time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	customer := newUser(t, c, "customers")
	tests := []struct {
		name    string
		headers []string
		path    string
		status  int
	}{
		{"no token", nil, "/mypages", 401},
		{"expired", []string{"Authorization", "Bearer " + expired}, "/mypages", 401},
		{"forged", []string{"Authorization", "Bearer " + customer.token[:len(customer.token)-4] + "AAAA"}, "/mypages", 401},
		{"customer on manager route", []string{"Authorization", "Bearer " + customer.token}, "/reservations", 403},
		{"unknown route", []string{"Authorization", "Bearer " + customer.token}, "/nope", 404},
	}
	for _, tt := range tests {
		if r := call(t, c, "GET", tt.path, nil, tt.headers...); r.Status != tt.status {
			t.Errorf("%s: %d %s, want %d", tt.name, r.Status, r.RawBody, tt.status)
		}
	}
	big := fmt.Sprintf(`{"name":"%s"}`, strings.Repeat("x", 70<<10))
	if r := customer.do("POST", "/orders", big); r.Status != 413 && r.Status != 400 {
		t.Errorf("oversize body: %d", r.Status)
	}
}
