package main

import (
	"time"

	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// TestSampleEvents runs every events/mypage-*.json (the `sam local invoke -e` samples) through the
// function's top-level handler.
func TestSampleEvents(t *testing.T) {
	files, err := filepath.Glob("../../events/mypage-*.json")
	if err != nil || len(files) < 5 {
		t.Fatalf("sample events: %v %v", files, err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			payload, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			store := newTestStore(t)
			var probe events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(payload, &probe); err != nil {
				t.Fatal(err)
			}
			if orderID := probe.PathParameters["orderId"]; orderID != "" {
				seedView(t, store, orderID, probe.RequestContext.Authorizer.JWT.Claims["sub"], StatusPaid, at(0))
			}
			out, err := NewHandlers(NewService(store, time.UTC), quietLogger()).Invoke(context.Background(), payload)
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			if probe.RouteKey != "" {
				var resp events.APIGatewayV2HTTPResponse
				if err := json.Unmarshal(out, &resp); err != nil || resp.StatusCode/100 != 2 {
					t.Fatalf("response %s (%v)", out, err)
				}
				return
			}
			var resp events.DynamoDBEventResponse
			if err := json.Unmarshal(out, &resp); err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("response %s (%v)", out, err)
			}
			if !strings.Contains(file, "stream") {
				t.Fatalf("%s is neither an API nor a stream sample", file)
			}
			v := mustGet(t, store, "0h5k3m9q2r7t1v7f3k2a")
			if v.Status == "" {
				t.Errorf("sample stream left no booking: %+v", v)
			}
		})
	}
}
