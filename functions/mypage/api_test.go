package main

import (
	"time"

	"context"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// seedView stores a view directly, as the projection would have left it.
func seedView(t *testing.T, store Store, orderID, customerID, status, createdAt string) {
	t.Helper()
	v := View{
		OrderID: orderID, CustomerID: customerID, Name: "Kim Minji", Phone: "+821012345678", OrderType: "basic",
		Fare: 3800, Status: status, OrderStatus: "PAID", PaymentStatus: "APPROVED", CreatedAt: createdAt,
		UpdatedAt: createdAt, OrderVersion: 2, PaymentVersion: 2, Rev: 1, CorrelationID: "corr-" + orderID,
	}
	if status != "" {
		v.History = []HistoryEntry{{Status: status, At: createdAt}}
	} else {
		v.OrderStatus, v.PaymentStatus = "DECLINED", "DECLINED"
	}
	if err := store.Save(context.Background(), v, 0); err != nil {
		t.Fatal(err)
	}
}

func TestAPI(t *testing.T) {
	store := newTestStore(t)
	seedView(t, store, "o-old", "alice", StatusPaid, at(1))
	seedView(t, store, "o-new", "alice", StatusConfirmed, at(3))
	seedView(t, store, "o-mid", "alice", StatusCanceled, at(2))
	seedView(t, store, "o-declined", "alice", "", at(4))
	seedView(t, store, "o-bob", "bob", StatusPaid, at(5))
	handlers := NewHandlers(NewService(store, time.UTC), quietLogger())

	wantFields := []string{"createdAt", "destination", "fare", "history", "name", "orderId", "orderStatus", "orderType", "paymentStatus", "pickup", "pickupAt", "rejectReason",
		"reservationId", "reservationStatus", "status", "taxiId", "taxiName", "updatedAt"}

	tests := []struct {
		name       string
		route      string
		sub        string
		groups     string
		orderID    string
		query      map[string]string
		wantStatus int
		wantItems  []string // list: order ids in order; get: the one id
		wantField  string   // for 400s
	}{
		{name: "list own bookings newest first", route: "GET /mypages", sub: "alice", groups: "[customers]",
			wantStatus: 200, wantItems: []string{"o-new", "o-mid", "o-old"}},
		{name: "list with limit", route: "GET /mypages", sub: "alice", groups: "[customers]", query: map[string]string{"limit": "2"},
			wantStatus: 200, wantItems: []string{"o-new", "o-mid"}},
		{name: "list of a customer with none", route: "GET /mypages", sub: "carol", groups: "[customers]",
			wantStatus: 200, wantItems: []string{}},
		{name: "limit 0", route: "GET /mypages", sub: "alice", groups: "[customers]", query: map[string]string{"limit": "0"},
			wantStatus: 400, wantField: "limit"},
		{name: "limit 101", route: "GET /mypages", sub: "alice", groups: "[customers]", query: map[string]string{"limit": "101"},
			wantStatus: 400, wantField: "limit"},
		{name: "limit not a number", route: "GET /mypages", sub: "alice", groups: "[customers]", query: map[string]string{"limit": "ten"},
			wantStatus: 400, wantField: "limit"},
		{name: "list needs the customer role", route: "GET /mypages", sub: "d1", groups: "[drivers]", wantStatus: 403},
		{name: "owner gets a booking", route: "GET /mypages/{orderId}", sub: "alice", groups: "[customers]", orderID: "o-new",
			wantStatus: 200, wantItems: []string{"o-new"}},
		{name: "manager gets any booking", route: "GET /mypages/{orderId}", sub: "m1", groups: "[managers]", orderID: "o-bob",
			wantStatus: 200, wantItems: []string{"o-bob"}},
		{name: "another customer gets 404", route: "GET /mypages/{orderId}", sub: "alice", groups: "[customers]", orderID: "o-bob",
			wantStatus: 404},
		{name: "unpaid order is not a booking", route: "GET /mypages/{orderId}", sub: "alice", groups: "[customers]", orderID: "o-declined",
			wantStatus: 404},
		{name: "missing booking", route: "GET /mypages/{orderId}", sub: "alice", groups: "[customers]", orderID: "nope",
			wantStatus: 404},
		{name: "driver cannot read bookings", route: "GET /mypages/{orderId}", sub: "d1", groups: "[drivers]", orderID: "o-new",
			wantStatus: 403},
		{name: "too long order id", route: "GET /mypages/{orderId}", sub: "alice", groups: "[customers]", orderID: strings.Repeat("x", 200),
			wantStatus: 400, wantField: "orderId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var params map[string]string
			if tt.orderID != "" {
				params = map[string]string{"orderId": tt.orderID}
			}
			resp, err := handlers.API(context.Background(), apiRequest(tt.route, tt.sub, tt.groups, params, tt.query))
			if err != nil || resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d err %v body %s, want %d", resp.StatusCode, err, resp.Body, tt.wantStatus)
			}
			if strings.Contains(resp.Body, "+8210") || strings.Contains(resp.Body, "phone") {
				t.Errorf("phone leaked: %s", resp.Body)
			}
			if tt.wantStatus == 400 {
				var body struct {
					Error struct{ Field string } `json:"error"`
				}
				if json.Unmarshal([]byte(resp.Body), &body) != nil || body.Error.Field != tt.wantField {
					t.Errorf("400 body %s does not name %s", resp.Body, tt.wantField)
				}
			}
			if tt.wantStatus != 200 {
				return
			}
			var items []map[string]any
			if tt.route == "GET /mypages" {
				var list struct{ Items []map[string]any }
				if err := json.Unmarshal([]byte(resp.Body), &list); err != nil || list.Items == nil {
					t.Fatalf("list body %s: %v", resp.Body, err)
				}
				items = list.Items
			} else {
				var one map[string]any
				if err := json.Unmarshal([]byte(resp.Body), &one); err != nil {
					t.Fatal(err)
				}
				items = []map[string]any{one}
			}
			ids := []string{}
			for _, item := range items {
				ids = append(ids, item["orderId"].(string))
				var keys []string
				for k := range item {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				if !reflect.DeepEqual(keys, wantFields) {
					t.Errorf("response fields %v, want %v", keys, wantFields)
				}
			}
			if !reflect.DeepEqual(ids, tt.wantItems) {
				t.Errorf("items %v, want %v", ids, tt.wantItems)
			}
		})
	}
}

func TestListPagesPastFilteredRows(t *testing.T) {
	store := newTestStore(t)
	// The newest rows are not bookings: a Query page of `limit` items would hold none of the bookings.
	for i := 0; i < 5; i++ {
		seedView(t, store, "declined-"+string(rune('a'+i)), "alice", "", at(10+i))
	}
	seedView(t, store, "o-1", "alice", StatusPaid, at(1))
	seedView(t, store, "o-2", "alice", StatusPaid, at(2))
	views, err := store.ListByCustomer(context.Background(), "alice", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(views) != 2 || views[0].OrderID != "o-2" || views[1].OrderID != "o-1" {
		t.Errorf("got %+v", views)
	}
}
