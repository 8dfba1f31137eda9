package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/calltaxi/call-taxi/shared/contracts"
)

func TestListReservations(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	// o0, o1: as soon as possible, booked 2025-01-01 and 01-02 (KST 09:00); o2: scheduled 2025-01-02
	// 23:30 KST (14:30 UTC); o4: scheduled 2025-01-01 20:00 KST; o3: CONFIRMED.
	rows := []struct {
		status, createdAt, pickupAt string
	}{
		{StatusRequested, "2025-01-01T00:00:00.000Z", ""},
		{StatusRequested, "2025-01-02T00:00:00.000Z", ""},
		{StatusRequested, "2025-01-01T01:00:00.000Z", "2025-01-02T14:30:00.000Z"},
		{StatusConfirmed, "2025-01-03T00:00:00.000Z", ""},
		{StatusRequested, "2024-12-31T00:00:00.000Z", "2025-01-01T11:00:00.000Z"},
	}
	for i, r := range rows {
		env.seed(t, Reservation{ID: fmt.Sprintf("rsv-o%d", i), OrderID: fmt.Sprintf("o%d", i), Status: r.status,
			CreatedAt: r.createdAt, UpdatedAt: "2025-01-09T00:00:00.000Z", PickupAt: r.pickupAt,
			PickupKey: pickupKey(r.pickupAt, r.createdAt), Pickup: "Gangnam", CustomerPhone: "+821012345678"})
	}
	tests := []struct {
		name    string
		groups  string
		query   map[string]string
		status  int
		wantIDs []string
		field   string
	}{
		{"default REQUESTED, as soon as possible first, then by pickup time", "[managers]", nil, 200, []string{"rsv-o0", "rsv-o1", "rsv-o4", "rsv-o2"}, ""},
		{"by status", "[managers]", map[string]string{"status": "CONFIRMED"}, 200, []string{"rsv-o3"}, ""},
		{"limit", "[managers]", map[string]string{"limit": "3"}, 200, []string{"rsv-o0", "rsv-o1", "rsv-o4"}, ""},
		{"date in the company's zone", "[managers]", map[string]string{"date": "2025-01-02"}, 200, []string{"rsv-o1", "rsv-o2"}, ""},
		{"date and limit", "[managers]", map[string]string{"date": "2025-01-01", "limit": "1"}, 200, []string{"rsv-o0"}, ""},
		{"date with nothing", "[managers]", map[string]string{"date": "2025-02-01"}, 200, []string{}, ""},
		{"bad date", "[managers]", map[string]string{"date": "2025-1-2"}, 400, nil, "date"},
		{"empty date", "[managers]", map[string]string{"date": ""}, 400, nil, "date"},
		{"new statuses filter", "[managers]", map[string]string{"status": "PICKED_UP"}, 200, []string{}, ""},
		{"empty status", "[managers]", map[string]string{"status": "CANCELED"}, 200, []string{}, ""},
		{"bad status", "[managers]", map[string]string{"status": "DONE"}, 400, nil, "status"},
		{"lower-case status", "[managers]", map[string]string{"status": "requested"}, 400, nil, "status"},
		{"limit zero", "[managers]", map[string]string{"limit": "0"}, 400, nil, "limit"},
		{"limit too big", "[managers]", map[string]string{"limit": "101"}, 400, nil, "limit"},
		{"limit not a number", "[managers]", map[string]string{"limit": "ten"}, 400, nil, "limit"},
		{"customer forbidden", "[customers]", nil, 403, nil, ""},
		{"driver forbidden", "[drivers]", nil, 403, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := env.handlers.API(ctx, apiRequest("GET /reservations", tt.groups, nil, tt.query, ""))
			if err != nil || resp.StatusCode != tt.status {
				t.Fatalf("got %d %s %v, want %d", resp.StatusCode, resp.Body, err, tt.status)
			}
			if tt.status != http.StatusOK {
				if body := decodeBody[errorResponse](t, resp); body.Error.Field != tt.field {
					t.Errorf("field = %q, want %q", body.Error.Field, tt.field)
				}
				return
			}
			body := decodeBody[listResponse](t, resp)
			var ids []string
			for _, r := range body.Items {
				ids = append(ids, r.ID)
			}
			if strings.Join(ids, ",") != strings.Join(tt.wantIDs, ",") {
				t.Errorf("ids = %v, want %v", ids, tt.wantIDs)
			}
			if !strings.Contains(resp.Body, `"items":[`) {
				t.Errorf("items must be a JSON array: %s", resp.Body)
			}
		})
	}
}

func TestGetReservation(t *testing.T) {
	env := newTestEnv(t)
	env.seed(t, Reservation{ID: "rsv-o1", OrderID: "o1", CustomerID: "c1", Status: StatusRequested})
	tests := []struct {
		name   string
		groups string
		id     string
		status int
	}{
		{"found", "[managers]", "rsv-o1", 200},
		{"missing", "[managers]", "rsv-nope", 404},
		{"not a manager", "[customers]", "rsv-o1", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := env.handlers.API(context.Background(), apiRequest("GET /reservations/{id}", tt.groups, map[string]string{"id": tt.id}, nil, ""))
			if resp.StatusCode != tt.status {
				t.Fatalf("got %d %s, want %d", resp.StatusCode, resp.Body, tt.status)
			}
			if tt.status == 200 {
				if r := decodeBody[ReservationView](t, resp); r.ID != "rsv-o1" || r.OrderID != "o1" {
					t.Errorf("body = %+v", r)
				}
			}
		})
	}
}

func TestConfirmReservation(t *testing.T) {
	tests := []struct {
		name        string
		seed        Reservation
		groups      string
		body        string
		status      int
		field       string
		wantStatus  string
		wantAttempt int
		wantEvents  int
	}{
		{"REQUESTED → ASSIGNING", Reservation{Status: StatusRequested}, "[managers]", `{"taxiId":"t1"}`, 202, "", StatusAssigning, 1, 1},
		{"after a rejection", Reservation{Status: StatusRequested, AssignAttempt: 1, RejectReason: "no taxi available"}, "[managers]", `{"taxiId":"t2"}`, 202, "", StatusAssigning, 2, 1},
		{"repeat with the same taxi changes nothing", Reservation{Status: StatusAssigning, TaxiID: "t1", AssignAttempt: 1}, "[managers]", `{"taxiId":"t1"}`, 202, "", StatusAssigning, 1, 0},
		{"another taxi while ASSIGNING", Reservation{Status: StatusAssigning, TaxiID: "t1", AssignAttempt: 1}, "[managers]", `{"taxiId":"t2"}`, 409, "", StatusAssigning, 1, 0},
		{"CONFIRMED", Reservation{Status: StatusConfirmed, TaxiID: "t1", AssignAttempt: 1}, "[managers]", `{"taxiId":"t1"}`, 409, "", StatusConfirmed, 1, 0},
		{"CANCELED", Reservation{Status: StatusCanceled}, "[managers]", `{"taxiId":"t1"}`, 409, "", StatusCanceled, 0, 0},
		{"missing taxiId", Reservation{Status: StatusRequested}, "[managers]", `{}`, 400, "taxiId", StatusRequested, 0, 0},
		{"blank taxiId", Reservation{Status: StatusRequested}, "[managers]", `{"taxiId":"  "}`, 400, "taxiId", StatusRequested, 0, 0},
		{"wrong type", Reservation{Status: StatusRequested}, "[managers]", `{"taxiId":7}`, 400, "taxiId", StatusRequested, 0, 0},
		{"unknown field", Reservation{Status: StatusRequested}, "[managers]", `{"taxiId":"t1","x":1}`, 400, "x", StatusRequested, 0, 0},
		{"no body", Reservation{Status: StatusRequested}, "[managers]", ``, 400, "", StatusRequested, 0, 0},
		{"customer forbidden", Reservation{Status: StatusRequested}, "[customers]", `{"taxiId":"t1"}`, 403, "", StatusRequested, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			seed := tt.seed
			seed.ID, seed.OrderID, seed.CustomerID, seed.OrderType, seed.Version = "rsv-o1", "o1", "c1", "prime", 2
			env.seed(t, seed)
			resp, err := env.handlers.API(context.Background(), apiRequest("POST /reservations/{id}/confirm", tt.groups, map[string]string{"id": "rsv-o1"}, nil, tt.body))
			if err != nil || resp.StatusCode != tt.status {
				t.Fatalf("got %d %s %v, want %d", resp.StatusCode, resp.Body, err, tt.status)
			}
			env.publish(t)
			if tt.field != "" {
				if body := decodeBody[errorResponse](t, resp); body.Error.Field != tt.field {
					t.Errorf("field = %q, want %q", body.Error.Field, tt.field)
				}
			}
			if tt.status == http.StatusConflict && !strings.Contains(resp.Body, tt.wantStatus) {
				t.Errorf("409 does not name the state %s: %s", tt.wantStatus, resp.Body)
			}
			got := env.row(t, "rsv-o1")
			if got.Status != tt.wantStatus || got.AssignAttempt != tt.wantAttempt {
				t.Errorf("row = %s attempt %d, want %s attempt %d", got.Status, got.AssignAttempt, tt.wantStatus, tt.wantAttempt)
			}
			if env.bus.Count(contracts.NameReservationConfirmed) != tt.wantEvents {
				t.Fatalf("published %v", env.bus.Names())
			}
			if tt.wantEvents == 1 {
				ev := env.bus.Events()[0].(*contracts.ReservationConfirmed)
				if ev.ReservationID != "rsv-o1" || ev.OrderID != "o1" || ev.OrderType != "prime" || ev.TaxiID != got.TaxiID || ev.Attempt != got.AssignAttempt || ev.EventID == "" {
					t.Errorf("event = %+v, row = %+v", ev, got)
				}
			}
			if tt.status == http.StatusAccepted {
				if r := decodeBody[Reservation](t, resp); r.Status != StatusAssigning || r.RejectReason != "" || r.AssignAttempt != tt.wantAttempt {
					t.Errorf("body = %+v", r)
				}
			}
		})
	}
}

// A confirm is accepted once it is written, whatever EventBridge does: its ReservationConfirmed follows
// from the stream record, which is delivered again until PutEvents succeeds, with the same event id.
func TestConfirmIsAcceptedWhilePutEventsFails(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	env.seed(t, Reservation{ID: "rsv-o1", OrderID: "o1", OrderType: "prime", Status: StatusRequested})
	req := apiRequest("POST /reservations/{id}/confirm", "[managers]", map[string]string{"id": "rsv-o1"}, nil, `{"taxiId":"t1"}`)
	env.bus.Fail = true
	if resp, _ := env.handlers.API(ctx, req); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("got %d %s", resp.StatusCode, resp.Body)
	}
	batch := env.stream.Next(t)
	if failed := streamInvoke(t, env.handlers, batch); len(failed) != 1 {
		t.Fatalf("reported %v, want the confirm's record", failed)
	}
	env.bus.Fail = false
	for range 2 { // the retry after the failure, and a duplicate delivery of the same record
		if failed := streamInvoke(t, env.handlers, batch); len(failed) != 0 {
			t.Fatalf("reported %v after PutEvents recovered", failed)
		}
	}
	evs := env.bus.Events()
	if len(evs) != 2 || evs[0].EventName() != contracts.NameReservationConfirmed || evs[0].Base().EventID != evs[1].Base().EventID {
		t.Fatalf("published %v, want the same ReservationConfirmed (one event id) per delivery", env.bus.Names())
	}
	if resp, _ := env.handlers.API(ctx, req); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("repeat: %d %s", resp.StatusCode, resp.Body)
	}
	if batch := env.stream.Next(t); len(batch.Records) != 0 {
		t.Errorf("the repeat wrote again: %+v", batch.Records)
	}
	if got := env.row(t, "rsv-o1"); got.AssignAttempt != 1 {
		t.Errorf("the repeat started another attempt: %+v", got)
	}
}

func TestConcurrentConfirms(t *testing.T) {
	tests := []struct {
		name         string
		taxis        []string
		wantAccepted int
	}{
		{"different taxis: exactly one wins", []string{"t1", "t2", "t3", "t4"}, 1},
		{"same taxi: one write, the rest idempotent 202s", []string{"t1", "t1", "t1", "t1"}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			env.seed(t, Reservation{ID: "rsv-o1", OrderID: "o1", Status: StatusRequested})
			statuses := make([]int, len(tt.taxis))
			var wg sync.WaitGroup
			for i, taxi := range tt.taxis {
				wg.Go(func() {
					resp, _ := env.handlers.API(context.Background(), apiRequest("POST /reservations/{id}/confirm", "[managers]",
						map[string]string{"id": "rsv-o1"}, nil, `{"taxiId":"`+taxi+`"}`))
					statuses[i] = resp.StatusCode
				})
			}
			wg.Wait()
			env.publish(t)
			got := env.row(t, "rsv-o1")
			if got.Status != StatusAssigning || got.AssignAttempt != 1 || got.Version != 2 {
				t.Fatalf("row = %+v: more than one confirm was written", got)
			}
			accepted := 0
			for i, status := range statuses {
				switch {
				case status == http.StatusAccepted:
					accepted++
					if tt.taxis[i] != got.TaxiID {
						t.Errorf("confirm with %s got 202 but %s won", tt.taxis[i], got.TaxiID)
					}
				case status != http.StatusConflict:
					t.Errorf("confirm %d: status %d", i, status)
				}
			}
			if accepted != tt.wantAccepted {
				t.Errorf("statuses %v", statuses)
			}
			evs := env.bus.Events()
			if len(evs) != 1 {
				t.Fatalf("published %v, want one ReservationConfirmed", env.bus.Names())
			}
			if c := evs[0].(*contracts.ReservationConfirmed); c.TaxiID != got.TaxiID || c.Attempt != 1 {
				t.Errorf("published a confirm the row does not hold: %+v", c)
			}
		})
	}
}

// TestReservationResponseHidesBookkeeping: the API answers with the view, never the row's version,
// internal ids or flags.
func TestReservationResponseHidesBookkeeping(t *testing.T) {
	env := newTestEnv(t)
	env.seed(t, Reservation{ID: "rsv-o1", Entity: "reservation", OrderID: "o1", CustomerID: "c1", DriverID: "d1", Status: StatusConfirmed, Version: 3, CorrelationID: "corr", TaxiReleased: true})
	resp, _ := env.handlers.API(context.Background(), apiRequest("GET /reservations/{id}", "[managers]", map[string]string{"id": "rsv-o1"}, nil, ""))
	if resp.StatusCode != 200 {
		t.Fatalf("got %d %s", resp.StatusCode, resp.Body)
	}
	for _, field := range []string{"version", "entity", "customerId", "driverId", "taxiReleased", "correlationId", "pickupKey"} {
		if strings.Contains(resp.Body, `"`+field+`"`) {
			t.Errorf("GET /reservations/{id} shows %s: %s", field, resp.Body)
		}
	}
}
