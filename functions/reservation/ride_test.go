package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/calltaxi/call-taxi/shared/contracts"
)

// confirmedRide seeds a reservation CONFIRMED with driver-1's taxi t1.
func confirmedRide(t *testing.T, env *testEnv, id, pickupAt, createdAt string) {
	t.Helper()
	env.seed(t, Reservation{ID: id, OrderID: strings.TrimPrefix(id, "rsv-"), CustomerID: "c1", OrderType: "prime",
		Status: StatusConfirmed, TaxiID: "t1", TaxiName: "Sonata", DriverID: "driver-1", AssignAttempt: 1,
		Pickup: "Gangnam Station", PickupAt: pickupAt, CustomerName: "Kim", CustomerPhone: "+821012345678",
		CreatedAt: createdAt, UpdatedAt: createdAt, PickupKey: pickupKey(pickupAt, createdAt), Version: 3})
}

func TestRideSteps(t *testing.T) {
	tests := []struct {
		name       string
		status     string // "" = no such reservation
		route      string
		sub        string
		groups     string
		wantCode   int
		wantStatus string
		wantEvent  string // published by the write, "" = none
	}{
		{"the driver picks up", StatusConfirmed, "POST /reservations/{id}/pickup", "driver-1", "[drivers]", 200, StatusPickedUp, contracts.NameReservationPickedUp},
		{"pickup again changes nothing", StatusPickedUp, "POST /reservations/{id}/pickup", "driver-1", "[drivers]", 200, StatusPickedUp, ""},
		{"the driver completes", StatusPickedUp, "POST /reservations/{id}/complete", "driver-1", "[drivers]", 200, StatusCompleted, contracts.NameReservationCompleted},
		{"complete again changes nothing", StatusCompleted, "POST /reservations/{id}/complete", "driver-1", "[drivers]", 200, StatusCompleted, ""},
		{"complete before pickup", StatusConfirmed, "POST /reservations/{id}/complete", "driver-1", "[drivers]", 409, StatusConfirmed, ""},
		{"pickup after completion", StatusCompleted, "POST /reservations/{id}/pickup", "driver-1", "[drivers]", 409, StatusCompleted, ""},
		{"pickup of a cancelled ride", StatusCanceled, "POST /reservations/{id}/pickup", "driver-1", "[drivers]", 409, StatusCanceled, ""},
		{"another driver cannot complete", StatusPickedUp, "POST /reservations/{id}/complete", "driver-2", "[drivers]", 403, StatusPickedUp, ""},
		{"another driver cannot pick up", StatusConfirmed, "POST /reservations/{id}/pickup", "driver-2", "[drivers]", 403, StatusConfirmed, ""},
		{"a manager is not the driver", StatusConfirmed, "POST /reservations/{id}/pickup", "driver-1", "[managers]", 403, StatusConfirmed, ""},
		{"a customer is not the driver", StatusPickedUp, "POST /reservations/{id}/complete", "driver-1", "[customers]", 403, StatusPickedUp, ""},
		{"no such reservation", "", "POST /reservations/{id}/pickup", "driver-1", "[drivers]", 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			if tt.status != "" {
				confirmedRide(t, env, "rsv-o1", "", "2025-01-01T00:00:00.000Z")
				if tt.status != StatusConfirmed {
					r := env.row(t, "rsv-o1")
					r.Status, r.Version = tt.status, r.Version+1
					env.seed(t, *r)
				}
			}
			req := apiRequest(tt.route, tt.groups, map[string]string{"id": "rsv-o1"}, nil, "")
			req.RequestContext.Authorizer.JWT.Claims["sub"] = tt.sub
			resp, err := env.handlers.API(context.Background(), req)
			if err != nil || resp.StatusCode != tt.wantCode {
				t.Fatalf("got %d %s %v, want %d", resp.StatusCode, resp.Body, err, tt.wantCode)
			}
			env.publish(t)
			if tt.status != "" {
				if got := env.row(t, "rsv-o1").Status; got != tt.wantStatus {
					t.Errorf("status = %s, want %s", got, tt.wantStatus)
				}
			}
			if resp.StatusCode == http.StatusOK && !strings.Contains(resp.Body, `"customerPhone":"+821012345678"`) {
				t.Errorf("the assigned driver sees the phone: %s", resp.Body)
			}
			names := env.bus.Names()
			if (tt.wantEvent == "" && len(names) != 0) || (tt.wantEvent != "" && (len(names) != 1 || names[0] != tt.wantEvent)) {
				t.Errorf("published %v, want %q", names, tt.wantEvent)
			}
		})
	}
}

func TestAssignmentsList(t *testing.T) {
	env := newTestEnv(t)
	confirmedRide(t, env, "rsv-late", "2025-01-05T10:00:00.000Z", "2025-01-01T00:00:00.000Z")
	confirmedRide(t, env, "rsv-soon", "2025-01-02T10:00:00.000Z", "2025-01-01T01:00:00.000Z")
	confirmedRide(t, env, "rsv-asap", "", "2025-01-01T02:00:00.000Z")
	confirmedRide(t, env, "rsv-done", "", "2024-12-30T00:00:00.000Z")
	done := env.row(t, "rsv-done")
	done.Status, done.Version, done.UpdatedAt = StatusCompleted, done.Version+1, "2024-12-30T01:00:00.000Z"
	env.seed(t, *done)
	env.seed(t, Reservation{ID: "rsv-other", OrderID: "other", Status: StatusConfirmed, TaxiID: "t9", DriverID: "driver-2",
		PickupKey: pickupKey("", "2025-01-01T00:00:00.000Z"), CreatedAt: "2025-01-01T00:00:00.000Z", UpdatedAt: "2025-01-01T00:00:00.000Z"})
	env.seed(t, Reservation{ID: "rsv-unassigned", OrderID: "unassigned", Status: StatusRequested,
		PickupKey: pickupKey("", "2025-01-01T00:00:00.000Z"), CreatedAt: "2025-01-01T00:00:00.000Z", UpdatedAt: "2025-01-01T00:00:00.000Z"})

	tests := []struct {
		name, sub, groups string
		query             map[string]string
		wantCode          int
		wantIDs           string
	}{
		{"upcoming first, as soon as possible first, then the finished", "driver-1", "[drivers]", nil, 200, "rsv-asap,rsv-soon,rsv-late,rsv-done"},
		{"limit", "driver-1", "[drivers]", map[string]string{"limit": "2"}, 200, "rsv-asap,rsv-soon"},
		{"another driver sees only his", "driver-2", "[drivers]", nil, 200, "rsv-other"},
		{"a driver with no rides", "driver-3", "[drivers]", nil, 200, ""},
		{"bad limit", "driver-1", "[drivers]", map[string]string{"limit": "0"}, 400, ""},
		{"managers are not drivers", "driver-1", "[managers]", nil, 403, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := apiRequest("GET /assignments", tt.groups, nil, tt.query, "")
			req.RequestContext.Authorizer.JWT.Claims["sub"] = tt.sub
			resp, err := env.handlers.API(context.Background(), req)
			if err != nil || resp.StatusCode != tt.wantCode {
				t.Fatalf("got %d %s %v, want %d", resp.StatusCode, resp.Body, err, tt.wantCode)
			}
			if tt.wantCode != http.StatusOK {
				return
			}
			var ids []string
			for _, r := range decodeBody[listResponse](t, resp).Items {
				ids = append(ids, r.ID)
			}
			if got := strings.Join(ids, ","); got != tt.wantIDs {
				t.Errorf("ids = %s, want %s", got, tt.wantIDs)
			}
			if tt.wantIDs == "" && !strings.Contains(resp.Body, `"items":[]`) {
				t.Errorf("items must be an array: %s", resp.Body)
			}
		})
	}
}

func TestDetailsTravelFromOrderPlaced(t *testing.T) {
	env := newTestEnv(t)
	placed := &contracts.OrderPlaced{Meta: contracts.Meta{EventID: "e1"}, OrderID: "o1", CustomerID: "c1", OrderType: "prime",
		Pickup: "Gangnam Station", Destination: "Incheon Airport", PickupAt: "2025-01-02T23:30:00.000Z", Note: "2 bags",
		CustomerName: "Kim", CustomerPhone: "+821012345678"}
	asap := &contracts.OrderPlaced{Meta: contracts.Meta{EventID: "e2"}, OrderID: "o2", CustomerID: "c1", OrderType: "prime", Pickup: "Seoul Station"}
	if err := env.deliver(t, ebEvent(t, placed), ebEvent(t, asap)); err != nil {
		t.Fatal(err)
	}
	resp, err := env.handlers.API(context.Background(), apiRequest("GET /reservations/{id}", "[managers]", map[string]string{"id": "rsv-o1"}, nil, ""))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("get: %d %s %v", resp.StatusCode, resp.Body, err)
	}
	for _, want := range []string{`"pickup":"Gangnam Station"`, `"destination":"Incheon Airport"`, `"pickupAt":"2025-01-02T23:30:00.000Z"`,
		`"note":"2 bags"`, `"customerName":"Kim"`, `"customerPhone":"+821012345678"`} {
		if !strings.Contains(resp.Body, want) {
			t.Errorf("GET lacks %s: %s", want, resp.Body)
		}
	}
	if strings.Contains(resp.Body, "pickupKey") {
		t.Errorf("the sort key is internal: %s", resp.Body)
	}
	resp, _ = env.handlers.API(context.Background(), apiRequest("GET /reservations/{id}", "[managers]", map[string]string{"id": "rsv-o2"}, nil, ""))
	if !strings.Contains(resp.Body, `"pickupAt":null`) {
		t.Errorf("as soon as possible is a null pickupAt: %s", resp.Body)
	}
	// TaxiAssigned names the driver, who then sees the ride.
	if _, err := env.service.Confirm(context.Background(), "rsv-o1", "t1"); err != nil {
		t.Fatal(err)
	}
	env.publish(t)
	assigned := &contracts.TaxiAssigned{ReservationID: "rsv-o1", TaxiID: "t1", TaxiName: "Sonata", DriverID: "driver-1", Attempt: 1}
	if err := env.deliver(t, ebEvent(t, assigned)); err != nil {
		t.Fatal(err)
	}
	if r := env.row(t, "rsv-o1"); r.Status != StatusConfirmed || r.DriverID != "driver-1" {
		t.Errorf("after TaxiAssigned: %+v", r)
	}
}
