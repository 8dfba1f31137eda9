package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestRideStatusesAndDetails(t *testing.T) {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	order := orderRec(2, "PAID", 1)
	order.Pickup, order.Destination, order.PickupAt = "Gangnam Station", "Incheon Airport", "2026-03-01T14:30:00.000Z"
	canceled := orderRec(3, "CANCELED", 7)
	canceled.Pickup, canceled.Destination, canceled.PickupAt = order.Pickup, order.Destination, order.PickupAt
	rejected := reservationRec(3, "REQUESTED", 3)
	rejected.RejectReason = "no taxi available"
	tests := []struct {
		name        string
		records     []SourceRecord
		wantStatus  string
		wantHistory string
	}{
		{"picked up", []SourceRecord{order, withTaxi(reservationRec(4, "CONFIRMED", 4)), withTaxi(reservationRec(5, "PICKED_UP", 5))}, StatusPickedUp, "PAID,RESERVED,CONFIRMED,PICKED_UP"},
		{"completed", []SourceRecord{order, withTaxi(reservationRec(4, "CONFIRMED", 4)), withTaxi(reservationRec(5, "PICKED_UP", 5)), withTaxi(reservationRec(6, "COMPLETED", 6))}, StatusCompleted, "PAID,RESERVED,CONFIRMED,PICKED_UP,COMPLETED"},
		{"completed seen alone implies the ride", []SourceRecord{order, withTaxi(reservationRec(6, "COMPLETED", 6))}, StatusCompleted, "PAID,RESERVED,CONFIRMED,PICKED_UP,COMPLETED"},
		{"a late PICKED_UP never goes backwards", []SourceRecord{order, withTaxi(reservationRec(6, "COMPLETED", 6)), withTaxi(reservationRec(5, "PICKED_UP", 5))}, StatusCompleted, "PAID,RESERVED,CONFIRMED,PICKED_UP,COMPLETED"},
		{"a cancel that raced the pickup", []SourceRecord{order, withTaxi(reservationRec(5, "PICKED_UP", 5)), canceled}, StatusCanceled, "PAID,RESERVED,CONFIRMED,PICKED_UP,CANCELED"},
		{"a rejected confirm shows its reason", []SourceRecord{order, rejected}, StatusReserved, "PAID,RESERVED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newTestStore(t)
			svc := NewService(store, nil)
			svc.zone = seoul
			for _, rec := range tt.records {
				if _, err := svc.Project(context.Background(), rec, rec.UpdatedAt); err != nil {
					t.Fatal(err)
				}
			}
			v, _, err := store.Get(context.Background(), testOrderID)
			if err != nil {
				t.Fatal(err)
			}
			var history []string
			for _, h := range v.History {
				history = append(history, h.Status)
			}
			if v.Status != tt.wantStatus || strings.Join(history, ",") != tt.wantHistory {
				t.Errorf("status %s history %v, want %s %s", v.Status, history, tt.wantStatus, tt.wantHistory)
			}
			resp := toResponse(v)
			if resp.Pickup != "Gangnam Station" || resp.Destination != "Incheon Airport" || resp.PickupAt == nil || *resp.PickupAt != order.PickupAt {
				t.Errorf("response details: %+v", resp)
			}
			if v.PickupLocal != "03-01 23:30" {
				t.Errorf("pickupLocal = %q, want the company's clock 03-01 23:30", v.PickupLocal)
			}
			if tt.records[len(tt.records)-1].RejectReason != "" && resp.RejectReason != "no taxi available" {
				t.Errorf("rejectReason = %q", resp.RejectReason)
			}
		})
	}
}
