package cloud_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/cloud"
)

func withTimeScale(scale float64) func(*cloud.Config) {
	return func(cfg *cloud.Config) { cfg.TimeScale = scale }
}

// dlqCounts reads /_local/dlq's message count per dead-letter queue.
func dlqCounts(t *testing.T, c *cloud.Cloud) map[string]int {
	t.Helper()
	r := call(t, c, "GET", "/_local/dlq", nil)
	var body struct {
		Counts map[string]int `json:"counts"`
	}
	if err := json.Unmarshal([]byte(r.RawBody), &body); err != nil || r.Status != 200 {
		t.Fatalf("GET /_local/dlq: %d %s", r.Status, r.RawBody)
	}
	return body.Counts
}

func totalDeadLetters(counts map[string]int) int {
	n := 0
	for _, v := range counts {
		n += v
	}
	return n
}

// The durable-delivery promise (Lambda guide "Using Lambda with Amazon SQS", "Handling errors for an SQS
// event source"): the reservation context returns a function error for two hours of AWS time (a broken
// deploy, not a throttle); bookings are taken meanwhile; its queue keeps re-delivering them after each
// visibility timeout, nothing reaches a dead-letter queue, and after the fix every booking reaches the
// company with exactly one SMS per status.
func TestReservationFailingForTwoHoursLosesNothing(t *testing.T) {
	t.Parallel()
	c := startCloud(t, nil, withTimeScale(600)) // ten minutes of AWS time per wall second
	customer := newUser(t, c, "customers")
	manager := newUser(t, c, "managers")

	stopFunction(t, customer, "ReservationFunction", "fail")
	failingSince := c.Clock.Now()
	type booking struct{ id, phone string }
	var bookings []booking
	for i := 0; i < 6; i++ {
		body := orderBody("prime", goodCard)
		r := placeOrder(t, customer, body)
		if r.Status != 201 {
			t.Fatalf("order %d while reservation fails: %d %s", i, r.Status, r.RawBody)
		}
		bookings = append(bookings, booking{r.str("id"), body["phone"].(string)})
	}
	queue := c.Template.Queues["ReservationEventsQueue"].Name
	eventually(t, "the failing consumer's messages to be received again and again", time.Minute, func() (bool, string) {
		msgs := c.SQS.Messages(queue)
		retried := 0
		for _, m := range msgs {
			if m.ApproximateReceiveCount >= 3 {
				retried++
			}
		}
		return retried >= len(bookings), fmt.Sprintf("%d messages, %d received 3+ times", len(msgs), retried)
	})
	if err := c.Clock.Sleep(context.Background(), 2*time.Hour-c.Clock.Since(failingSince)); err != nil {
		t.Fatal(err)
	}
	if n := totalDeadLetters(dlqCounts(t, c)); n != 0 {
		t.Fatalf("after two hours of failing, %d message(s) are in dead-letter queues", n)
	}
	for _, b := range bookings {
		if r := customer.do("GET", "/mypages/"+b.id, nil); r.str("status") != "PAID" {
			t.Fatalf("booking %s while reservation fails: %d %s, want PAID", b.id, r.Status, r.RawBody)
		}
	}

	stopFunction(t, customer, "ReservationFunction", "start")
	for _, b := range bookings {
		waitMypageStatus(t, customer, b.id, "RESERVED")
		if r := manager.do("GET", "/reservations/rsv-"+b.id, nil); r.str("status") != "REQUESTED" {
			t.Errorf("reservation for %s: %d %s, want REQUESTED", b.id, r.Status, r.RawBody)
		}
	}
	for _, b := range bookings {
		waitAnnounced(t, c, b.phone, 20*time.Second, "PAID", "RESERVED")
	}
	// A later booking's SMS is the barrier: nothing more arrives for the earlier ones.
	barrier := orderBody("basic", goodCard)
	b := customer.do("POST", "/orders", barrier)
	waitMypageStatus(t, customer, b.str("id"), "RESERVED")
	waitAnnounced(t, c, barrier["phone"].(string), 20*time.Second, "PAID", "RESERVED")
	for _, b := range bookings {
		if statuses, texts := smsStatuses(t, c, b.phone); !slices.Equal(statuses, []string{"PAID", "RESERVED"}) {
			t.Errorf("booking %s: SMS announce %v, want each status once (PAID, RESERVED): %q", b.id, statuses, texts)
		}
	}
	if n := totalDeadLetters(dlqCounts(t, c)); n != 0 {
		t.Errorf("%d message(s) in dead-letter queues after recovery", n)
	}
}

// A message that keeps failing (a bug in the taxi context) moves to the consumer's DLQ after the queue's
// maxReceiveCount (SQS developer guide "Using dead-letter queues"), shows in /_local/dlq, and completes
// after the fix and `make redrive` (SQS StartMessageMoveTask through the AWS CLI, as on AWS).
//
// Not parallel: at an hour of AWS time per wall second the order sweep (rate(1 minute)) fires 60 times a
// wall second, so this cloud alone keeps a core busy; it runs alone, before the parallel tests.
func TestPoisonEventRedrivenAfterTheFix(t *testing.T) {
	awsCLI(t)
	c := startCloud(t, nil, withTimeScale(3600)) // an hour of AWS time per wall second
	customer := newUser(t, c, "customers")
	manager := newUser(t, c, "managers")
	driver := newUser(t, c, "drivers")
	taxiID := registerTaxi(t, driver, "basic", 1)
	order := placeOrder(t, customer, orderBody("basic", goodCard))
	if order.Status != 201 {
		t.Fatalf("order: %d %s", order.Status, order.RawBody)
	}
	orderID := order.str("id")
	waitMypageStatus(t, customer, orderID, "RESERVED")

	stopFunction(t, customer, "TaxiFunction", "fail")
	if r := manager.do("POST", "/reservations/rsv-"+orderID+"/confirm", map[string]any{"taxiId": taxiID}); r.Status != 202 && r.Status != 200 {
		t.Fatalf("confirm: %d %s", r.Status, r.RawBody)
	}
	dlq := c.Template.Queues["TaxiEventsDLQ"].Name
	// 180 receives x 120 s visibility = 6 hours of AWS time = 6 s here.
	eventually(t, "the poison message in "+dlq, time.Minute, func() (bool, string) {
		counts := dlqCounts(t, c)
		return counts[dlq] == 1, fmt.Sprint(counts)
	})
	moved := c.SQS.Messages(dlq)
	if len(moved) != 1 || moved[0].ApproximateReceiveCount != 180 || !strings.Contains(moved[0].Body, "ReservationConfirmed") {
		t.Fatalf("dead-lettered message = %+v, want the ReservationConfirmed event received 180 times", moved)
	}

	stopFunction(t, customer, "TaxiFunction", "start") // the fix is deployed
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	redrive := exec.Command("make", "--no-print-directory", "-C", root, "redrive")
	redrive.Env = append(os.Environ(), "ENDPOINT="+c.ServicesURL)
	out, err := redrive.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "moving 1 message(s) back to") {
		t.Fatalf("make redrive: %v\n%s", err, out)
	}
	view := waitMypageStatus(t, customer, orderID, "CONFIRMED")
	if view.str("taxiId") != taxiID {
		t.Errorf("confirmed with taxi %q, want %s", view.str("taxiId"), taxiID)
	}
	if counts := dlqCounts(t, c); counts[dlq] != 0 {
		t.Errorf("after the redrive %s holds %d message(s)", dlq, counts[dlq])
	}
}

// awsCLI returns the AWS CLI's path; it skips only where the CLI is absent and this is not CI (CI machines
// have it, see .ci/run).
func awsCLI(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("the AWS CLI is required in CI")
		}
		t.Skip("the AWS CLI (aws) is not installed")
	}
	return path
}
