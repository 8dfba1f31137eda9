package audit

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/calltaxi/call-taxi/bench/internal/api"
	"github.com/calltaxi/call-taxi/shared/ids"
	"github.com/calltaxi/call-taxi/shared/smsparts"
)

var statusRank = map[string]int{"PAID": 1, "RESERVED": 2, "CONFIRMED": 3, "PICKED_UP": 4, "COMPLETED": 5, "CANCELED": 6}

// expectedMyPageStatus is the customer-visible status the sources imply once everything is delivered.
func expectedMyPageStatus(orderStatus, reservationStatus string) string {
	switch {
	case orderStatus == "CANCELED":
		return "CANCELED"
	case reservationStatus == "COMPLETED":
		return "COMPLETED"
	case reservationStatus == "PICKED_UP":
		return "PICKED_UP"
	case reservationStatus == "CONFIRMED":
		return "CONFIRMED"
	case reservationStatus == "REQUESTED" || reservationStatus == "ASSIGNING":
		return "RESERVED"
	}
	return "PAID"
}

type historyEntry struct {
	Status string
	At     string
}

func history(it Item) []historyEntry {
	raw, _ := it["history"].([]any)
	out := make([]historyEntry, 0, len(raw))
	for _, h := range raw {
		if m, ok := h.(map[string]any); ok {
			out = append(out, historyEntry{Status: str(m, "status"), At: str(m, "at")})
		}
	}
	return out
}

// checkMyPages: every booking has a mypage row whose status is what its sources imply, and whose history
// only moves forward and ends at that status.
func checkMyPages(s Snapshot, e Expectations) Result {
	res := Result{Name: "mypage in step with its sources, never backwards"}
	pages := byKey(s.MyPages, "orderId")
	orders := byKey(s.Orders, "id")
	reservations := byKey(s.Reservations, "orderId")
	for _, id := range e.sortedIDs() {
		res.Checked++
		page := pages[id]
		if len(page) == 0 {
			res.Violations = append(res.Violations, fmt.Sprintf("order %s got 201 but has no mypage", id))
			continue
		}
		var orderStatus, rsvStatus string
		if o := orders[id]; len(o) > 0 {
			orderStatus = str(o[0], "status")
		}
		if r := reservations[id]; len(r) > 0 {
			rsvStatus = str(r[0], "status")
		}
		want := expectedMyPageStatus(orderStatus, rsvStatus)
		got := str(page[0], "status")
		if got != want {
			res.Violations = append(res.Violations, fmt.Sprintf("mypage %s is %s, want %s (order %s, reservation %s)", id, got, want, orderStatus, rsvStatus))
		}
		h := history(page[0])
		for i := 1; i < len(h); i++ {
			if statusRank[h[i].Status] <= statusRank[h[i-1].Status] {
				res.Violations = append(res.Violations, fmt.Sprintf("mypage %s history goes %s → %s", id, h[i-1].Status, h[i].Status))
			}
		}
		if len(h) == 0 || h[len(h)-1].Status != got {
			res.Violations = append(res.Violations, fmt.Sprintf("mypage %s history %v does not end at its status %s", id, h, got))
		}
	}
	return res
}

// SMSStatuses recognises the customer-visible statuses an SMS announces (notify's texts name every status
// reached within a short window, in rank order), or none. A text with Korean is read in Korean only: the
// English of the older bilingual texts embeds the taxi's name, which could contain any word.
func SMSStatuses(text string) []string {
	probes := []struct{ phrase, status string }{
		{": paid", "PAID"}, {"reached the taxi company", "RESERVED"}, {" assigned", "CONFIRMED"}, {"picked up", "PICKED_UP"},
		{"ride completed", "COMPLETED"}, {"cancelled and refunded", "CANCELED"},
	}
	if strings.Contains(text, "예약 ") {
		probes = []struct{ phrase, status string }{
			{"결제", "PAID"}, {"배차 요청", "RESERVED"}, {"배차 완료", "CONFIRMED"}, {"탑승 완료", "PICKED_UP"}, {"운행 완료", "COMPLETED"},
			{"취소·환불", "CANCELED"}, {"취소 및 환불", "CANCELED"},
		}
	}
	var out []string
	for _, probe := range probes {
		if strings.Contains(text, probe.phrase) && !slices.Contains(out, probe.status) {
			out = append(out, probe.status)
		}
	}
	return out
}

// SMSStatus is the last status an SMS announces, or "".
func SMSStatus(text string) string {
	if st := SMSStatuses(text); len(st) > 0 {
		return st[len(st)-1]
	}
	return ""
}

// Pair is one customer-visible status change and the SMS that announced it.
type Pair struct {
	Phone     string
	Status    string
	ChangedAt time.Time // the mypage history entry's at
	SentAt    time.Time // the SMS outbox entry's at
}

// PairSMS matches mypage history entries with outbox SMS by phone and status (each SMS used once).
// It also returns the unmatched entries of each side.
func PairSMS(s Snapshot) (pairs []Pair, unsent []Pair, unexpected []Pair) {
	type key struct{ phone, status string }
	sent := map[key][]time.Time{}
	for _, m := range s.SMS {
		statuses := SMSStatuses(m.Message)
		if len(statuses) == 0 {
			statuses = []string{""}
		}
		for _, st := range statuses {
			k := key{m.PhoneNumber, st}
			sent[k] = append(sent[k], m.At)
		}
	}
	for k := range sent {
		sort.Slice(sent[k], func(i, j int) bool { return sent[k][i].Before(sent[k][j]) })
	}
	for _, page := range s.MyPages {
		phone := str(page, "phone")
		for _, h := range history(page) {
			k := key{phone, h.Status}
			at, _ := time.Parse(time.RFC3339Nano, h.At)
			p := Pair{Phone: phone, Status: h.Status, ChangedAt: at}
			if len(sent[k]) == 0 {
				unsent = append(unsent, p)
				continue
			}
			p.SentAt = sent[k][0]
			sent[k] = sent[k][1:]
			pairs = append(pairs, p)
		}
	}
	for k, times := range sent {
		for _, at := range times {
			unexpected = append(unexpected, Pair{Phone: k.phone, Status: k.status, SentAt: at})
		}
	}
	sort.Slice(unexpected, func(i, j int) bool { return unexpected[i].SentAt.Before(unexpected[j].SentAt) })
	return pairs, unsent, unexpected
}

// checkSMSParts: every SMS is one message part (≤ 160 GSM-7 septets or ≤ 70 UCS-2 characters), and a
// booking's happy path through CONFIRMED (PAID, RESERVED, CONFIRMED) costs at most 3 parts; the notes
// give the parts per booking. A booking's texts are its phone's texts that name its short id.
func checkSMSParts(s Snapshot) Result {
	res := Result{Name: "SMS parts per booking (one part a text, ≤ 3 through CONFIRMED)"}
	byPhone := map[string][]api.SMS{}
	for _, m := range s.SMS {
		byPhone[m.PhoneNumber] = append(byPhone[m.PhoneNumber], m)
		if n := smsparts.Parts(m.Message); n > 1 {
			res.Violations = append(res.Violations, fmt.Sprintf("an SMS of %d parts to %s: %q", n, m.PhoneNumber, m.Message))
		}
	}
	var total, bookings, happyTotal, happy int
	for _, page := range s.MyPages {
		id, phone := str(page, "orderId"), str(page, "phone")
		short := ids.Short(id)
		parts := 0
		for _, m := range byPhone[phone] {
			if strings.Contains(m.Message, "예약 "+short+":") || strings.Contains(m.Message, "Booking "+short+":") {
				parts += smsparts.Parts(m.Message)
			}
		}
		res.Checked++
		total += parts
		bookings++
		var statuses []string
		for _, h := range history(page) {
			statuses = append(statuses, h.Status)
		}
		if slices.Equal(statuses, []string{"PAID", "RESERVED", "CONFIRMED"}) {
			happyTotal += parts
			happy++
			if parts > 3 {
				res.Violations = append(res.Violations, fmt.Sprintf("booking %s cost %d SMS parts through CONFIRMED, want ≤ 3", id, parts))
			}
		}
	}
	if bookings > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%.2f SMS parts per booking (%d bookings)", float64(total)/float64(bookings), bookings))
	}
	if happy > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%.2f SMS parts per booking through CONFIRMED (%d bookings)", float64(happyTotal)/float64(happy), happy))
	}
	return res
}

// checkSMS: exactly one SMS per customer-visible status change: none missing, none twice, none unasked.
func checkSMS(s Snapshot) Result {
	res := Result{Name: "exactly one SMS per status change"}
	pairs, unsent, unexpected := PairSMS(s)
	res.Checked = len(pairs) + len(unsent)
	for _, p := range unsent {
		res.Violations = append(res.Violations, fmt.Sprintf("no SMS to %s for %s (changed at %s)", p.Phone, p.Status, p.ChangedAt.Format(time.RFC3339Nano)))
	}
	for _, p := range unexpected {
		what := "a second SMS"
		if p.Status == "" {
			what = "an SMS with unrecognised text"
		}
		res.Violations = append(res.Violations, fmt.Sprintf("%s to %s for %q at %s", what, p.Phone, p.Status, p.SentAt.Format(time.RFC3339Nano)))
	}
	return res
}
