package load

import (
	"sync"
	"time"

	"github.com/calltaxi/call-taxi/bench/internal/audit"
	"github.com/calltaxi/call-taxi/bench/internal/stats"
)

// OrderOutcomes counts what customers' orders ended with.
type OrderOutcomes struct {
	Attempts   int `json:"attempts"`   // POST /orders requests sent, retries included
	Placed     int `json:"placed"`     // the eventual 201s
	Retried429 int `json:"retried429"` // retries after PAYMENT_BUSY
	Retried503 int `json:"retried503"` // retries after PAYMENT_UNAVAILABLE
	Declined   int `json:"declined"`   // 402
	Failed     int `json:"failed"`     // other 4xx, 5xx or transport errors: given up
	Abandoned  int `json:"abandoned"`  // still retrying when the run ended
	GaveUp     int `json:"gaveUp"`     // customers who walked away after their first 503 (chaos)
	Keyless    int `json:"keyless"`    // requests sent without an Idempotency-Key (chaos)
}

// Result is everything a run observed.
type Result struct {
	MeasureStart time.Time
	Duration     time.Duration
	Samples      []stats.Sample  // measured HTTP attempts of the customers and the manager
	OrderLatency []time.Duration // first attempt → 201, retries included (customer-facing)
	Orders       OrderOutcomes
	MyPageLag    []time.Duration // 201 → GET /mypages/{id} shows RESERVED (or later)
	LagTimeouts  int
	Cancels      map[string]int // outcome name → count
	Confirms     map[string]int // HTTP status text → count
	Rides        map[string]int // what became of the rides the driver took: completed, or why not
	Expect       audit.Expectations
	Owned        []OwnedOrder // every placed order with its customer's token, for the read-only phase
}

// collector accumulates a Result from many goroutines.
type collector struct {
	mu                       sync.Mutex
	measureStart, measureEnd time.Time
	res                      Result
}

func newCollector(measureStart, measureEnd time.Time, card string) *collector {
	return &collector{measureStart: measureStart, measureEnd: measureEnd, res: Result{
		MeasureStart: measureStart,
		Cancels:      map[string]int{},
		Confirms:     map[string]int{},
		Rides:        map[string]int{},
		Expect: audit.Expectations{Known: true, Placed: map[string]bool{},
			Canceled: map[string]audit.CancelOutcome{}, Cards: []string{card}},
	}}
}

func (c *collector) with(f func(r *Result)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(&c.res)
}

// sample records an attempt if it started in the measured window.
func (c *collector) sample(s stats.Sample) {
	if !c.measured(s.Start) {
		return
	}
	c.with(func(r *Result) { r.Samples = append(r.Samples, s) })
}

func (c *collector) measured(start time.Time) bool {
	return !start.Before(c.measureStart) && start.Before(c.measureEnd)
}
