package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// TestSampleEvents runs every events/reservation-*.json (the `sam local invoke -e` samples) through the
// function's top-level handler, with the rows each sample needs.
func TestSampleEvents(t *testing.T) {
	const id = "rsv-ord-sample-1"
	base := Reservation{ID: id, OrderID: "ord-sample-1", CustomerID: "customer-sample-1", OrderType: "prime", Version: 2}
	with := func(status string, attempt int, taxiID string) *Reservation {
		r := base
		r.Status, r.AssignAttempt, r.TaxiID = status, attempt, taxiID
		r.PickupAt, r.CreatedAt = "2025-01-02T23:30:00.000Z", "2025-01-02T03:04:05.000Z"
		r.PickupKey = pickupKey(r.PickupAt, r.CreatedAt)
		if taxiID != "" {
			r.DriverID = "driver-sample-1"
		}
		return &r
	}
	tests := map[string]struct {
		seed       *Reservation
		wantStatus string // the row's status afterwards
	}{
		"reservation-list.json":                         {with(StatusRequested, 0, ""), StatusRequested},
		"reservation-get.json":                          {with(StatusRequested, 0, ""), StatusRequested},
		"reservation-confirm.json":                      {with(StatusRequested, 0, ""), StatusAssigning},
		"reservation-sqs-order-placed.json":             {nil, StatusRequested},
		"reservation-pickup.json":                       {with(StatusConfirmed, 1, "taxi-sample-1"), StatusPickedUp},
		"reservation-complete.json":                     {with(StatusPickedUp, 1, "taxi-sample-1"), StatusCompleted},
		"reservation-assignments.json":                  {with(StatusConfirmed, 1, "taxi-sample-1"), StatusConfirmed},
		"reservation-sqs-order-canceled.json":           {with(StatusRequested, 0, ""), StatusCanceled},
		"reservation-sqs-taxi-assigned.json":            {with(StatusAssigning, 1, "taxi-sample-1"), StatusConfirmed},
		"reservation-sqs-taxi-assignment-rejected.json": {with(StatusAssigning, 1, "taxi-sample-1"), StatusRequested},
		"reservation-sqs-taxi-released.json":            {with(StatusCanceled, 1, "taxi-sample-1"), StatusCanceled},
	}
	files, err := filepath.Glob("../../events/reservation-*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples found: %v", err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			tt, ok := tests[name]
			if !ok {
				t.Fatalf("sample %s has no expectation in this test", name)
			}
			payload, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			env := newTestEnv(t)
			if tt.seed != nil {
				env.seed(t, *tt.seed)
			}
			out, err := env.handlers.Invoke(context.Background(), payload)
			if err != nil {
				t.Fatalf("invoke: %v", err)
			}
			var resp struct {
				StatusCode        int                          `json:"statusCode"`
				Body              string                       `json:"body"`
				BatchItemFailures []events.SQSBatchItemFailure `json:"batchItemFailures"` // an SQS sample's answer
			}
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 0 && (resp.StatusCode < 200 || resp.StatusCode > 299) {
				t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
			}
			if len(resp.BatchItemFailures) > 0 {
				t.Fatalf("messages reported as failed: %s", out)
			}
			if name == "reservation-list.json" && !strings.Contains(resp.Body, `"id":"`+id+`"`) {
				t.Errorf("the list of the sample's date lacks the sample: %s", resp.Body)
			}
			if name == "reservation-assignments.json" && !strings.Contains(resp.Body, `"customerPhone"`) {
				t.Errorf("the driver's list lacks the sample: %s", resp.Body)
			}
			if got := env.row(t, id); got == nil || got.Status != tt.wantStatus {
				t.Errorf("row = %+v, want status %s", got, tt.wantStatus)
			}
		})
	}
}
