package main

import (
	"strings"
	"testing"
	"time"

	"github.com/calltaxi/call-taxi/shared/apperr"
)

func ptr(v int64) *int64 { return &v }

func TestRegistrationValidate(t *testing.T) {
	valid := Registration{TaxiName: "Blue 12", CompanyName: "Seoul Cabs", Grade: GradePrime, StockCnt: ptr(3), ItemPrice: ptr(5700)}
	with := func(change func(*Registration)) Registration {
		r := valid
		change(&r)
		return r
	}
	tests := []struct {
		name    string
		reg     Registration
		field   string // "" = valid
		message string
	}{
		{"valid", valid, "", ""},
		{"zero stock and price", with(func(r *Registration) { r.StockCnt, r.ItemPrice = ptr(0), ptr(0) }), "", ""},
		{"upper limits", with(func(r *Registration) { r.StockCnt, r.ItemPrice = ptr(10_000), ptr(10_000_000) }), "", ""},
		{"60 runes", with(func(r *Registration) { r.TaxiName = strings.Repeat("택", 60) }), "", ""},
		{"blank name", with(func(r *Registration) { r.TaxiName = "  " }), "taxiName", "taxiName must be 1 to 60 characters"},
		{"61 runes", with(func(r *Registration) { r.TaxiName = strings.Repeat("a", 61) }), "taxiName", ""},
		{"no company", with(func(r *Registration) { r.CompanyName = "" }), "companyName", ""},
		{"bad grade", with(func(r *Registration) { r.Grade = "luxury" }), "grade", ""},
		{"missing stock", with(func(r *Registration) { r.StockCnt = nil }), "stockCnt", "stockCnt is required"},
		{"negative stock", with(func(r *Registration) { r.StockCnt = ptr(-1) }), "stockCnt", "stockCnt must be ≥ 0"},
		{"too much stock", with(func(r *Registration) { r.StockCnt = ptr(10_001) }), "stockCnt", ""},
		{"missing price", with(func(r *Registration) { r.ItemPrice = nil }), "itemPrice", ""},
		{"negative price", with(func(r *Registration) { r.ItemPrice = ptr(-5) }), "itemPrice", ""},
		{"price too high", with(func(r *Registration) { r.ItemPrice = ptr(10_000_001) }), "itemPrice", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.reg.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			e, ok := apperr.As(err)
			if !ok || e.Kind != apperr.KindValidation || e.Field != tt.field {
				t.Fatalf("err = %v, want a validation error on %s", err, tt.field)
			}
			if tt.message != "" && e.Message != tt.message {
				t.Errorf("message = %q, want %q", e.Message, tt.message)
			}
		})
	}
}

func TestUpdateValidateAndApply(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	// 10 supplied, 4 assigned, 1 released: 7 available.
	base := Taxi{ID: "t1", StockCnt: 7, ItemPrice: 100, SuppliedCnt: 10, AssignedCnt: 4, ReleasedCnt: 1, Version: 9}
	tests := []struct {
		name         string
		update       Update
		field        string // validation failure on this field; "-" = failure with no field
		wantStock    int64
		wantSupplied int64
		wantPrice    int64
	}{
		{"raise stock", Update{StockCnt: ptr(12)}, "", 12, 15, 100},
		{"lower stock", Update{StockCnt: ptr(2)}, "", 2, 5, 100},
		{"to zero", Update{StockCnt: ptr(0)}, "", 0, 3, 100},
		{"price only", Update{ItemPrice: ptr(300)}, "", 7, 10, 300},
		{"both", Update{StockCnt: ptr(8), ItemPrice: ptr(1)}, "", 8, 11, 1},
		{"empty", Update{}, "-", 0, 0, 0},
		{"negative stock", Update{StockCnt: ptr(-1)}, "stockCnt", 0, 0, 0},
		{"negative price", Update{ItemPrice: ptr(-1)}, "itemPrice", 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.update.Validate()
			if tt.field != "" {
				e, ok := apperr.As(err)
				if !ok || e.Kind != apperr.KindValidation || (tt.field != "-" && e.Field != tt.field) {
					t.Fatalf("err = %v, want validation error on %s", err, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := base.Apply(tt.update, now)
			if got.StockCnt != tt.wantStock || got.SuppliedCnt != tt.wantSupplied || got.ItemPrice != tt.wantPrice || got.Version != 10 {
				t.Errorf("got %+v", got)
			}
			if !got.Balanced() {
				t.Errorf("counters out of balance: %+v", got)
			}
		})
	}
}

func TestRefusalReason(t *testing.T) {
	tests := []struct {
		name    string
		taxi    *Taxi
		grade   string
		reason  string
		refused bool
	}{
		{"available", &Taxi{Grade: GradePrime, StockCnt: 1}, GradePrime, "", false},
		{"missing", nil, GradePrime, "taxi not found", true},
		{"wrong grade", &Taxi{Grade: GradeBasic, StockCnt: 5}, GradePlatinum, "taxi grade basic does not match booking grade platinum", true},
		{"no stock", &Taxi{Grade: GradePrime, StockCnt: 0}, GradePrime, "no taxi available", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reason, refused := RefusalReason(tt.taxi, tt.grade)
			if reason != tt.reason || refused != tt.refused {
				t.Errorf("got %q %v", reason, refused)
			}
		})
	}
}
