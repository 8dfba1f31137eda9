package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/contracts"
)

// The sample events refer to these: the refund and history samples need an approved payment.
const (
	sampleCustomerID    = "3f1c2a9e-7b1d-4c55-9a0e-2d6f8e4b1a10"
	sampleApprovedOrder = "01jsample0000000000b"
)

func TestSampleEventsSucceed(t *testing.T) {
	files, err := filepath.Glob("../../events/payment-*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("found %d payment samples, want charge, refund and history", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			payload, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			e := newTestEnv(t)
			e.seed(sampleApprovedOrder, sampleCustomerID, StatusApproved)
			out, err := e.handlers.Invoke(context.Background(), payload)
			if err != nil {
				t.Fatalf("invoke: %v", err)
			}
			var probe struct {
				RouteKey string `json:"routeKey"`
			}
			_ = json.Unmarshal(payload, &probe)
			if probe.RouteKey != "" {
				var resp events.APIGatewayV2HTTPResponse
				if err := json.Unmarshal(out, &resp); err != nil || resp.StatusCode < 200 || resp.StatusCode > 299 {
					t.Fatalf("response %s: %v", out, err)
				}
				return
			}
			var res contracts.PaymentResult
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatalf("result %s: %v", out, err)
			}
			if res.Status != contracts.PaymentApprovedStatus && res.Status != contracts.PaymentCanceledStatus {
				t.Errorf("result = %+v, want a successful charge or refund", res)
			}
		})
	}
}
