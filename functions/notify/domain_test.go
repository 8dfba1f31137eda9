package main

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMessage(t *testing.T) {
	const orderID = "0h5k3m9q2r7t1v7f3k2a"
	tests := []struct {
		name   string
		img    Image
		status string
		want   []string // substrings, English and Korean
	}{
		{"paid", Image{OrderID: orderID, Fare: 9500, OrderType: "prime"}, StatusPaid, []string{"[CallTaxi] Booking 7F3K2A", "paid 9,500 KRW (prime)", "예약 7F3K2A: 결제 완료"}},
		{"paid without fare", Image{OrderID: orderID}, StatusPaid, []string{"Booking 7F3K2A: paid.", "결제 완료"}},
		{"reserved", Image{OrderID: orderID}, StatusReserved, []string{"Booking 7F3K2A", "reached the taxi company", "배차 요청 접수"}},
		{"confirmed", Image{OrderID: orderID, TaxiName: "Seoul Prime 7"}, StatusConfirmed, []string{"Booking 7F3K2A", "taxi Seoul Prime 7 assigned", "배차 완료"}},
		{"confirmed without a name", Image{OrderID: orderID}, StatusConfirmed, []string{"Booking 7F3K2A: taxi assigned.", "배차 완료"}},
		{"confirmed with a very long name", Image{OrderID: orderID, TaxiName: strings.Repeat("서울택시", 40)}, StatusConfirmed, []string{"Booking 7F3K2A", "…", "배차 완료"}},
		{"canceled", Image{OrderID: orderID}, StatusCanceled, []string{"Booking 7F3K2A", "cancelled and refunded", "취소 및 환불 완료"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, ok := Message(tt.img, tt.status)
			if !ok {
				t.Fatalf("no template for %s", tt.status)
			}
			for _, want := range tt.want {
				if !strings.Contains(text, want) {
					t.Errorf("%q lacks %q", text, want)
				}
			}
			if n := utf8.RuneCountInString(text); n > 160 {
				t.Errorf("%d characters: %q", n, text)
			}
		})
	}
	if text, ok := Message(Image{OrderID: orderID}, "PENDING_PAYMENT"); ok || text != "" {
		t.Errorf("unknown status got a text: %q", text)
	}
}

func TestGroupThousands(t *testing.T) {
	tests := map[int64]string{0: "0", 999: "999", 1000: "1,000", 9500: "9,500", 1234567: "1,234,567", -3800: "-3,800"}
	for n, want := range tests {
		if got := groupThousands(n); got != want {
			t.Errorf("groupThousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func entries(statuses ...string) []HistoryEntry {
	var out []HistoryEntry
	for i, s := range statuses {
		out = append(out, HistoryEntry{Status: s, At: "2026-03-01T09:00:0" + string(rune('0'+i)) + ".000Z"})
	}
	return out
}

func statusesOf(es []HistoryEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Status)
	}
	return out
}

func TestNewEntries(t *testing.T) {
	tests := []struct {
		name     string
		old, new []HistoryEntry
		want     []string
	}{
		{"insert", nil, entries(StatusPaid), []string{StatusPaid}},
		{"one added", entries(StatusPaid), entries(StatusPaid, StatusReserved), []string{StatusReserved}},
		{"two added", entries(StatusPaid), entries(StatusPaid, StatusReserved, StatusConfirmed), []string{StatusReserved, StatusConfirmed}},
		{"unchanged history", entries(StatusPaid, StatusReserved), entries(StatusPaid, StatusReserved), nil},
		{"no history", nil, nil, nil},
		{"compared by status, not time", []HistoryEntry{{StatusPaid, "x"}}, []HistoryEntry{{StatusPaid, "y"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := statusesOf(NewEntries(tt.old, tt.new)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestToNotify(t *testing.T) {
	const phone = "+821012345678"
	tests := []struct {
		name     string
		old, new Image
		want     []string
	}{
		{"new entries only", Image{Phone: phone, History: entries(StatusPaid)}, Image{Phone: phone, History: entries(StatusPaid, StatusReserved)}, []string{StatusReserved}},
		{"phone arrives after statuses", Image{History: entries(StatusPaid, StatusReserved)}, Image{Phone: phone, History: entries(StatusPaid, StatusReserved)}, []string{StatusPaid, StatusReserved}},
		{"phone fixed from an invalid one", Image{Phone: "010", History: entries(StatusPaid)}, Image{Phone: phone, History: entries(StatusPaid)}, []string{StatusPaid}},
		{"still no phone", Image{History: entries(StatusPaid)}, Image{History: entries(StatusPaid, StatusReserved)}, []string{StatusReserved}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := statusesOf(ToNotify(tt.old, tt.new)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
