package main

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/calltaxi/call-taxi/shared/apitest"
)

func TestRegisterTaxi(t *testing.T) {
	tests := []struct {
		name    string
		groups  string
		body    string
		status  int
		field   string
		message string
	}{
		{"registers", "[drivers]", `{"taxiName":"Blue 12","companyName":"Seoul Cabs","grade":"prime","stockCnt":3,"itemPrice":5700}`, 201, "", ""},
		{"negative stock", "[drivers]", `{"taxiName":"Blue 12","companyName":"Seoul Cabs","grade":"prime","stockCnt":-1,"itemPrice":5700}`, 400, "stockCnt", "stockCnt must be ≥ 0"},
		{"fractional stock", "[drivers]", `{"taxiName":"Blue 12","companyName":"Seoul Cabs","grade":"prime","stockCnt":1.5,"itemPrice":5700}`, 400, "stockCnt", ""},
		{"bad grade", "[drivers]", `{"taxiName":"Blue 12","companyName":"Seoul Cabs","grade":"gold","stockCnt":1,"itemPrice":5700}`, 400, "grade", ""},
		{"missing name", "[drivers]", `{"companyName":"Seoul Cabs","grade":"prime","stockCnt":1,"itemPrice":5700}`, 400, "taxiName", ""},
		{"unknown field", "[drivers]", `{"taxiName":"B","companyName":"C","grade":"prime","stockCnt":1,"itemPrice":1,"color":"red"}`, 400, "color", ""},
		{"malformed", "[drivers]", `{"taxiName":`, 400, "", ""},
		{"manager forbidden", "[managers]", `{"taxiName":"Blue 12","companyName":"Seoul Cabs","grade":"prime","stockCnt":3,"itemPrice":5700}`, 403, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			resp, err := env.handlers.API(context.Background(), apiRequest("POST /taxis", driverSub, tt.groups, nil, nil, tt.body))
			if err != nil || resp.StatusCode != tt.status {
				t.Fatalf("got %d %s %v, want %d", resp.StatusCode, resp.Body, err, tt.status)
			}
			if tt.status != http.StatusCreated {
				body := decodeBody[errorResponse](t, resp)
				if body.Error.Field != tt.field || (tt.message != "" && body.Error.Message != tt.message) {
					t.Errorf("error = %+v", body.Error)
				}
				return
			}
			created := decodeBody[TaxiView](t, resp)
			stored := env.taxi(t, created.ID)
			if stored.View() != created || created.DriverID != driverSub || created.StockCnt != 3 || stored.SuppliedCnt != 3 || !stored.Balanced() || stored.Version != 1 {
				t.Errorf("created %+v, stored %+v", created, stored)
			}
		})
	}
}

func TestUpdateTaxi(t *testing.T) {
	tests := []struct {
		name      string
		sub       string
		groups    string
		id        string
		body      string
		status    int
		field     string
		wantStock int64
	}{
		{"restock", driverSub, "[drivers]", "t1", `{"stockCnt":9}`, 200, "", 9},
		{"price", driverSub, "[drivers]", "t1", `{"itemPrice":8000}`, 200, "", 4},
		{"another driver", "driver-2", "[drivers]", "t1", `{"stockCnt":9}`, 403, "", 4},
		{"not a driver", driverSub, "[managers]", "t1", `{"stockCnt":9}`, 403, "", 4},
		{"missing taxi", driverSub, "[drivers]", "t-none", `{"stockCnt":9}`, 404, "", 4},
		{"empty body", driverSub, "[drivers]", "t1", ``, 400, "", 4},
		{"empty object", driverSub, "[drivers]", "t1", `{}`, 400, "", 4},
		{"negative", driverSub, "[drivers]", "t1", `{"stockCnt":-3}`, 400, "stockCnt", 4},
		{"unknown field", driverSub, "[drivers]", "t1", `{"grade":"basic"}`, 400, "grade", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			ctx := context.Background()
			env.seedTaxi(t, "t1", GradePrime, 5)
			// one unit is held by a reservation, so stock and supply differ
			if err := apitest.Deliver(t, env.handlers, ebEvent(t, confirmed("r1", "t1", GradePrime, 1))); err != nil {
				t.Fatal(err)
			}
			resp, err := env.handlers.API(ctx, apiRequest("PATCH /taxis/{id}", tt.sub, tt.groups, map[string]string{"id": tt.id}, nil, tt.body))
			if err != nil || resp.StatusCode != tt.status {
				t.Fatalf("got %d %s %v, want %d", resp.StatusCode, resp.Body, err, tt.status)
			}
			if tt.field != "" {
				if body := decodeBody[errorResponse](t, resp); body.Error.Field != tt.field {
					t.Errorf("field = %q", body.Error.Field)
				}
			}
			taxi := env.taxi(t, "t1")
			if taxi.StockCnt != tt.wantStock || !taxi.Balanced() || taxi.AssignedCnt != 1 {
				t.Errorf("taxi = %+v", taxi)
			}
			if tt.status == http.StatusOK {
				if got := decodeBody[TaxiView](t, resp); got != taxi.View() {
					t.Errorf("response %+v, stored %+v", got, taxi)
				}
			}
		})
	}
}

func TestListTaxis(t *testing.T) {
	env := newTestEnv(t)
	env.seedTaxi(t, "t1", GradeBasic, 1)
	env.seedTaxi(t, "t2", GradePrime, 1)
	env.seedTaxi(t, "t3", GradePrime, 0)
	tests := []struct {
		name    string
		groups  string
		query   map[string]string
		status  int
		wantIDs string
	}{
		{"all", "[customers]", nil, 200, "t1,t2,t3"},
		{"by grade", "[managers]", map[string]string{"grade": "prime"}, 200, "t2,t3"},
		{"empty grade", "[drivers]", map[string]string{"grade": "platinum"}, 200, ""},
		{"bad grade", "[drivers]", map[string]string{"grade": "gold"}, 400, ""},
		{"no role", "[]", nil, 403, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := env.handlers.API(context.Background(), apiRequest("GET /taxis", "someone", tt.groups, nil, tt.query, ""))
			if resp.StatusCode != tt.status {
				t.Fatalf("got %d %s", resp.StatusCode, resp.Body)
			}
			if tt.status != http.StatusOK {
				if tt.status == 400 && decodeBody[errorResponse](t, resp).Error.Field != "grade" {
					t.Errorf("body %s", resp.Body)
				}
				return
			}
			var ids []string
			for _, taxi := range decodeBody[listResponse](t, resp).Items {
				ids = append(ids, taxi.ID)
			}
			sort.Strings(ids)
			if strings.Join(ids, ",") != tt.wantIDs || !strings.Contains(resp.Body, `"items":[`) {
				t.Errorf("ids = %v, body %s", ids, resp.Body)
			}
		})
	}
}

// TestTaxiResponseHidesBookkeeping: the API answers with the view, never the row's version or counters.
func TestTaxiResponseHidesBookkeeping(t *testing.T) {
	env := newTestEnv(t)
	env.seedTaxi(t, "t1", GradePrime, 2)
	resp, _ := env.handlers.API(context.Background(), apiRequest("GET /taxis", driverSub, "[drivers]", nil, nil, ""))
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, `"t1"`) {
		t.Fatalf("got %d %s", resp.StatusCode, resp.Body)
	}
	for _, field := range []string{"version", "suppliedCnt", "assignedCnt", "releasedCnt", "completedCnt"} {
		if strings.Contains(resp.Body, `"`+field+`"`) {
			t.Errorf("GET /taxis shows %s: %s", field, resp.Body)
		}
	}
}
