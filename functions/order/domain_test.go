package main

import (
	"strings"
	"testing"
	"time"

	"github.com/calltaxi/call-taxi/shared/apperr"
)

func TestFare(t *testing.T) {
	tests := []struct {
		grade string
		min   int64
		want  int64
	}{
		{"basic", 3800, 3800},
		{"prime", 3800, 5700},
		{"platinum", 3800, 9500},
		{"prime", 1001, 1502}, // 1501.5 rounds half away from zero
		{"platinum", 1, 3},    // 2.5 rounds to 3
		{"unknown", 3800, 3800},
	}
	for _, tt := range tests {
		got := Fare(tt.grade, tt.min)
		if got != tt.want {
			t.Errorf("Fare(%s, %d) = %d, want %d", tt.grade, tt.min, got, tt.want)
		}
		if got < tt.min {
			t.Errorf("Fare(%s, %d) = %d is below MinTaxiPrice", tt.grade, tt.min, got)
		}
	}
}

func TestNormalizeValid(t *testing.T) {
	in := PlaceOrderRequest{Name: "  Kim  ", Phone: " +821012345678 ", OrderType: "prime", CardNo: "4111-1111 1111-1111", Pickup: " A ", Destination: "B"}
	got, err := in.Normalize(testNow)
	if err != nil {
		t.Fatal(err)
	}
	want := PlaceOrderRequest{Name: "Kim", Phone: "+821012345678", OrderType: "prime", CardNo: "4111111111111111", Pickup: "A", Destination: "B", Language: "ko"}
	if got != want {
		t.Errorf("Normalize = %+v, want %+v", got, want)
	}
}

func TestNormalizeLanguage(t *testing.T) {
	tests := []struct{ phone, language, want string }{
		{"+821012345678", "", "ko"},
		{"+14155550100", "", "en"},
		{"+821012345678", " en ", "en"},
		{"+14155550100", "ko", "ko"},
	}
	for _, tt := range tests {
		r := PlaceOrderRequest{Name: "Kim", Phone: tt.phone, OrderType: "basic", CardNo: "4111111111111111", Pickup: "A", Language: tt.language}
		got, err := r.Normalize(testNow)
		if err != nil || got.Language != tt.want {
			t.Errorf("%s %q: language %q (%v), want %q", tt.phone, tt.language, got.Language, err, tt.want)
		}
		if o := NewOrder("o1", "alice", got, 3800, "", time.Now()); o.Language != tt.want {
			t.Errorf("the order row keeps language %q, want %q", o.Language, tt.want)
		}
	}
}

func TestNormalizeNamesTheField(t *testing.T) {
	valid := PlaceOrderRequest{Name: "Kim", Phone: "+821012345678", OrderType: "basic", CardNo: "4111111111111111", Pickup: "Gangnam Station"}
	tests := []struct {
		field  string
		mutate func(r *PlaceOrderRequest)
	}{
		{"name", func(r *PlaceOrderRequest) { r.Name = "   " }},
		{"name", func(r *PlaceOrderRequest) { r.Name = strings.Repeat("가", 101) }},
		{"phone", func(r *PlaceOrderRequest) { r.Phone = "010-1234-5678" }},
		{"phone", func(r *PlaceOrderRequest) { r.Phone = "" }},
		{"orderType", func(r *PlaceOrderRequest) { r.OrderType = "luxury" }},
		{"orderType", func(r *PlaceOrderRequest) { r.OrderType = "" }},
		{"cardNo", func(r *PlaceOrderRequest) { r.CardNo = "4111111111111112" }},
		{"cardNo", func(r *PlaceOrderRequest) { r.CardNo = "42" }},
		{"cardNo", func(r *PlaceOrderRequest) { r.CardNo = "4111x11111111111" }},
		{"pickup", func(r *PlaceOrderRequest) { r.Pickup = strings.Repeat("p", 201) }},
		{"pickup", func(r *PlaceOrderRequest) { r.Pickup = "" }},
		{"pickup", func(r *PlaceOrderRequest) { r.Pickup = "   " }},
		{"note", func(r *PlaceOrderRequest) { r.Note = strings.Repeat("n", 201) }},
		{"pickupAt", func(r *PlaceOrderRequest) { r.PickupAt = "tomorrow" }},
		{"pickupAt", func(r *PlaceOrderRequest) { r.PickupAt = "2026-03-01T12:00:00" }},
		{"pickupAt", func(r *PlaceOrderRequest) { r.PickupAt = "2026-03-01 12:00:00+09:00" }},
		{"pickupAt", func(r *PlaceOrderRequest) { r.PickupAt = "2026-03-01T09:00:00+09:00" }}, // in the past
		{"pickupAt", func(r *PlaceOrderRequest) { r.PickupAt = "2026-03-01T12:09:59Z" }},      // 9:59 ahead
		{"pickupAt", func(r *PlaceOrderRequest) { r.PickupAt = "2026-03-08T12:00:01Z" }},      // beyond 7 days
		{"destination", func(r *PlaceOrderRequest) { r.Destination = strings.Repeat("d", 201) }},
		{"language", func(r *PlaceOrderRequest) { r.Language = "fr" }},
		{"language", func(r *PlaceOrderRequest) { r.Language = "KO" }},
	}
	for _, tt := range tests {
		r := valid
		tt.mutate(&r)
		_, err := r.Normalize(testNow)
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.KindValidation || e.Field != tt.field {
			t.Errorf("%s: Normalize error = %v, want a validation error on %s", tt.field, err, tt.field)
		}
	}
	if _, err := valid.Normalize(testNow); err != nil {
		t.Errorf("valid request rejected: %v", err)
	}
	edge := valid
	edge.Name, edge.Pickup, edge.Note = strings.Repeat("가", 100), strings.Repeat("p", 200), strings.Repeat("n", 200)
	if _, err := edge.Normalize(testNow); err != nil {
		t.Errorf("limits are inclusive: %v", err)
	}
}

// testNow is the clock of the pickup-time tests: 2026-03-01 12:00 UTC.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestNormalizePickupAt(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"2026-03-01T12:10:00Z", "2026-03-01T12:10:00.000Z"},
		{"2026-03-01T21:30:00+09:00", "2026-03-01T12:30:00.000Z"},
		{" 2026-03-08T21:00:00+09:00 ", "2026-03-08T12:00:00.000Z"},
		{"2026-03-02T08:15:30.5-05:00", "2026-03-02T13:15:30.500Z"},
	}
	for _, tt := range tests {
		r := PlaceOrderRequest{Name: "Kim", Phone: "+821012345678", OrderType: "basic", CardNo: "4111111111111111", Pickup: "A", PickupAt: tt.in}
		got, err := r.Normalize(testNow)
		if err != nil || got.PickupAt != tt.want {
			t.Errorf("pickupAt %q → %q (%v), want %q", tt.in, got.PickupAt, err, tt.want)
		}
		if o := NewOrder("o1", "alice", got, 3800, "", testNow); o.PickupAt != tt.want {
			t.Errorf("order row pickupAt %q, want %q", o.PickupAt, tt.want)
		}
	}
}

func TestFingerprintDependsOnEveryField(t *testing.T) {
	base := PlaceOrderRequest{Name: "Kim", Phone: "+821012345678", OrderType: "basic", CardNo: "4111111111111111"}
	seen := map[string]bool{fingerprint(base): true}
	variants := []func(r *PlaceOrderRequest){
		func(r *PlaceOrderRequest) { r.Name = "Lee" },
		func(r *PlaceOrderRequest) { r.Phone = "+821099999999" },
		func(r *PlaceOrderRequest) { r.OrderType = "prime" },
		func(r *PlaceOrderRequest) { r.CardNo = "5555555555554444" },
		func(r *PlaceOrderRequest) { r.Pickup = "x" },
		func(r *PlaceOrderRequest) { r.Destination = "y" },
		func(r *PlaceOrderRequest) { r.PickupAt = "2026-03-01T12:30:00.000Z" },
		func(r *PlaceOrderRequest) { r.Note = "gate 3" },
	}
	for i, mutate := range variants {
		r := base
		mutate(&r)
		fp := fingerprint(r)
		if seen[fp] {
			t.Errorf("variant %d has a fingerprint already seen", i)
		}
		if strings.Contains(fp, r.CardNo) {
			t.Errorf("fingerprint contains the card number")
		}
		seen[fp] = true
	}
	if fingerprint(base) != fingerprint(base) {
		t.Error("fingerprint is not deterministic")
	}
}
