package audit

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

var statusRank = map[string]int{"PAID": 1, "RESERVED": 2, "CONFIRMED": 3, "CANCELED": 4}

// expectedMyPageStatus is the customer-visible status the sources imply once everything is delivered.
func expectedMyPageStatus(orderStatus, reservationStatus string) string {
	switch {
	case orderStatus == "CANCELED":
		return "CANCELED"
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

// SMSStatus recognises which customer-visible status an SMS announces (notify's templates), or "". The
// Korean half is tried first: the English half embeds the taxi's name, which could contain any word.
func SMSStatus(text string) string {
	for _, probe := range []struct{ phrase, status string }{
		{"취소 및 환불", "CANCELED"}, {"배차 완료", "CONFIRMED"}, {"배차 요청", "RESERVED"}, {"결제 완료", "PAID"},
		{"cancelled", "CANCELED"}, {" assigned", "CONFIRMED"}, {"reached the taxi company", "RESERVED"}, {": paid", "PAID"},
	} {
		if strings.Contains(text, probe.phrase) {
			return probe.status
		}
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
		k := key{m.PhoneNumber, SMSStatus(m.Message)}
		sent[k] = append(sent[k], m.At)
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
