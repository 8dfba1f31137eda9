package main

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/calltaxi/call-taxi/shared/ids"
	"github.com/calltaxi/call-taxi/shared/smsparts"
	"github.com/calltaxi/call-taxi/shared/validate"
)

// Customer-visible statuses, as the mypage projection writes them into history.
const (
	StatusPaid      = "PAID"
	StatusReserved  = "RESERVED"
	StatusConfirmed = "CONFIRMED"
	StatusPickedUp  = "PICKED_UP"
	StatusCompleted = "COMPLETED"
	StatusCanceled  = "CANCELED"
)

// statusOrder is the order statuses are named in when one text announces several (mypage's rank).
var statusOrder = []string{StatusPaid, StatusReserved, StatusConfirmed, StatusPickedUp, StatusCompleted, StatusCanceled}

// Announced reports whether a status has a text (the others are not customer-visible).
func Announced(status string) bool { return slices.Contains(statusOrder, status) }

// Languages a text is written in.
const (
	LangKorean  = "ko"
	LangEnglish = "en"
)

// HistoryEntry is one customer-visible status change of a mypage view.
type HistoryEntry struct {
	Status string `dynamodbav:"status"`
	At     string `dynamodbav:"at"`
}

// Image is the part of a MyPagesTable row a notification needs.
type Image struct {
	OrderID   string `dynamodbav:"orderId"`
	Phone     string `dynamodbav:"phone"`
	Language  string `dynamodbav:"language"`
	OrderType string `dynamodbav:"orderType"`
	Fare      int64  `dynamodbav:"fare"`
	TaxiName  string `dynamodbav:"taxiName"`
	// PickupLocal is the pickup time on the company's clock ("01-02 15:04"), "" = as soon as possible.
	PickupLocal string         `dynamodbav:"pickupLocal"`
	History     []HistoryEntry `dynamodbav:"history"`
}

// NewEntries are the history entries of the new image that the old one lacks: history only grows, so a
// status absent before is a change the customer has not been told about.
func NewEntries(oldHistory, newHistory []HistoryEntry) []HistoryEntry {
	seen := make(map[string]bool, len(oldHistory))
	for _, e := range oldHistory {
		seen[e.Status] = true
	}
	var added []HistoryEntry
	for _, e := range newHistory {
		if !seen[e.Status] {
			seen[e.Status] = true
			added = append(added, e)
		}
	}
	return added
}

// ToNotify are the changes a record asks to text: the history entries it adds. Statuses the view reached
// before its order record (and so the phone) arrived were skipped, so the record that brings a valid
// phone offers every status again (the booking's notification record drops those already announced).
func ToNotify(oldImg, newImg Image) []HistoryEntry {
	if !validate.E164(oldImg.Phone) && validate.E164(newImg.Phone) {
		return NewEntries(nil, newImg.History)
	}
	return NewEntries(oldImg.History, newImg.History)
}

// Language is the language the customer is texted in: the one the booking carries, else Korean for a
// Korean (+82) number and English for any other.
func Language(chosen, phone string) string {
	switch chosen {
	case LangKorean, LangEnglish:
		return chosen
	}
	if strings.HasPrefix(phone, "+82") {
		return LangKorean
	}
	return LangEnglish
}

// Booking is what a text says about a booking.
type Booking struct {
	OrderID   string
	Language  string
	OrderType string
	Fare      int64
	TaxiName  string
	// PickupLocal is when the taxi comes ("01-02 15:04" on the company's clock), "" = as soon as possible.
	PickupLocal string
}

// detail is how much a variant of a text says; each is tried in turn until the text fits one part.
type detail struct {
	orderType bool
	fare      bool
	taxiName  int  // runes of the taxi name kept; 0 = no name
	pickup    bool // the pickup time with a confirmation
}

// maxTaxiName is the most of a taxi name any text carries.
const maxTaxiName = 30

var details = []detail{
	{orderType: true, fare: true, taxiName: maxTaxiName, pickup: true},
	{fare: true, taxiName: maxTaxiName, pickup: true},
	{taxiName: maxTaxiName, pickup: true},
	{taxiName: 20, pickup: true},
	{taxiName: 12, pickup: true},
	{taxiName: 8, pickup: true},
	{taxiName: 5, pickup: true},
	{fare: true, pickup: true},
	{pickup: true},
	{},
}

// Compose is the one text that announces statuses (in any order; unknown ones are ignored) in the
// booking's language. It always fits one SMS part: ≤ 160 GSM-7 septets, or ≤ 70 UCS-2 characters when
// any character (Hangul, or a taxi name's) needs UCS-2. What does not fit is left out, most optional
// first: the grade, then the fare (a confirmation names the taxi and when it comes rather than the fare
// paid), then the taxi name (shortened, then dropped), then the pickup time.
func Compose(b Booking, statuses []string) string {
	var named []string
	for _, s := range statusOrder {
		if slices.Contains(statuses, s) {
			named = append(named, s)
		}
	}
	if len(named) == 0 {
		return ""
	}
	var text string
	for _, d := range details {
		if text = compose(b, named, d); smsparts.FitsOnePart(text) {
			return text
		}
	}
	return text // the last variant is a fixed text well inside one part (tested)
}

func compose(b Booking, statuses []string, d detail) string {
	short := ids.Short(b.OrderID)
	parts := make([]string, 0, len(statuses))
	if b.Language == LangKorean {
		name := truncate(strings.TrimSpace(b.TaxiName), d.taxiName, "…")
		for _, s := range statuses {
			switch s {
			case StatusPaid:
				p := "결제 완료"
				if d.fare && b.Fare > 0 {
					p = "결제 " + groupThousands(b.Fare) + "원"
					if d.orderType && b.OrderType != "" {
						p += "(" + b.OrderType + ")"
					}
				}
				parts = append(parts, p)
			case StatusReserved:
				parts = append(parts, "배차 요청 접수")
			case StatusConfirmed:
				p := "배차 완료"
				if name != "" {
					p = name + " " + p
				}
				if d.pickup && b.PickupLocal != "" {
					p += ", 픽업 " + b.PickupLocal
				} else if d.pickup {
					p += ", 곧 도착"
				}
				parts = append(parts, p)
			case StatusPickedUp:
				parts = append(parts, "탑승 완료")
			case StatusCompleted:
				parts = append(parts, "운행 완료")
			case StatusCanceled:
				parts = append(parts, "취소·환불 완료")
			}
		}
		return "[콜택시] 예약 " + short + ": " + strings.Join(parts, ", ") + "."
	}
	name := truncate(strings.TrimSpace(b.TaxiName), d.taxiName, "...") // GSM-7, unlike "…"
	for _, s := range statuses {
		switch s {
		case StatusPaid:
			p := "paid"
			if d.fare && b.Fare > 0 {
				p += " " + groupThousands(b.Fare) + " KRW"
				if d.orderType && b.OrderType != "" {
					p += " (" + b.OrderType + ")"
				}
			}
			parts = append(parts, p)
		case StatusReserved:
			parts = append(parts, "reached the taxi company")
		case StatusConfirmed:
			p := "taxi assigned"
			if name != "" {
				p = "taxi " + name + " assigned"
			}
			if d.pickup && b.PickupLocal != "" {
				p += ", pickup " + b.PickupLocal
			} else if d.pickup {
				p += ", on its way"
			}
			parts = append(parts, p)
		case StatusPickedUp:
			parts = append(parts, "picked up")
		case StatusCompleted:
			parts = append(parts, "ride completed")
		case StatusCanceled:
			parts = append(parts, "cancelled and refunded")
		}
	}
	return "[CallTaxi] Booking " + short + ": " + strings.Join(parts, "; ") + "."
}

func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return sign + s
}

// truncate keeps at most maxRunes runes, marking a cut with mark.
func truncate(s string, maxRunes int, mark string) string {
	if maxRunes <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= maxRunes {
		return s
	}
	keep := max(maxRunes-utf8.RuneCountInString(mark), 1)
	return strings.TrimSpace(string([]rune(s)[:keep])) + mark
}
