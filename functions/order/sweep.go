package main

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/metrics"
)

// The pending index: a sparse GSI of the Orders table keyed by pendingShard and createdAt. Only a
// PENDING_PAYMENT order carries pendingShard, so the sweep reads the few orders awaiting payment instead
// of scanning the table. Orders are spread over shards so that one index partition never takes every
// order's two writes (in and out).
const (
	pendingIndex     = "pendingShard-createdAt-index"
	attrPendingShard = "pendingShard"
	pendingShards    = 8
)

// Sweep bounds: an order is stuck once it has waited stuckAfter for its payment; one run looks at most at
// sweepLimit of them (the next run, a minute later, takes the rest).
const (
	stuckAfter = 5 * time.Minute
	sweepLimit = 200
)

// PendingShard is the pending index's partition of an order.
func PendingShard(orderID string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(orderID))
	return pendingShardName(int(h.Sum32() % pendingShards))
}

func pendingShardName(shard int) string { return "p" + strconv.Itoa(shard) }

// SweepResult counts what one sweep found, by the state of the order's payment.
type SweepResult struct {
	Found, Completed, Declined, Parked, PaymentPending, Failed int
}

// Sweep is the safety net for money: it finds orders still PENDING_PAYMENT more than five minutes after
// they were created and asks payment about each. An approved payment completes its order (PAID: the
// Orders stream publishes OrderPlaced, the booking proceeds and the customer gets the SMS); a declined one
// declines it; an order with no payment was abandoned before any charge and is parked out of the index
// (its customer can still resume it with the same Idempotency-Key). An approved payment or one stuck
// PENDING means something upstream broke: both count in the StuckOrdersFound metric, which is alarmed.
func (s *Service) Sweep(ctx context.Context) (SweepResult, error) {
	log := logging.From(ctx)
	var res SweepResult
	pending, err := s.orders.ListPending(ctx, formatTime(s.now().Add(-stuckAfter)), sweepLimit)
	if err != nil {
		return res, fmt.Errorf("sweep: %w", err)
	}
	res.Found = len(pending)
	for _, o := range pending {
		if err := s.resolve(ctx, o, &res); err != nil {
			res.Failed++
			log.Error("sweep: order left for the next run", "orderId", o.ID, "error", err.Error())
		}
	}
	s.metrics.Count(metrics.StuckOrdersFound, float64(res.Completed+res.PaymentPending))
	level := log.Info
	if res.Completed+res.PaymentPending+res.Failed > 0 {
		level = log.Warn
	}
	level("sweep: orders unpaid after "+stuckAfter.String(), "found", res.Found, "completed", res.Completed,
		"declined", res.Declined, "parked", res.Parked, "paymentPending", res.PaymentPending, "failed", res.Failed)
	return res, nil
}

func (s *Service) resolve(ctx context.Context, o Order, res *SweepResult) error {
	log := logging.From(ctx).With("orderId", o.ID, "createdAt", o.CreatedAt)
	pay, err := s.payments.Status(ctx, contracts.PaymentRequest{
		Action: contracts.PaymentActionStatus, OrderID: o.ID, CustomerID: o.CustomerID, CorrelationID: o.CorrelationID,
	})
	if err != nil {
		return fmt.Errorf("payment status: %w", err)
	}
	switch pay.Status {
	case contracts.PaymentApprovedStatus:
		paid, err := s.markPaid(ctx, o, PaymentInfo{PaymentID: pay.PaymentID, CardLast4: pay.CardLast4, CardBrand: pay.CardBrand}, nil)
		if err != nil {
			return err
		}
		res.Completed++
		log.Warn("sweep: completed an order whose payment was approved but never recorded", "status", paid.Status, "paymentId", pay.PaymentID)
	case contracts.PaymentDeclinedStatus:
		_, err := s.orders.MarkDeclined(ctx, o.ID, pay.Reason, s.now())
		if err != nil && !errors.Is(err, ErrWrongState) {
			return err
		}
		res.Declined++
	case contracts.PaymentNotFoundStatus:
		if err := s.orders.Park(ctx, o.ID, o.Version, s.now()); err != nil && !errors.Is(err, ErrWrongState) {
			return err
		}
		res.Parked++
	case contracts.PaymentPendingStatus:
		res.PaymentPending++
		log.Warn("sweep: the order's charge has had no outcome for minutes; the gateway must be checked", "paymentId", pay.PaymentID)
	default:
		return fmt.Errorf("payment answered status %q", pay.Status)
	}
	return nil
}

// sweepHandler serves the function's Schedule event (rate(1 minute)).
type sweepHandler struct {
	svc    *Service
	logger *slog.Logger
}

func (h sweepHandler) handle(ctx context.Context, ev events.EventBridgeEvent) error {
	ctx = logging.With(ctx, h.logger, ev.ID, "")
	_, err := h.svc.Sweep(ctx)
	return err
}
