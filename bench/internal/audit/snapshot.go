// Package audit checks the system's invariants after a load run, from the outside: it reads every table,
// the SMS outbox and the dead-letter queues through the local cloud's control plane, and the data
// directory's files, and reports every broken invariant with counts.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"time"

	"github.com/calltaxi/call-taxi/bench/internal/api"
)

// Item is one table row as plain JSON values.
type Item = map[string]any

// Snapshot is everything the auditor reads.
type Snapshot struct {
	Orders, Payments, Reservations, Taxis, Assignments, MyPages []Item
	SMS                                                         []api.SMS
	DLQ                                                         map[string][]api.DLQMessage
	// Blobs are the raw JSON documents read above, by name, for the card-number scan.
	Blobs map[string][]byte
	// DataDir is the local cloud's data directory (nil when unknown, e.g. a remote -url).
	DataDir fs.FS
}

// Tables the auditor reads, by template logical id.
var tables = []string{"OrdersTable", "PaymentsTable", "ReservationsTable", "TaxisTable", "TaxiAssignmentsTable",
	"MyPagesTable", "NotificationsTable", "OrderIdempotencyTable"}

// Fetch reads a snapshot from a running local cloud.
func Fetch(ctx context.Context, c *api.Client, dataDir fs.FS) (Snapshot, error) {
	s := Snapshot{Blobs: map[string][]byte{}, DataDir: dataDir}
	rows := map[string][]Item{}
	for _, t := range tables {
		items, err := c.Table(ctx, t)
		if err != nil {
			return s, err
		}
		rows[t] = items
		raw, err := json.Marshal(items)
		if err != nil {
			return s, fmt.Errorf("encode %s: %w", t, err)
		}
		s.Blobs["table "+t] = raw
	}
	s.Orders, s.Payments, s.Reservations = rows["OrdersTable"], rows["PaymentsTable"], rows["ReservationsTable"]
	s.Taxis, s.Assignments, s.MyPages = rows["TaxisTable"], rows["TaxiAssignmentsTable"], rows["MyPagesTable"]

	sms, rawSMS, err := c.SMSOutbox(ctx)
	if err != nil {
		return s, fmt.Errorf("read sms outbox: %w", err)
	}
	s.SMS, s.Blobs["sms outbox"] = sms, rawSMS

	dlq, err := c.DLQ(ctx)
	if err != nil {
		return s, fmt.Errorf("read dlq: %w", err)
	}
	s.DLQ = dlq
	rawDLQ, err := json.Marshal(dlq)
	if err != nil {
		return s, fmt.Errorf("encode dlq: %w", err)
	}
	s.Blobs["dead-letter queues"] = rawDLQ
	return s, nil
}

// Expectations are what the load generator knows happened. Zero Expectations (Known false) make the
// auditor derive them from the tables: every PAID or CANCELED order counts as a booking, and every
// CANCELED one as cancelled by its customer.
type Expectations struct {
	Known    bool
	Placed   map[string]bool          // order id → the customer got a 201
	Canceled map[string]CancelOutcome // order id → what the customer's cancel got
	Cards    []string                 // full card numbers the customers sent
	Faults   []Fault                  // faults injected, in order
}

// CancelOutcome is what a customer's cancel request ended with.
type CancelOutcome int

// Cancel outcomes.
const (
	CancelConfirmed CancelOutcome = iota + 1 // 200
	CancelUncertain                          // sent, but no definite answer (5xx, timeout, run ended)
)

// Fault is one injected fault.
type Fault struct {
	At       time.Time `json:"at"`
	Kind     string    `json:"kind"`               // see the Fault* constants
	Function string    `json:"function,omitempty"` // logical id or environment description
	Detail   string    `json:"detail,omitempty"`
}

// Fault kinds.
const (
	FaultKill             = "kill-environment"
	FaultStop             = "stop-function" // throttled, as with reserved concurrency 0
	FaultFail             = "fail-function" // every invocation a function error, as after a broken deploy
	FaultPutEventsFailure = "put-events-failure"
	FaultDuplicateEvents  = "duplicate-event-delivery"
	FaultDuplicateStreams = "duplicate-stream-delivery"
	FaultSMSFailure       = "sms-failure"
	FaultSlowPayment      = "slow-payment"
)

// TestCards are the simulated gateway's documented cards; the auditor always looks for them.
var TestCards = []string{"4242424242424242", "4000000000000002", "4000000000009995", "4000000000000069"}
