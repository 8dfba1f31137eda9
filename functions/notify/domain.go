package main

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/calltaxi/call-taxi/shared/ids"
	"github.com/calltaxi/call-taxi/shared/validate"
)

// Customer-visible statuses, as the mypage projection writes them into history.
const (
	StatusPaid      = "PAID"
	StatusReserved  = "RESERVED"
	StatusConfirmed = "CONFIRMED"
	StatusCanceled  = "CANCELED"
)

// maxTaxiName keeps the CONFIRMED text short; a longer name is cut.
const maxTaxiName = 30

// HistoryEntry is one customer-visible status change of a mypage view.
type HistoryEntry struct {
	Status string `dynamodbav:"status"`
	At     string `dynamodbav:"at"`
}

// Image is the part of a MyPagesTable row a notification needs.
type Image struct {
	OrderID   string         `dynamodbav:"orderId"`
	Phone     string         `dynamodbav:"phone"`
	OrderType string         `dynamodbav:"orderType"`
	Fare      int64          `dynamodbav:"fare"`
	TaxiName  string         `dynamodbav:"taxiName"`
	History   []HistoryEntry `dynamodbav:"history"`
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
// phone offers every status again (the idempotency keys drop those already sent).
func ToNotify(oldImg, newImg Image) []HistoryEntry {
	if !validate.E164(oldImg.Phone) && validate.E164(newImg.Phone) {
		return NewEntries(nil, newImg.History)
	}
	return NewEntries(oldImg.History, newImg.History)
}

// IdempotencyKey names the one SMS a booking gets for a status.
func IdempotencyKey(orderID, status string) string {
	return "sms#" + orderID + "#" + status
}

// Message is the SMS text for a status, English then Korean; ok is false for a status with no template.
func Message(img Image, status string) (text string, ok bool) {
	short := ids.Short(img.OrderID)
	switch status {
	case StatusPaid:
		paid := "paid"
		if img.Fare > 0 {
			paid += " " + groupThousands(img.Fare) + " KRW"
		}
		if img.OrderType != "" {
			paid += " (" + img.OrderType + ")"
		}
		return fmt.Sprintf("[CallTaxi] Booking %s: %s. 예약 %s: 결제 완료", short, paid, short), true
	case StatusReserved:
		return fmt.Sprintf("[CallTaxi] Booking %s: your booking reached the taxi company. 예약 %s: 배차 요청 접수", short, short), true
	case StatusConfirmed:
		taxi := "taxi assigned"
		if name := truncate(img.TaxiName, maxTaxiName); name != "" {
			taxi = "taxi " + name + " assigned"
		}
		return fmt.Sprintf("[CallTaxi] Booking %s: %s. 예약 %s: 배차 완료", short, taxi, short), true
	case StatusCanceled:
		return fmt.Sprintf("[CallTaxi] Booking %s: cancelled and refunded. 예약 %s: 취소 및 환불 완료", short, short), true
	default:
		return "", false
	}
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

func truncate(s string, maxRunes int) string {
	if utf8.RuneCountInString(s) <= maxRunes {
		return s
	}
	return string([]rune(s)[:maxRunes-1]) + "…"
}
