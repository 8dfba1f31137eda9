package main

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/apitest"
	"github.com/calltaxi/call-taxi/shared/contracts"
)

func pickedUpEvent(t *testing.T, orderID string) events.EventBridgeEvent {
	t.Helper()
	detail, err := json.Marshal(contracts.ReservationPickedUp{
		Meta:          contracts.Meta{EventID: "e-pickup-" + orderID, CorrelationID: "corr-p"},
		ReservationID: "rsv-" + orderID, OrderID: orderID, TaxiID: "t1",
	})
	if err != nil {
		t.Fatal(err)
	}
	return events.EventBridgeEvent{DetailType: contracts.NameReservationPickedUp, Source: contracts.SourceReservation, Detail: detail}
}

func TestReservationPickedUpBlocksCancel(t *testing.T) {
	tests := []struct {
		name         string
		status       string // "" = no such order
		wantPickedUp bool
		cancelStatus int
	}{
		{"a paid order records the pickup and refuses a cancel", StatusPaid, true, 409},
		{"a cancelled order stays cancelled (the cancel won the race)", StatusCanceled, false, 200},
		{"an unknown order is acknowledged", "", false, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			if tt.status != "" {
				e.seed("o-1", "alice", tt.status)
			}
			for delivery := range 2 { // at least once: the duplicate changes nothing
				if err := apitest.Deliver(t, e.handlers, pickedUpEvent(t, "o-1")); err != nil {
					t.Fatalf("delivery %d: %v", delivery, err)
				}
			}
			if tt.status != "" {
				row := e.order("o-1")
				if got := row.PickedUpAt != ""; got != tt.wantPickedUp || row.Status != tt.status {
					t.Errorf("row %s pickedUpAt %q, want picked up %v", row.Status, row.PickedUpAt, tt.wantPickedUp)
				}
			}
			resp := e.call(apiRequest("POST /orders/{id}/cancel", alice, "o-1", "", nil))
			if resp.StatusCode != tt.cancelStatus {
				t.Errorf("cancel = %d %s, want %d", resp.StatusCode, resp.Body, tt.cancelStatus)
			}
			if _, _, refunds := e.pay.counts(); refunds != 0 {
				t.Errorf("refunds = %d, want none", refunds)
			}
			if tt.wantPickedUp {
				view := decodeView(t, e.call(apiRequest("GET /orders/{id}", alice, "o-1", "", nil)))
				if view.PickedUpAt == nil || view.Status != StatusPaid {
					t.Errorf("view after pickup: %+v", view)
				}
			}
		})
	}
}
