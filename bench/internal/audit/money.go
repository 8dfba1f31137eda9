package audit

import (
	"fmt"
	"sort"
)

// checkApprovedPaymentsBooked: every APPROVED payment belongs to a PAID order (a booking) — whatever the
// customer was told, even a customer who gave up after a 503 or paid without an Idempotency-Key. A
// refunded payment is CANCELED. A charge whose order is not PAID is money taken for nothing.
func checkApprovedPaymentsBooked(s Snapshot) Result {
	res := Result{Name: "every APPROVED payment belongs to a PAID order (or is refunded)"}
	orders := byKey(s.Orders, "id")
	for _, p := range sortedBy(s.Payments, "id") {
		if str(p, "status") != "APPROVED" {
			continue
		}
		res.Checked++
		orderID := str(p, "orderId")
		o := orders[orderID]
		switch {
		case len(o) == 0:
			res.Violations = append(res.Violations, fmt.Sprintf("payment %s is APPROVED for order %s, which does not exist", str(p, "id"), orderID))
		case str(o[0], "status") != "PAID":
			res.Violations = append(res.Violations, fmt.Sprintf("payment %s is APPROVED but order %s is %s", str(p, "id"), orderID, str(o[0], "status")))
		}
	}
	return res
}

// checkPaidOrdersReachTheCompany: every PAID order has a reservation the company can see (not only the
// orders whose customer got a 201: an abandoned or keyless request that was charged counts too).
func checkPaidOrdersReachTheCompany(s Snapshot) Result {
	res := Result{Name: "every PAID order reaches the company"}
	reservations := byKey(s.Reservations, "orderId")
	for _, o := range sortedBy(s.Orders, "id") {
		if str(o, "status") != "PAID" {
			continue
		}
		res.Checked++
		rows := reservations[str(o, "id")]
		if len(rows) == 0 {
			res.Violations = append(res.Violations, fmt.Sprintf("order %s is PAID but has no reservation", str(o, "id")))
			continue
		}
		if st := str(rows[0], "status"); st != "REQUESTED" && st != "CONFIRMED" && st != "PICKED_UP" && st != "COMPLETED" {
			res.Violations = append(res.Violations, fmt.Sprintf("order %s is PAID but its reservation is %s", str(o, "id"), st))
		}
	}
	return res
}

func sortedBy(items []Item, key string) []Item {
	out := append([]Item(nil), items...)
	sort.Slice(out, func(i, j int) bool { return str(out[i], key) < str(out[j], key) })
	return out
}
