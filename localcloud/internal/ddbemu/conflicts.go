package ddbemu

import (
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Transaction conflicts, after the DynamoDB developer guide, "Transaction conflict handling in DynamoDB":
// "A PutItem, UpdateItem, or DeleteItem request for an item conflicts with an ongoing TransactWriteItems
// request that includes the same item" (the request fails with TransactionConflictException), and "an item
// within a TransactWriteItems request is part of another ongoing TransactWriteItems request" (the request
// fails with TransactionCanceledException, reason code TransactionConflict).
//
// The engine applies a transaction atomically under the table locks, so nothing ever overlaps one. The
// service models a transaction as holding its items for Options.TransactionHold after it commits, and
// rejects a write that touches a held item with probability Options.TransactionConflictRate. BatchWriteItem
// and reads are never rejected.

const (
	defaultTransactionHold = 50 * time.Millisecond
	msgTransactionOngoing  = "Transaction is ongoing for the item"
	reasonTxConflict       = "TransactionConflict"
	reasonValidationError  = "ValidationError"
)

// txHolds remembers which items recent transactions hold, and until when (wall time).
type txHolds struct {
	rate float64
	hold time.Duration
	now  func() time.Time

	mu    sync.Mutex
	until map[string]time.Time // keyIdentity → end of the hold
	swept time.Time

	rejected atomic.Int64 // writes refused so far
}

// TransactionConflicts is the number of writes refused so far because a transaction held an item.
func (s *Service) TransactionConflicts() int64 { return s.holds.rejected.Load() }

func newTxHolds(rate float64, hold time.Duration, now func() time.Time) *txHolds {
	if hold <= 0 {
		hold = defaultTransactionHold
	}
	return &txHolds{rate: min(rate, 1), hold: hold, now: now, until: map[string]time.Time{}}
}

func (h *txHolds) enabled() bool { return h != nil && h.rate > 0 }

// conflicts reports whether a write to the target loses to a transaction holding it.
func (h *txHolds) conflicts(t writeTarget) bool {
	if !h.enabled() {
		return false
	}
	h.mu.Lock()
	end, held := h.until[keyIdentity(t)]
	h.mu.Unlock()
	if held && h.now().Before(end) && rand.Float64() < h.rate {
		h.rejected.Add(1)
		return true
	}
	return false
}

// holdAll marks the targets of a committed transaction as held.
func (h *txHolds) holdAll(targets []writeTarget) {
	if !h.enabled() {
		return
	}
	now := h.now()
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range targets {
		h.until[keyIdentity(t)] = now.Add(h.hold)
	}
	if now.Sub(h.swept) > 10*h.hold {
		h.swept = now
		for k, end := range h.until {
			if !now.Before(end) {
				delete(h.until, k)
			}
		}
	}
}

// checkConflicts rejects a request that touches an item a transaction holds: a single-item write with
// TransactionConflictException, a transaction with a TransactionConflict cancellation reason for each
// such item. Callers hold the request's table locks.
func (s *Service) checkConflicts(req writeRequest) *engineResult {
	if !s.holds.enabled() {
		return nil
	}
	switch {
	case req.single():
		if len(req.targets) == 1 && s.holds.conflicts(req.targets[0]) {
			return ptr(apiError(http.StatusBadRequest, "TransactionConflictException", msgTransactionOngoing))
		}
	case req.op == "TransactWriteItems":
		reasons := map[int]cancelReason{}
		for _, t := range req.targets {
			if s.holds.conflicts(t) {
				reasons[t.action] = cancelReason{code: reasonTxConflict, msg: msgTransactionOngoing}
			}
		}
		if len(reasons) > 0 {
			return ptr(cancellation(req.actions, reasons))
		}
	}
	return nil
}
