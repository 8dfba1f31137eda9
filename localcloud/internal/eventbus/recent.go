package eventbus

import (
	"encoding/json"
	"time"
)

// DeliveryState is where one rule target's delivery of an event stands.
type DeliveryState string

const (
	StateQueued       DeliveryState = "queued"        // waiting for a free delivery slot
	StateDelivering   DeliveryState = "delivering"    // delivery attempt in flight
	StateRetrying     DeliveryState = "retrying"      // failed, waiting for the backoff to elapse
	StateDelivered    DeliveryState = "delivered"     // Lambda accepted the async invocation, or SQS the message
	StateDeadLettered DeliveryState = "dead-lettered" // retries exhausted, event sent to the DLQ
	StateDropped      DeliveryState = "dropped"       // retries exhausted and the rule has no DLQ
	StateAbandoned    DeliveryState = "abandoned"     // the bus was closed before delivery finished
)

// Delivery is one rule target's delivery of an event.
type Delivery struct {
	Rule      string        `json:"rule"`
	Function  string        `json:"function,omitempty"` // Lambda target
	Queue     string        `json:"queue,omitempty"`    // SQS target
	State     DeliveryState `json:"state"`
	Attempts  int           `json:"attempts"`
	LastError string        `json:"lastError,omitempty"`
	Duplicate bool          `json:"duplicate,omitempty"` // an extra copy injected by Faults.DuplicateDelivery
}

// RecordedEvent is an accepted PutEvents entry and what became of it.
type RecordedEvent struct {
	ID         string          `json:"id"`
	Bus        string          `json:"bus"`
	Source     string          `json:"source"`
	DetailType string          `json:"detailType"`
	PutAt      time.Time       `json:"putAt"`
	Event      json.RawMessage `json:"event"` // the envelope delivered to targets
	Deliveries []Delivery      `json:"deliveries"`
}

// Faults are chaos settings.
type Faults struct {
	// PutEventsFailureRate is the fraction (0..1) of PutEvents entries answered with ErrorCode InternalFailure.
	PutEventsFailureRate float64
	// DuplicateDelivery delivers every matched event twice (EventBridge is at-least-once).
	DuplicateDelivery bool
}

// BusStats are counters since New, plus the current queue sizes.
type BusStats struct {
	EntriesAccepted int `json:"entriesAccepted"`
	EntriesFailed   int `json:"entriesFailed"` // validation errors and injected failures
	Deliveries      int `json:"deliveries"`    // rule targets matched (one per duplicate too)
	Delivered       int `json:"delivered"`
	Retries         int `json:"retries"`
	DeadLettered    int `json:"deadLettered"`
	Dropped         int `json:"dropped"`
	Queued          int `json:"queued"`   // waiting for a delivery slot
	Retrying        int `json:"retrying"` // waiting for a backoff timer
	InFlight        int `json:"inFlight"`
}

// SetFaults replaces the chaos settings.
func (b *Bus) SetFaults(f Faults) {
	f.PutEventsFailureRate = min(max(f.PutEventsFailureRate, 0), 1)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.faults = f
}

// Stats returns the counters.
func (b *Bus) Stats() BusStats {
	queued := b.queue.len()
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.stats
	s.Queued = queued
	s.Retrying = len(b.timers)
	s.InFlight = b.inFlight
	return s
}

// Recent returns up to n of the most recently put events, newest first, as copies.
func (b *Bus) Recent(n int) []RecordedEvent {
	b.mu.Lock()
	defer b.mu.Unlock()
	size := len(b.recent)
	n = min(n, size)
	out := make([]RecordedEvent, 0, max(n, 0))
	for i := range n {
		// b.next-1 is the newest slot; walk backwards around the ring.
		e := b.recent[(b.next-1-i+size)%size]
		c := *e
		c.Deliveries = append([]Delivery(nil), e.Deliveries...)
		out = append(out, c)
	}
	return out
}

// remember stores an event in the ring buffer. Callers hold b.mu.
func (b *Bus) remember(e *RecordedEvent) {
	if len(b.recent) < recentCapacity {
		b.recent = append(b.recent, e)
		b.next = len(b.recent) % recentCapacity
		return
	}
	b.recent[b.next] = e
	b.next = (b.next + 1) % recentCapacity
}
