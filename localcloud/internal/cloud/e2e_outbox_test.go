package cloud_test

import (
	"testing"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/cloud"
)

// No charge without a booking (issue 14): with every PutEvents failing, customers pay once — some with an
// Idempotency-Key, some without — take whatever answer they get (201 or 503) and never retry. Once
// PutEvents recovers, each booking reaches the company (RESERVED) and each customer has exactly one
// approved payment: the change and its event cannot part, because events come from the tables' streams.
func TestPutEventsFailingCustomersWhoNeverRetryStillGetTheirBooking(t *testing.T) {
	t.Parallel()
	c := startCloud(t, nil)
	customer := newUser(t, c, "customers")

	c.SetChaos(cloud.Chaos{PutEventsFailureRate: 1})
	var charged []string
	for i := range 4 {
		headers := []string{}
		if i%2 == 0 {
			headers = append(headers, "Idempotency-Key", "walks-away-"+string(rune('a'+i)))
		}
		r := customer.do("POST", "/orders", orderBody("basic", goodCard), headers...)
		switch r.Status {
		case 201:
			charged = append(charged, r.str("id"))
		case 503:
			t.Logf("order %d answered 503 %s; the customer walks away", i, r.RawBody)
		default:
			t.Fatalf("order %d: %d %s", i, r.Status, r.RawBody)
		}
	}
	// Nothing can have reached the company while no event can be published.
	for _, id := range charged {
		if r := customer.do("GET", "/mypages/"+id, nil); r.str("status") == "RESERVED" {
			t.Fatalf("booking %s is RESERVED while PutEvents fails", id)
		}
	}

	c.SetChaos(cloud.Chaos{})
	orders := customerOrders(t, c, customer.sub)
	if len(orders) < 4 {
		t.Fatalf("found %d orders of the customer, want the 4 placed", len(orders))
	}
	for _, id := range orders {
		eventually(t, "booking "+id+" to reach the company", 30*time.Second, func() (bool, string) {
			r := customer.do("GET", "/mypages/"+id, nil)
			return r.Status == 200 && (r.str("status") == "RESERVED" || r.str("status") == "CONFIRMED"), r.RawBody
		})
		pays := customer.do("GET", "/paymentHistories?orderId="+id, nil)
		approved := 0
		for _, p := range pays.items() {
			if p["status"] == "APPROVED" {
				approved++
			}
		}
		if approved != 1 {
			t.Errorf("order %s has %d approved payments, want exactly 1: %s", id, approved, pays.RawBody)
		}
	}
}

// customerOrders lists the ids of every order the customer has, whatever they were told.
func customerOrders(t *testing.T, c *cloud.Cloud, customerID string) []string {
	t.Helper()
	items, err := c.DynamoDB.Scan(c.Template.Tables["OrdersTable"].Name)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, it := range items {
		if it["customerId"] == customerID {
			if id, ok := it["id"].(string); ok {
				ids = append(ids, id)
			}
		}
	}
	return ids
}
