package audit

import (
	"fmt"
)

// checkTaxiCounters: each taxi's counters agree with themselves and with its assignments. completedCnt
// counts the units finished rides gave back (absent on rows written before rides could complete).
func checkTaxiCounters(s Snapshot) Result {
	res := Result{Name: "taxi stock = supplied − assigned + released + completed ≥ 0"}
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
		completed, _ := num(t, "completedCnt")
		if stock != supplied-assigned+released+completed {
			res.Violations = append(res.Violations, fmt.Sprintf("taxi %s: stockCnt %d ≠ suppliedCnt %d − assignedCnt %d + releasedCnt %d + completedCnt %d", id, stock, supplied, assigned, released, completed))
		}
		if stock < 0 {
			res.Violations = append(res.Violations, fmt.Sprintf("taxi %s: stockCnt %d below zero", id, stock))
		}
		if assigned-released-completed != held[id] {
			res.Violations = append(res.Violations, fmt.Sprintf("taxi %s: assignedCnt − releasedCnt − completedCnt = %d but %d assignments are ASSIGNED", id, assigned-released-completed, held[id]))
		}
	}
	return res
}

// holdsTaxi: a reservation in these states holds its taxi (assigned, ride neither completed nor cancelled).
func holdsTaxi(status string) bool { return status == "CONFIRMED" || status == "PICKED_UP" }

// checkAssignments: a taxi is held (ASSIGNED) exactly for the CONFIRMED and PICKED_UP reservations, by the
// same taxi; a COMPLETED reservation's unit was given back (its assignment is COMPLETED).
func checkAssignments(s Snapshot) Result {
	res := Result{Name: "assignments match confirmed and picked-up reservations"}
	assignments := byKey(s.Assignments, "reservationId")
	reservations := byKey(s.Reservations, "id")
	for _, r := range s.Reservations {
		if str(r, "status") == "COMPLETED" {
			res.Checked++
			if a := assignments[str(r, "id")]; len(a) == 0 || str(a[0], "status") != "COMPLETED" {
				res.Violations = append(res.Violations, fmt.Sprintf("reservation %s is COMPLETED but its assignment is %v", str(r, "id"), statuses(a)))
			}
			continue
		}
		if !holdsTaxi(str(r, "status")) {
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
		if r := reservations[id]; len(r) == 0 || !holdsTaxi(str(r[0], "status")) {
			res.Violations = append(res.Violations, fmt.Sprintf("taxi %s held for reservation %s that is %v", str(a, "taxiId"), id, statuses(r)))
		}
	}
	return res
}

// checkTaxiRides: a taxi's available count is its registered count minus its rides neither completed nor
// cancelled (reservations CONFIRMED or PICKED_UP with that taxi), read from the reservations themselves
// rather than from the taxi context's own bookkeeping.
func checkTaxiRides(s Snapshot) Result {
	res := Result{Name: "taxi stock = registered − rides neither completed nor cancelled"}
	open := map[string]int64{}
	for _, r := range s.Reservations {
		if holdsTaxi(str(r, "status")) {
			open[str(r, "taxiId")]++
		}
	}
	for _, t := range s.Taxis {
		res.Checked++
		id := str(t, "id")
		stock, ok1 := num(t, "stockCnt")
		registered, ok2 := num(t, "suppliedCnt")
		if !ok1 || !ok2 {
			res.Violations = append(res.Violations, fmt.Sprintf("taxi %s has no numeric stockCnt or suppliedCnt", id))
			continue
		}
		if stock != registered-open[id] {
			res.Violations = append(res.Violations, fmt.Sprintf("taxi %s: stockCnt %d ≠ registered %d − %d open rides", id, stock, registered, open[id]))
		}
	}
	return res
}
