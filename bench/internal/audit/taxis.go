package audit

import (
	"fmt"
)

// checkTaxiCounters: each taxi's counters agree with themselves and with its assignments.
func checkTaxiCounters(s Snapshot) Result {
	res := Result{Name: "taxi stock = supplied − assigned + released ≥ 0"}
	held := map[string]int64{}
	for _, a := range s.Assignments {
		if str(a, "status") == "ASSIGNED" {
			held[str(a, "taxiId")]++
		}
	}
	for _, t := range s.Taxis {
		res.Checked++
		id := str(t, "id")
		var vals [4]int64
		missing := false
		for i, f := range []string{"stockCnt", "suppliedCnt", "assignedCnt", "releasedCnt"} {
			v, ok := num(t, f)
			if !ok {
				res.Violations = append(res.Violations, fmt.Sprintf("taxi %s has no numeric %s", id, f))
				missing = true
			}
			vals[i] = v
		}
		if missing {
			continue
		}
		stock, supplied, assigned, released := vals[0], vals[1], vals[2], vals[3]
		if stock != supplied-assigned+released {
			res.Violations = append(res.Violations, fmt.Sprintf("taxi %s: stockCnt %d ≠ suppliedCnt %d − assignedCnt %d + releasedCnt %d", id, stock, supplied, assigned, released))
		}
		if stock < 0 {
			res.Violations = append(res.Violations, fmt.Sprintf("taxi %s: stockCnt %d below zero", id, stock))
		}
		if assigned-released != held[id] {
			res.Violations = append(res.Violations, fmt.Sprintf("taxi %s: assignedCnt − releasedCnt = %d but %d assignments are ASSIGNED", id, assigned-released, held[id]))
		}
	}
	return res
}

// checkAssignments: a taxi is held (ASSIGNED) exactly for the CONFIRMED reservations, by the same taxi.
func checkAssignments(s Snapshot) Result {
	res := Result{Name: "assignments match confirmed reservations"}
	assignments := byKey(s.Assignments, "reservationId")
	reservations := byKey(s.Reservations, "id")
	for _, r := range s.Reservations {
		if str(r, "status") != "CONFIRMED" {
			continue
		}
		res.Checked++
		id := str(r, "id")
		a := assignments[id]
		if len(a) == 0 || str(a[0], "status") != "ASSIGNED" {
			res.Violations = append(res.Violations, fmt.Sprintf("reservation %s is CONFIRMED but its assignment is %v", id, statuses(a)))
			continue
		}
		if str(a[0], "taxiId") != str(r, "taxiId") {
			res.Violations = append(res.Violations, fmt.Sprintf("reservation %s confirmed with taxi %s but taxi %s is held", id, str(r, "taxiId"), str(a[0], "taxiId")))
		}
	}
	for _, a := range s.Assignments {
		if str(a, "status") != "ASSIGNED" {
			continue
		}
		res.Checked++
		id := str(a, "reservationId")
		if r := reservations[id]; len(r) == 0 || str(r[0], "status") != "CONFIRMED" {
			res.Violations = append(res.Violations, fmt.Sprintf("taxi %s held for reservation %s that is %v", str(a, "taxiId"), id, statuses(r)))
		}
	}
	return res
}
