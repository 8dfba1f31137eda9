package audit

import (
	"fmt"
	"slices"
	"sort"
)

// sortedIDs returns the placed order ids in a stable order, so reports are reproducible.
func (e Expectations) sortedIDs() []string {
	ids := make([]string, 0, len(e.Placed))
	for id, ok := range e.Placed {
		if ok {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// expectedOrderStatuses are the order statuses a placed order may end in.
func (e Expectations) expectedOrderStatuses(id string) []string {
	switch e.Canceled[id] {
	case CancelConfirmed:
		return []string{"CANCELED"}
	case CancelUncertain:
		return []string{"PAID", "CANCELED"}
	}
	return []string{"PAID"}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// checkOrdersSettled: every 201 order is PAID, or CANCELED if its customer cancelled it.
func checkOrdersSettled(s Snapshot, e Expectations) Result {
	res := Result{Name: "orders settled (201 → PAID | cancelled → CANCELED)"}
	orders := byKey(s.Orders, "id")
	for _, id := range e.sortedIDs() {
		res.Checked++
		rows := orders[id]
		if len(rows) == 0 {
			res.Violations = append(res.Violations, fmt.Sprintf("order %s got 201 but is not in OrdersTable", id))
			continue
		}
		want := e.expectedOrderStatuses(id)
		if got := str(rows[0], "status"); !contains(want, got) {
			res.Violations = append(res.Violations, fmt.Sprintf("order %s is %s, want %v", id, got, want))
		}
	}
	return res
}

// checkPayments: no order has more than one payment, and every booking has exactly one, APPROVED while
// the order is PAID and CANCELED (refunded) once it is CANCELED.
func checkPayments(s Snapshot, e Expectations) Result {
	res := Result{Name: "one payment per order, in the order's state"}
	payments := byKey(s.Payments, "orderId")
	orders := byKey(s.Orders, "id")
	perOrder := make([]string, 0, len(payments))
	for orderID := range payments {
		perOrder = append(perOrder, orderID)
	}
	sort.Strings(perOrder)
	for _, orderID := range perOrder {
		if n := len(payments[orderID]); n > 1 {
			res.Violations = append(res.Violations, fmt.Sprintf("order %s has %d payments (paid twice)", orderID, n))
		}
	}
	for _, id := range e.sortedIDs() {
		res.Checked++
		rows := payments[id]
		if len(rows) != 1 {
			if len(rows) == 0 {
				res.Violations = append(res.Violations, fmt.Sprintf("order %s got 201 but has no payment", id))
			}
			continue
		}
		want := "APPROVED"
		if o := orders[id]; len(o) > 0 && str(o[0], "status") == "CANCELED" {
			want = "CANCELED"
		}
		if got := str(rows[0], "status"); got != want {
			res.Violations = append(res.Violations, fmt.Sprintf("order %s: payment %s is %s, want %s", id, str(rows[0], "id"), got, want))
		}
	}
	return res
}

// checkReservations: every booking has a reservation that matches the order (CANCELED for a cancelled
// order, REQUESTED, CONFIRMED, PICKED_UP or COMPLETED for a paid one: ASSIGNING after quiescence is
// stuck), and no reservation
// other than a CANCELED tombstone exists for an order that was never paid.
func checkReservations(s Snapshot, e Expectations) Result {
	res := Result{Name: "one reservation per booking, in step with the order"}
	reservations := byKey(s.Reservations, "orderId")
	orders := byKey(s.Orders, "id")
	for _, id := range e.sortedIDs() {
		res.Checked++
		rows := reservations[id]
		if len(rows) == 0 {
			res.Violations = append(res.Violations, fmt.Sprintf("order %s got 201 but has no reservation", id))
			continue
		}
		got := str(rows[0], "status")
		orderStatus := ""
		if o := orders[id]; len(o) > 0 {
			orderStatus = str(o[0], "status")
		}
		switch {
		case orderStatus == "CANCELED" && got != "CANCELED":
			res.Violations = append(res.Violations, fmt.Sprintf("order %s is CANCELED but reservation %s is %s", id, str(rows[0], "id"), got))
		case orderStatus == "PAID" && !slices.Contains([]string{"REQUESTED", "CONFIRMED", "PICKED_UP", "COMPLETED"}, got):
			res.Violations = append(res.Violations, fmt.Sprintf("order %s is PAID but reservation %s is %s", id, str(rows[0], "id"), got))
		}
	}
	payments := byKey(s.Payments, "orderId")
	for _, r := range s.Reservations {
		id := str(r, "orderId")
		if o := orders[id]; len(o) > 0 {
			if st := str(o[0], "status"); st != "PAID" && st != "CANCELED" && str(r, "status") != "CANCELED" {
				res.Violations = append(res.Violations, fmt.Sprintf("reservation %s is %s for order %s that is %s (payment %v)",
					str(r, "id"), str(r, "status"), id, st, statuses(payments[id])))
			}
		}
	}
	return res
}

// checkCancellations: every cancelled order was refunded and holds no taxi.
func checkCancellations(s Snapshot, e Expectations) Result {
	res := Result{Name: "cancelled orders refunded and taxi released"}
	payments := byKey(s.Payments, "orderId")
	reservations := byKey(s.Reservations, "orderId")
	assignments := byKey(s.Assignments, "reservationId")
	for _, o := range s.Orders {
		if str(o, "status") != "CANCELED" {
			continue
		}
		id := str(o, "id")
		res.Checked++
		if p := payments[id]; len(p) == 0 || str(p[0], "status") != "CANCELED" {
			res.Violations = append(res.Violations, fmt.Sprintf("cancelled order %s not refunded (payment %v)", id, statuses(p)))
		}
		rsvID := "rsv-" + id
		if r := reservations[id]; len(r) > 0 {
			rsvID = str(r[0], "id")
		}
		for _, a := range assignments[rsvID] {
			if str(a, "status") == "ASSIGNED" {
				res.Violations = append(res.Violations, fmt.Sprintf("cancelled order %s still holds taxi %s (assignment ASSIGNED)", id, str(a, "taxiId")))
			}
		}
	}
	return res
}

func statuses(items []Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = str(it, "status")
	}
	return out
}
