package main

import (
	"errors"
	"testing"
)

// The fare is computed from the minimum fare read for each order (Parameter Store, here with a TTL of 0):
// a changed parameter prices the next order, an invalid value keeps the last good one, and a parameter
// that could never be read answers 503 with Retry-After and places nothing.
func TestPlaceOrderUsesTheCurrentMinTaxiPrice(t *testing.T) {
	tests := []struct {
		name       string
		put        string // new parameter value before the second order; "" = none
		fail       bool   // SSM fails before the second order
		grade      string
		wantFare   int64
		wantStatus int
	}{
		{name: "unchanged", grade: "prime", wantFare: 5700, wantStatus: 201},
		{name: "changed", put: "5000", grade: "prime", wantFare: 7500, wantStatus: 201},
		{name: "changed basic", put: "4200", grade: "basic", wantFare: 4200, wantStatus: 201},
		{name: "invalid keeps the last good value", put: "-1", grade: "basic", wantFare: 3800, wantStatus: 201},
		{name: "SSM failing keeps the last good value", fail: true, grade: "basic", wantFare: 3800, wantStatus: 201},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			if v := e.placePaid(alice); v.Fare != 3800 {
				t.Fatalf("first order fare = %d, want 3800", v.Fare)
			}
			if tt.put != "" {
				e.ssm.Put(minTaxiPriceParameter, tt.put)
			}
			if tt.fail {
				e.ssm.Fail(errors.New("ThrottlingException: Rate exceeded"))
			}
			resp := e.place(alice, orderBody(tt.grade, testCard), "")
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d %s", resp.StatusCode, resp.Body)
			}
			if v := decodeView(t, resp); v.Fare != tt.wantFare {
				t.Errorf("fare = %d, want %d", v.Fare, tt.wantFare)
			}
		})
	}
}

func TestPlaceOrderWithoutAFareConfigurationIsRetryable(t *testing.T) {
	e := newTestEnv(t)
	e.ssm.Fail(errors.New("ThrottlingException: Rate exceeded"))
	resp := e.place(alice, orderBody("basic", testCard), "k-1")
	if resp.StatusCode != 503 || resp.Headers["Retry-After"] != "2" || decodeError(t, resp).Error.Code != "SERVICE_UNAVAILABLE" {
		t.Fatalf("status = %d %v %s", resp.StatusCode, resp.Headers, resp.Body)
	}
	if charges, _, _ := e.pay.counts(); charges != 0 {
		t.Errorf("%d charges without a fare", charges)
	}
	e.ssm.Fail(nil)
	if retry := e.place(alice, orderBody("basic", testCard), "k-1"); retry.StatusCode != 201 || decodeView(t, retry).Fare != 3800 {
		t.Errorf("retry = %d %s", retry.StatusCode, retry.Body)
	}
}
