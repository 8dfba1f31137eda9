package cloud_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/calltaxi/call-taxi/localcloud/internal/cloud"
	"github.com/calltaxi/call-taxi/shared/contracts"
)

// TestDispatch follows bookings from where and when to the end of the ride: the manager sees the pickup
// details, the assigned driver picks up and completes, the taxi comes back exactly once, and no one else
// may act on the ride.
func TestDispatch(t *testing.T) {
	t.Parallel()
	c := startCloud(t, nil)
	customer := newUser(t, c, "customers")
	manager := newUser(t, c, "managers")
	driver := newUser(t, c, "drivers")
	otherDriver := newUser(t, c, "drivers")
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a bad pickupAt answers 400 naming the field", func(t *testing.T) {
		for name, pickupAt := range map[string]string{
			"in the past":       time.Now().Add(-time.Hour).Format(time.RFC3339),
			"too soon":          time.Now().Add(5 * time.Minute).Format(time.RFC3339),
			"too far ahead":     time.Now().Add(8 * 24 * time.Hour).Format(time.RFC3339),
			"without an offset": time.Now().Add(time.Hour).In(seoul).Format("2006-01-02T15:04:05"),
			"unparseable":       "tomorrow at nine",
		} {
			body := orderBody("basic", goodCard)
			body["pickupAt"] = pickupAt
			r := customer.do("POST", "/orders", body)
			e, _ := r.Body["error"].(map[string]any)
			if r.Status != 400 || r.errorCode() != "VALIDATION_FAILED" || e["field"] != "pickupAt" {
				t.Errorf("%s (%s): %d %s", name, pickupAt, r.Status, r.RawBody)
			}
		}
		body := orderBody("basic", goodCard)
		delete(body, "pickup")
		if r := customer.do("POST", "/orders", body); r.Status != 400 || !strings.Contains(r.RawBody, `"field":"pickup"`) {
			t.Errorf("no pickup: %d %s", r.Status, r.RawBody)
		}
	})

	t.Run("an Idempotency-Key replay with another pickup is 409", func(t *testing.T) {
		body := orderBody("basic", goodCard)
		if r := customer.do("POST", "/orders", body, "Idempotency-Key", "dispatch-replay"); r.Status != 201 {
			t.Fatalf("first: %d %s", r.Status, r.RawBody)
		}
		body["pickup"] = "Hongdae Station"
		if r := customer.do("POST", "/orders", body, "Idempotency-Key", "dispatch-replay"); r.Status != 409 {
			t.Errorf("replay with another pickup: %d %s", r.Status, r.RawBody)
		}
	})

	taxiID := registerTaxi(t, driver, "prime", 2)
	pickupAt := time.Now().Add(3 * time.Hour).In(seoul).Truncate(time.Minute)
	body := orderBody("prime", goodCard)
	body["pickupAt"] = pickupAt.Format(time.RFC3339)
	body["note"] = "Two suitcases"
	phone := body["phone"].(string)
	placed := customer.do("POST", "/orders", body)
	if placed.Status != 201 {
		t.Fatalf("place: %d %s", placed.Status, placed.RawBody)
	}
	orderID := placed.str("id")
	reservationID := "rsv-" + orderID
	wantPickupAt := pickupAt.UTC().Format("2006-01-02T15:04:05.000Z")

	t.Run("a scheduled booking reaches the manager with its pickup details", func(t *testing.T) {
		path := "/reservations?status=REQUESTED&date=" + pickupAt.Format(time.DateOnly)
		var item map[string]any
		eventually(t, "the booking on the manager's board of its day", 20*time.Second, func() (bool, string) {
			list := manager.do("GET", path, nil)
			for _, it := range list.items() {
				if it["id"] == reservationID {
					item = it
					return true, ""
				}
			}
			return false, list.RawBody
		})
		want := map[string]any{"pickup": "Gangnam Station", "destination": "Seoul Station", "pickupAt": wantPickupAt,
			"note": "Two suitcases", "customerName": "Kim Minsu", "customerPhone": phone}
		for k, v := range want {
			if item[k] != v {
				t.Errorf("%s = %v, want %v (%v)", k, item[k], v, item)
			}
		}
		other := manager.do("GET", "/reservations?status=REQUESTED&date="+pickupAt.AddDate(0, 0, 2).Format(time.DateOnly), nil)
		if strings.Contains(other.RawBody, reservationID) {
			t.Errorf("listed on another day: %s", other.RawBody)
		}
		got := manager.do("GET", "/reservations/"+reservationID, nil)
		if got.str("pickupAt") != wantPickupAt || got.str("customerPhone") != phone {
			t.Errorf("GET /reservations/{id}: %s", got.RawBody)
		}
		view := waitMypageStatus(t, customer, orderID, "RESERVED")
		if view.str("pickup") != "Gangnam Station" || view.str("pickupAt") != wantPickupAt || strings.Contains(view.RawBody, phone) {
			t.Errorf("mypage: %s", view.RawBody)
		}
	})

	t.Run("assigned: the driver sees it, the customer is told the taxi and the time", func(t *testing.T) {
		if r := manager.do("POST", "/reservations/"+reservationID+"/confirm", map[string]any{"taxiId": taxiID}); r.Status != 202 {
			t.Fatalf("confirm: %d %s", r.Status, r.RawBody)
		}
		view := waitMypageStatus(t, customer, orderID, "CONFIRMED")
		if view.str("taxiName") != "Sonata prime" {
			t.Errorf("mypage taxi: %s", view.RawBody)
		}
		if got := taxiStock(t, driver, taxiID); got != 1 {
			t.Errorf("stock after assignment = %v, want 1", got)
		}
		list := driver.do("GET", "/assignments", nil)
		if items := list.items(); len(items) != 1 || items[0]["id"] != reservationID || items[0]["customerPhone"] != phone {
			t.Errorf("driver's assignments: %s", list.RawBody)
		}
		if other := otherDriver.do("GET", "/assignments", nil); other.Status != 200 || len(other.items()) != 0 {
			t.Errorf("another driver's assignments: %s", other.RawBody)
		}
		when := pickupAt.Format("01-02 15:04")
		eventually(t, "the confirmation SMS", 20*time.Second, func() (bool, string) {
			texts := smsFor(t, c, phone)
			for _, text := range texts {
				if strings.Contains(text, "Sonata prime") && strings.Contains(text, when) {
					return true, ""
				}
			}
			return false, strings.Join(texts, " | ")
		})
	})

	t.Run("a second driver cannot pick up or complete another's ride", func(t *testing.T) {
		for _, step := range []string{"pickup", "complete"} {
			if r := otherDriver.do("POST", "/reservations/"+reservationID+"/"+step, nil); r.Status != 403 {
				t.Errorf("%s by another driver: %d %s", step, r.Status, r.RawBody)
			}
		}
		if r := manager.do("POST", "/reservations/"+reservationID+"/pickup", nil); r.Status != 403 {
			t.Errorf("pickup by a manager: %d %s", r.Status, r.RawBody)
		}
	})

	t.Run("picked up: cancel is 409", func(t *testing.T) {
		if r := driver.do("POST", "/reservations/"+reservationID+"/complete", nil); r.Status != 409 {
			t.Errorf("complete before pickup: %d %s", r.Status, r.RawBody)
		}
		if r := driver.do("POST", "/reservations/"+reservationID+"/pickup", nil); r.Status != 200 || r.str("status") != "PICKED_UP" {
			t.Fatalf("pickup: %d %s", r.Status, r.RawBody)
		}
		waitMypageStatus(t, customer, orderID, "PICKED_UP")
		eventually(t, "the order to know of the pickup", 20*time.Second, func() (bool, string) {
			r := customer.do("GET", "/orders/"+orderID, nil)
			return r.Body["pickedUpAt"] != nil, r.RawBody
		})
		if r := customer.do("POST", "/orders/"+orderID+"/cancel", nil); r.Status != 409 || r.errorCode() != "CONFLICT" {
			t.Errorf("cancel after pickup: %d %s", r.Status, r.RawBody)
		}
		if r := otherDriver.do("POST", "/reservations/"+reservationID+"/complete", nil); r.Status != 403 {
			t.Errorf("complete by another driver: %d %s", r.Status, r.RawBody)
		}
	})

	t.Run("complete gives the taxi back exactly once, even delivered again", func(t *testing.T) {
		c.SetChaos(cloud.Chaos{DuplicateEventDelivery: true}) // every event reaches its queue twice
		defer c.SetChaos(cloud.Chaos{})
		if r := driver.do("POST", "/reservations/"+reservationID+"/complete", nil); r.Status != 200 || r.str("status") != "COMPLETED" {
			t.Fatalf("complete: %d %s", r.Status, r.RawBody)
		}
		if r := driver.do("POST", "/reservations/"+reservationID+"/complete", nil); r.Status != 200 {
			t.Errorf("complete again: %d %s", r.Status, r.RawBody)
		}
		eventually(t, "the taxi back", 20*time.Second, func() (bool, string) {
			return taxiStock(t, driver, taxiID) == 2, ""
		})
		// A late redelivery of the same completion, as EventBridge may make.
		putEvent(t, c, &contracts.ReservationCompleted{Meta: contracts.Meta{EventID: "late-redelivery"}, ReservationID: reservationID, OrderID: orderID, TaxiID: taxiID})
		waitQueueDrained(t, c, "-taxi-events")
		if got := taxiStock(t, driver, taxiID); got != 2 {
			t.Errorf("stock after duplicate completions = %v, want 2", got)
		}
		view := waitMypageStatus(t, customer, orderID, "COMPLETED")
		var history []string
		for _, h := range view.Body["history"].([]any) {
			history = append(history, h.(map[string]any)["status"].(string))
		}
		if strings.Join(history, ",") != "PAID,RESERVED,CONFIRMED,PICKED_UP,COMPLETED" {
			t.Errorf("history %v", history)
		}
		list := driver.do("GET", "/assignments", nil)
		if items := list.items(); len(items) != 1 || items[0]["status"] != "COMPLETED" {
			t.Errorf("driver's assignments after the ride: %s", list.RawBody)
		}
	})
}

// putEvent puts one domain event on the stack's bus, as a publisher (or a redelivery) would.
func putEvent(t *testing.T, c *cloud.Cloud, ev contracts.Event) {
	t.Helper()
	detail, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	eb := eventbridge.New(eventbridge.Options{Region: "us-east-1", BaseEndpoint: aws.String(c.ServicesURL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	out, err := eb.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		EventBusName: aws.String(c.Template.Buses["CallTaxiBus"].Name), Source: aws.String(ev.EventSource()),
		DetailType: aws.String(ev.EventName()), Detail: aws.String(string(detail)),
	}}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("put %s: %v %+v", ev.EventName(), err, out)
	}
}

// waitQueueDrained waits until the bus has delivered every event and the queue whose name ends with
// suffix holds no message (each was handled and deleted).
func waitQueueDrained(t *testing.T, c *cloud.Cloud, suffix string) {
	t.Helper()
	queue := ""
	for _, q := range c.SQS.QueueNames() {
		if strings.HasSuffix(q, suffix) {
			queue = q
		}
	}
	if queue == "" {
		t.Fatalf("no queue ends with %s: %v", suffix, c.SQS.QueueNames())
	}
	eventually(t, queue+" drained", 20*time.Second, func() (bool, string) {
		for _, ev := range c.Bus.Recent(20) {
			for _, d := range ev.Deliveries {
				if strings.HasSuffix(d.Queue, suffix) && d.State != "delivered" {
					return false, ev.DetailType + " " + string(d.State)
				}
			}
		}
		visible, inFlight, delayed := c.SQS.Counts(queue)
		return visible+inFlight+delayed == 0, ""
	})
}
