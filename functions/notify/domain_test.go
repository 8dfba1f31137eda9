package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/calltaxi/call-taxi/shared/smsparts"
)

const testOrderID = "0h5k3m9q2r7t1v7f3k2a"

func TestCompose(t *testing.T) {
	en := Booking{OrderID: testOrderID, Language: LangEnglish, Fare: 9500, OrderType: "prime", TaxiName: "Seoul Prime 7"}
	ko := en
	ko.Language = LangKorean
	enAt, koAt := en, ko
	enAt.PickupLocal, koAt.PickupLocal = "03-01 23:30", "03-01 23:30"
	tests := []struct {
		name     string
		booking  Booking
		statuses []string
		want     string
	}{
		{"en paid", en, []string{StatusPaid}, "[CallTaxi] Booking 7F3K2A: paid 9,500 KRW (prime)."},
		{"en paid and reserved in one text", en, []string{StatusReserved, StatusPaid}, "[CallTaxi] Booking 7F3K2A: paid 9,500 KRW (prime); reached the taxi company."},
		{"en confirmed", en, []string{StatusConfirmed}, "[CallTaxi] Booking 7F3K2A: taxi Seoul Prime 7 assigned, on its way."},
		{"en canceled", en, []string{StatusCanceled}, "[CallTaxi] Booking 7F3K2A: cancelled and refunded."},
		{"en without fare or name", Booking{OrderID: testOrderID, Language: LangEnglish}, []string{StatusPaid, StatusConfirmed}, "[CallTaxi] Booking 7F3K2A: paid; taxi assigned, on its way."},
		{"en drops a Hangul taxi name rather than go UCS-2 past 70", Booking{OrderID: testOrderID, Language: LangEnglish, Fare: 9500, OrderType: "prime", TaxiName: strings.Repeat("서울택시", 10)},
			[]string{StatusPaid, StatusReserved, StatusConfirmed}, "[CallTaxi] Booking 7F3K2A: paid 9,500 KRW; reached the taxi company; taxi assigned, on its way."},
		{"ko paid", ko, []string{StatusPaid}, "[콜택시] 예약 7F3K2A: 결제 9,500원(prime)."},
		{"ko paid and reserved", ko, []string{StatusPaid, StatusReserved}, "[콜택시] 예약 7F3K2A: 결제 9,500원(prime), 배차 요청 접수."},
		{"ko confirmed", ko, []string{StatusConfirmed}, "[콜택시] 예약 7F3K2A: Seoul Prime 7 배차 완료, 곧 도착."},
		{"ko confirmed with a pickup time", koAt, []string{StatusConfirmed}, "[콜택시] 예약 7F3K2A: Seoul Prime 7 배차 완료, 픽업 03-01 23:30."},
		{"en confirmed with a pickup time", enAt, []string{StatusConfirmed}, "[CallTaxi] Booking 7F3K2A: taxi Seoul Prime 7 assigned, pickup 03-01 23:30."},
		{"ko every status at once keeps the name and the time", koAt, []string{StatusPaid, StatusReserved, StatusConfirmed}, "[콜택시] 예약 7F3K2A: 결제 완료, 배차 요청 접수, Seoul Prime 7 배차 완료, 픽업 03-01 23:30."},
		{"ko picked up", ko, []string{StatusPickedUp}, "[콜택시] 예약 7F3K2A: 탑승 완료."},
		{"ko completed", ko, []string{StatusCompleted}, "[콜택시] 예약 7F3K2A: 운행 완료."},
		{"en picked up and completed in one text", en, []string{StatusCompleted, StatusPickedUp}, "[CallTaxi] Booking 7F3K2A: picked up; ride completed."},
		{"ko canceled", ko, []string{StatusCanceled}, "[콜택시] 예약 7F3K2A: 취소·환불 완료."},
		{"unknown statuses are ignored", ko, []string{"PENDING_PAYMENT", StatusCanceled}, "[콜택시] 예약 7F3K2A: 취소·환불 완료."},
		{"nothing to say", ko, []string{"PENDING_PAYMENT"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Compose(tt.booking, tt.statuses)
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			if got != "" && !smsparts.FitsOnePart(got) {
				t.Errorf("%q is %d parts", got, smsparts.Parts(got))
			}
		})
	}
}

// Every combination of statuses, in both languages, with any taxi name and fare, is one part and names
// every status.
func TestComposeAlwaysOnePart(t *testing.T) {
	keywords := map[string]map[string]string{
		LangEnglish: {StatusPaid: "paid", StatusReserved: "reached the taxi company", StatusConfirmed: "assigned", StatusCanceled: "cancelled"},
		LangKorean:  {StatusPaid: "결제", StatusReserved: "배차 요청 접수", StatusConfirmed: "배차 완료", StatusCanceled: "취소·환불 완료"},
	}
	names := []string{"", "Seoul Prime 7", strings.Repeat("Platinum Limousine ", 10), strings.Repeat("서울택시", 20), "🚕🚕🚕 Taxi 🚕", "Żółć ć"}
	fares := []int64{0, 3800, 9500, 1234567890123}
	types := []string{"", "platinum", strings.Repeat("x", 50)}
	for _, lang := range []string{LangEnglish, LangKorean} {
		for mask := 1; mask < 1<<len(statusOrder); mask++ {
			var statuses []string
			for i, s := range statusOrder {
				if mask&(1<<i) != 0 {
					statuses = append(statuses, s)
				}
			}
			for _, name := range names {
				for _, fare := range fares {
					for _, typ := range types {
						text := Compose(Booking{OrderID: testOrderID, Language: lang, TaxiName: name, Fare: fare, OrderType: typ}, statuses)
						if !smsparts.FitsOnePart(text) {
							t.Fatalf("%s %v %q: %q is %d parts (%s, %d)", lang, statuses, name, text, smsparts.Parts(text), smsparts.Encoding(text), smsparts.Length(text))
						}
						for _, s := range statuses {
							if !strings.Contains(text, keywords[lang][s]) {
								t.Fatalf("%q does not announce %s", text, s)
							}
						}
					}
				}
			}
		}
	}
}

func TestLanguage(t *testing.T) {
	tests := []struct{ chosen, phone, want string }{
		{"", "+821012345678", LangKorean},
		{"", "+14155550100", LangEnglish},
		{"en", "+821012345678", LangEnglish},
		{"ko", "+14155550100", LangKorean},
		{"fr", "+821012345678", LangKorean},
		{"", "", LangEnglish},
	}
	for _, tt := range tests {
		if got := Language(tt.chosen, tt.phone); got != tt.want {
			t.Errorf("Language(%q, %q) = %q, want %q", tt.chosen, tt.phone, got, tt.want)
		}
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
