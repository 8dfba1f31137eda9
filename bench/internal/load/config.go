// Package load is the benchmark's load generator: virtual customers place orders (each with its own
// Idempotency-Key, retrying 429/503 after Retry-After) and read their mypages; in chaos runs they also
// cancel some orders and a manager confirms some reservations with the taxis a driver registered.
package load

import (
	"log/slog"
	"time"

	"github.com/calltaxi/call-taxi/bench/internal/api"
)

// Config shapes a run.
type Config struct {
	Client      *api.Client
	Concurrency int           // virtual customers
	Duration    time.Duration // measured part of the run
	Warmup      time.Duration // unmeasured load before it
	// Drain is how long customers whose order is still being retried at the end keep retrying it, so the
	// run does not leave orders abandoned mid-payment that a real customer would have finished.
	Drain   time.Duration
	ReadMix float64 // share of iterations that read a mypage instead of ordering
	Card    string  // card every order pays with

	CancelShare float64 // share of placed orders their customer cancels (chaos)
	// GiveUpShare of customers walk away after their first 503 instead of retrying: whatever happened to
	// their payment, the auditor checks that no charge is left without a booking (chaos).
	GiveUpShare float64
	// NoKeyShare of order requests carry no Idempotency-Key; a retry is then a new order (chaos).
	NoKeyShare   float64
	ConfirmShare float64 // share of placed orders a manager confirms (chaos)
	TaxiStock    int     // stock of each registered taxi
	// MaxOrders ends the run once this many orders are placed (0 = run for Duration); customers
	// already placing one finish it, so a few more may be placed.
	MaxOrders int

	LagSampleEvery int // every n-th placed order is polled until its mypage shows RESERVED (0 = none)
	LagProbes      int // at most this many polls in flight
	LagTimeout     time.Duration

	Logger *slog.Logger
}

// Route names, as the report prints them.
const (
	RoutePlaceOrder  = "POST /orders"
	RouteGetMyPage   = "GET /mypages/{id}"
	RouteCancelOrder = "POST /orders/{id}/cancel"
	RouteConfirm     = "POST /reservations/{id}/confirm"
)

var grades = []string{"basic", "prime", "platinum"}
