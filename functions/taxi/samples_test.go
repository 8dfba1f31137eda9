package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// TestSampleEvents runs every events/taxi-*.json (the `sam local invoke -e` samples) through the
// function's top-level handler, with the rows each sample needs.
func TestSampleEvents(t *testing.T) {
	const taxiID = "taxi-sample-1"
	tests := map[string]struct {
		holdFirst bool  // the sample reservation already holds one unit
		wantStock int64 // the sample taxi's stock afterwards (it starts at 2)
		wantHeld  string
	}{
		"taxi-register.json":                  {false, 2, ""},
		"taxi-update.json":                    {false, 5, ""},
		"taxi-list.json":                      {false, 2, ""},
		"taxi-sqs-reservation-confirmed.json": {false, 1, AssignmentAssigned},
		"taxi-sqs-reservation-canceled.json":  {true, 2, AssignmentReleased},
		"taxi-sqs-reservation-completed.json": {true, 2, AssignmentCompleted},
	}
	files, err := filepath.Glob("../../events/taxi-*.json")
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
			ctx := context.Background()
			taxi := env.seedTaxi(t, taxiID, GradePrime, 0)
			taxi.DriverID, taxi.StockCnt, taxi.SuppliedCnt, taxi.Version = "driver-sample-1", 2, 2, 2
			if err := env.store.SaveTaxi(ctx, taxi); err != nil {
				t.Fatal(err)
			}
			if tt.holdFirst {
				if err := env.service.ReservationConfirmed(ctx, confirmed("rsv-ord-sample-1", taxiID, GradePrime, 1)); err != nil {
					t.Fatal(err)
				}
			}
			out, err := env.handlers.Invoke(ctx, payload)
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
			if got := env.taxi(t, taxiID); got.StockCnt != tt.wantStock || !got.Balanced() {
				t.Errorf("taxi = %+v, want stock %d", got, tt.wantStock)
			}
			if a := env.assignment(t, "rsv-ord-sample-1"); tt.wantHeld != "" && (a == nil || a.Status != tt.wantHeld) {
				t.Errorf("assignment = %+v, want %s", a, tt.wantHeld)
			}
		})
	}
}
