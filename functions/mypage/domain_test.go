package main

import (
	"reflect"
	"slices"
	"testing"
)

func applyAll(recs []SourceRecord) View {
	v := NewView(testOrderID)
	for _, r := range recs {
		v.Apply(r, r.UpdatedAt)
	}
	return v
}

// permutations calls fn with every ordering of n indices (Heap's algorithm).
func permutations(n int, fn func(order []int)) {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	c := make([]int, n)
	fn(order)
	for i := 0; i < n; {
		if c[i] < i {
			if i%2 == 0 {
				order[0], order[i] = order[i], order[0]
			} else {
				order[c[i]], order[i] = order[i], order[c[i]]
			}
			fn(order)
			c[i]++
			i = 0
		} else {
			c[i] = 0
			i++
		}
	}
}

func withoutHistory(v View) View {
	v.History = nil
	return v
}

// checkHistory asserts the history rules that hold whatever the delivery order: each visible status at most
// once, ranks strictly rising, and the last entry is the current status.
func checkHistory(t *testing.T, v View) {
	t.Helper()
	if v.Status == "" {
		if len(v.History) != 0 {
			t.Fatalf("not a booking but history %v", v.History)
		}
		return
	}
	for i, h := range v.History {
		if i > 0 && statusRank[h.Status] <= statusRank[v.History[i-1].Status] {
			t.Fatalf("history not strictly rising: %v", v.History)
		}
	}
	if last := v.History[len(v.History)-1]; last.Status != v.Status {
		t.Fatalf("history %v ends in %s, status is %s", v.History, last.Status, v.Status)
	}
}

func TestApplyEveryPermutationEndsInTheSameView(t *testing.T) {
	tests := []struct {
		name        string
		chronologic []SourceRecord // in the order they were written
		wantStatus  string
		wantHistory []HistoryEntry // when delivered chronologically
		check       func(t *testing.T, v View)
	}{
		{
			name: "booked and confirmed",
			chronologic: []SourceRecord{
				orderRec(1, "PENDING_PAYMENT", 0), paymentRec(1, "PENDING", 1), paymentRec(2, "APPROVED", 2),
				orderRec(2, "PAID", 3), reservationRec(1, "REQUESTED", 4), withTaxi(reservationRec(2, "ASSIGNING", 5)),
				withTaxi(reservationRec(3, "CONFIRMED", 6)),
			},
			wantStatus:  StatusConfirmed,
			wantHistory: []HistoryEntry{{StatusPaid, at(2)}, {StatusReserved, at(4)}, {StatusConfirmed, at(6)}},
			check: func(t *testing.T, v View) {
				if v.TaxiName != "Seoul Prime 7" || v.OrderStatus != "PAID" || v.PaymentStatus != "APPROVED" ||
					v.Name != "Kim Minji" || v.Fare != 5700 || v.CreatedAt != at(0) || v.UpdatedAt != at(6) ||
					v.ReservationID != "rsv-"+testOrderID || v.OrderVersion != 2 || v.PaymentVersion != 2 || v.ReservationVersion != 3 {
					t.Errorf("merged view %+v", v)
				}
			},
		},
		{
			name: "cancelled after the reservation",
			chronologic: []SourceRecord{
				paymentRec(2, "APPROVED", 1), orderRec(2, "PAID", 2), reservationRec(1, "REQUESTED", 3),
				paymentRec(3, "CANCELED", 4), orderRec(3, "CANCELED", 5), reservationRec(2, "CANCELED", 6),
			},
			wantStatus:  StatusCanceled,
			wantHistory: []HistoryEntry{{StatusPaid, at(1)}, {StatusReserved, at(3)}, {StatusCanceled, at(5)}},
		},
		{
			name: "cancelled before the reservation existed (tombstone)",
			chronologic: []SourceRecord{
				orderRec(1, "PENDING_PAYMENT", 0), orderRec(2, "PAID", 1), paymentRec(2, "APPROVED", 1),
				orderRec(3, "CANCELED", 2), reservationRec(1, "CANCELED", 3),
			},
			wantStatus:  StatusCanceled,
			wantHistory: []HistoryEntry{{StatusPaid, at(1)}, {StatusCanceled, at(2)}},
		},
		{
			name: "declined is not a booking",
			chronologic: []SourceRecord{
				orderRec(1, "PENDING_PAYMENT", 0), paymentRec(1, "PENDING", 0), paymentRec(2, "DECLINED", 1), orderRec(2, "DECLINED", 1),
			},
			wantStatus:  "",
			wantHistory: nil,
		},
		{
			name: "taxi rejected, back to requested",
			chronologic: []SourceRecord{
				orderRec(2, "PAID", 1), paymentRec(2, "APPROVED", 1), reservationRec(1, "REQUESTED", 2),
				withTaxi(reservationRec(2, "ASSIGNING", 3)),
				func() SourceRecord { r := reservationRec(3, "REQUESTED", 4); r.RejectReason = "no taxi"; return r }(),
			},
			wantStatus:  StatusReserved,
			wantHistory: []HistoryEntry{{StatusPaid, at(1)}, {StatusReserved, at(2)}},
			check: func(t *testing.T, v View) {
				if v.RejectReason != "no taxi" || v.TaxiName != "" {
					t.Errorf("rejected reservation merged as %+v", v)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := applyAll(tt.chronologic)
			if want.Status != tt.wantStatus || !reflect.DeepEqual(want.History, tt.wantHistory) {
				t.Fatalf("chronological delivery: status %q history %v, want %q %v", want.Status, want.History, tt.wantStatus, tt.wantHistory)
			}
			if tt.check != nil {
				tt.check(t, want)
			}
			count := 0
			permutations(len(tt.chronologic), func(order []int) {
				count++
				recs := make([]SourceRecord, len(order))
				for i, j := range order {
					recs[i] = tt.chronologic[j]
				}
				got := applyAll(recs)
				if !reflect.DeepEqual(withoutHistory(got), withoutHistory(want)) {
					t.Fatalf("order %v ends in\n%+v\nwant\n%+v", order, got, want)
				}
				checkHistory(t, got)
			})
			if count < 24 {
				t.Fatalf("only %d permutations tried", count)
			}
		})
	}
}

func TestApplySequences(t *testing.T) {
	tests := []struct {
		name        string
		recs        []SourceRecord
		wantApplied []bool
		wantStatus  string
		wantHistory []string
		check       func(t *testing.T, v View)
	}{
		{
			name:        "duplicate record changes nothing",
			recs:        []SourceRecord{orderRec(2, "PAID", 1), orderRec(2, "PAID", 1)},
			wantApplied: []bool{true, false},
			wantStatus:  StatusPaid, wantHistory: []string{StatusPaid},
		},
		{
			name:        "reservation before order",
			recs:        []SourceRecord{reservationRec(1, "REQUESTED", 3), orderRec(2, "PAID", 1)},
			wantApplied: []bool{true, true},
			wantStatus:  StatusReserved, wantHistory: []string{StatusPaid, StatusReserved},
			check: func(t *testing.T, v View) {
				if v.Name != "Kim Minji" || v.Phone == "" || v.CreatedAt != at(0) || v.UpdatedAt != at(3) {
					t.Errorf("order fields not merged after the reservation: %+v", v)
				}
			},
		},
		{
			name:        "older order version after a newer one",
			recs:        []SourceRecord{orderRec(3, "CANCELED", 5), orderRec(2, "PAID", 1)},
			wantApplied: []bool{true, false},
			wantStatus:  StatusCanceled, wantHistory: []string{StatusPaid, StatusCanceled},
			check: func(t *testing.T, v View) {
				if v.OrderStatus != "CANCELED" || v.OrderVersion != 3 {
					t.Errorf("older record overwrote: %+v", v)
				}
			},
		},
		{
			name:        "CANCELED never reverts to a late confirmation",
			recs:        []SourceRecord{orderRec(2, "PAID", 1), orderRec(3, "CANCELED", 2), withTaxi(reservationRec(3, "CONFIRMED", 3))},
			wantApplied: []bool{true, true, true},
			wantStatus:  StatusCanceled, wantHistory: []string{StatusPaid, StatusCanceled},
		},
		{
			name:        "a tombstone alone is not a booking",
			recs:        []SourceRecord{reservationRec(1, "CANCELED", 3)},
			wantApplied: []bool{true},
			wantStatus:  "", wantHistory: nil,
		},
		{
			name:        "a tombstone cancels once the payment shows up",
			recs:        []SourceRecord{reservationRec(1, "CANCELED", 3), paymentRec(2, "APPROVED", 1)},
			wantApplied: []bool{true, true},
			wantStatus:  StatusCanceled, wantHistory: []string{StatusPaid, StatusCanceled},
		},
		{
			name:        "unknown entity is ignored",
			recs:        []SourceRecord{{Entity: "taxi", OrderID: testOrderID, Version: 1, Status: "PAID"}},
			wantApplied: []bool{false},
			wantStatus:  "", wantHistory: nil,
		},
		{
			name:        "version 0 is never newer",
			recs:        []SourceRecord{orderRec(0, "PAID", 1)},
			wantApplied: []bool{false},
			wantStatus:  "", wantHistory: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := NewView(testOrderID)
			for i, r := range tt.recs {
				before := v
				before.History = slices.Clone(v.History)
				applied := v.Apply(r, r.UpdatedAt)
				if applied != tt.wantApplied[i] {
					t.Fatalf("record %d applied = %v, want %v", i, applied, tt.wantApplied[i])
				}
				if !applied && !reflect.DeepEqual(v, before) {
					t.Fatalf("record %d not applied but changed the view:\n%+v\n%+v", i, v, before)
				}
			}
			var statuses []string
			for _, h := range v.History {
				statuses = append(statuses, h.Status)
			}
			if v.Status != tt.wantStatus || !reflect.DeepEqual(statuses, tt.wantHistory) {
				t.Errorf("status %q history %v, want %q %v", v.Status, statuses, tt.wantStatus, tt.wantHistory)
			}
			if tt.check != nil {
				tt.check(t, v)
			}
		})
	}
}

// The order's SMS language reaches the view, for notify.
func TestApplyKeepsTheLanguage(t *testing.T) {
	tests := []struct{ language, want string }{{"en", "en"}, {"ko", "ko"}, {"", ""}}
	for _, tt := range tests {
		v := NewView("o1")
		v.Apply(SourceRecord{Entity: EntityOrder, ID: "o1", OrderID: "o1", Status: "PAID", Version: 1, Phone: "+821012345678", Language: tt.language}, "2026-03-01T09:00:00.000Z")
		if v.Language != tt.want {
			t.Errorf("language %q → view %q, want %q", tt.language, v.Language, tt.want)
		}
	}
}
