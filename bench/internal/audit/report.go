package audit

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Result is one invariant's outcome.
type Result struct {
	Name       string   `json:"name"`
	Checked    int      `json:"checked"` // how many things the rule looked at
	Violations []string `json:"violations"`
	Notes      []string `json:"notes,omitempty"` // explained exceptions, e.g. dead letters caused by a fault
}

// Report is the auditor's whole answer.
type Report struct {
	Results []Result `json:"results"`
}

// ViolationCount is the number of violations over every invariant.
func (r Report) ViolationCount() int {
	n := 0
	for _, res := range r.Results {
		n += len(res.Violations)
	}
	return n
}

// Run checks every invariant on the snapshot.
func Run(s Snapshot, e Expectations) Report {
	e = e.resolve(s)
	return Report{Results: []Result{
		checkOrdersSettled(s, e),
		checkPayments(s, e),
		checkReservations(s, e),
		checkCancellations(s, e),
		checkTaxiCounters(s),
		checkAssignments(s),
		checkMyPages(s, e),
		checkSMS(s),
		checkDeadLetters(s, e),
		checkCardNumbers(s, e),
		checkApprovedPaymentsBooked(s),
		checkPaidOrdersReachTheCompany(s),
		checkSMSParts(s),
		checkTaxiRides(s),
	}}
}

// resolve fills derived expectations when the load generator's are unknown.
func (e Expectations) resolve(s Snapshot) Expectations {
	cards := append(append([]string(nil), TestCards...), e.Cards...)
	sort.Strings(cards)
	e.Cards = compactStrings(cards)
	if e.Known {
		return e
	}
	e.Placed, e.Canceled = map[string]bool{}, map[string]CancelOutcome{}
	for _, o := range s.Orders {
		switch str(o, "status") {
		case "PAID":
			e.Placed[str(o, "id")] = true
		case "CANCELED":
			e.Placed[str(o, "id")] = true
			e.Canceled[str(o, "id")] = CancelConfirmed
		}
	}
	return e
}

func compactStrings(sorted []string) []string {
	out := sorted[:0]
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// maxListed bounds how many violations of one invariant are printed.
const maxListed = 10

// Print writes the report as a readable list, one line per invariant and then its first violations.
func (r Report) Print(w io.Writer) {
	for _, res := range r.Results {
		mark := "ok  "
		if len(res.Violations) > 0 {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "%s %-42s checked %6d  violations %d\n", mark, res.Name, res.Checked, len(res.Violations))
		for i, v := range res.Violations {
			if i == maxListed {
				fmt.Fprintf(w, "       … and %d more\n", len(res.Violations)-maxListed)
				break
			}
			fmt.Fprintf(w, "       - %s\n", v)
		}
		for i, n := range res.Notes {
			if i == maxListed {
				fmt.Fprintf(w, "       … and %d more notes\n", len(res.Notes)-maxListed)
				break
			}
			fmt.Fprintf(w, "       · %s\n", n)
		}
	}
	fmt.Fprintf(w, "%s\n", strings.Repeat("-", 60))
	fmt.Fprintf(w, "violations: %d\n", r.ViolationCount())
}
