package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/apitest"
)

// The sample events (for `sam local invoke -e`) refer to this order and customer.
const (
	sampleOrderID    = "01jsample0000000000a"
	sampleCustomerID = "3f1c2a9e-7b1d-4c55-9a0e-2d6f8e4b1a10"
)

func TestSampleEventsSucceed(t *testing.T) {
	files, err := filepath.Glob("../../events/order-*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("found %d order samples, want one per route", len(files))
	}
	routes := map[string]bool{}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			payload, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			e := newTestEnv(t)
			var batch events.SQSEvent
			if json.Unmarshal(payload, &batch) == nil && len(batch.Records) > 0 {
				// The PaymentApproved sample completes an order its request left waiting for payment; the
				// ReservationPickedUp sample records the pickup of a paid one.
				pickup := strings.Contains(batch.Records[0].Body, "ReservationPickedUp")
				if pickup {
					e.seed(sampleOrderID, sampleCustomerID, StatusPaid)
				} else {
					e.seed(sampleOrderID, sampleCustomerID, StatusPendingPayment)
				}
				failed, err := apitest.Submit(e.handlers, batch)
				if err != nil || len(failed) > 0 {
					t.Fatalf("invoke: reported %v, %v", failed, err)
				}
				if o := e.order(sampleOrderID); o.Status != StatusPaid || pickup != (o.PickedUpAt != "") {
					t.Errorf("order after the SQS sample = %s (picked up at %q), want PAID", o.Status, o.PickedUpAt)
				}
				return
			}
			e.seed(sampleOrderID, sampleCustomerID, StatusPaid)
			out, err := e.handlers.Invoke(context.Background(), payload)
			if err != nil {
				t.Fatalf("invoke: %v", err)
			}
			var resp events.APIGatewayV2HTTPResponse
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatalf("decode response %s: %v", out, err)
			}
			if resp.StatusCode < 200 || resp.StatusCode > 299 {
				t.Errorf("status = %d %s", resp.StatusCode, resp.Body)
			}
			var req events.APIGatewayV2HTTPRequest
			_ = json.Unmarshal(payload, &req)
			routes[req.RouteKey] = true
		})
	}
	for _, route := range []string{"POST /orders", "GET /orders/{id}", "POST /orders/{id}/cancel"} {
		if !routes[route] {
			t.Errorf("no sample event for %s", route)
		}
	}
}
