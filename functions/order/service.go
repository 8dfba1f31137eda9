package main

import (
	"context"
	"errors"
	"time"

	"github.com/calltaxi/call-taxi/shared/apperr"
	"github.com/calltaxi/call-taxi/shared/ids"
	"github.com/calltaxi/call-taxi/shared/metrics"
)

// Retry-After hints for payment failures.
const (
	busyRetryAfter        = time.Second
	unavailableRetryAfter = 2 * time.Second
)

// Service holds the order use cases. They only write the Orders table: its stream publishes the events
// (see outbox.go).
type Service struct {
	orders      Store
	keyed       KeyedOrders
	payments    Payments
	idempotency Idempotency
	metrics     *metrics.Recorder
	fares       FareConfig
	now         func() time.Time
	newID       func() string
}

// NewService wires the use cases to their ports.
func NewService(orders Store, keyed KeyedOrders, payments Payments, idem Idempotency, rec *metrics.Recorder, fares FareConfig) *Service {
	return &Service{
		orders: orders, keyed: keyed, payments: payments, idempotency: idem, metrics: rec,
		fares: fares, now: time.Now, newID: ids.New,
	}
}

// Get returns an order of the owner ("" for any owner's); any other order does not exist.
func (s *Service) Get(ctx context.Context, owner, id string) (OrderView, error) {
	o, err := s.visibleOrder(ctx, id, owner)
	if err != nil {
		return OrderView{}, err
	}
	return o.View(), nil
}

func (s *Service) visibleOrder(ctx context.Context, id, owner string) (Order, error) {
	o, err := s.orders.Get(ctx, id)
	if errors.Is(err, ErrOrderNotFound) || (err == nil && owner != "" && o.CustomerID != owner) {
		return Order{}, apperr.NotFound("order", id)
	}
	return o, err
}

// paymentFailure maps a failed payment invoke to the client's retry advice.
func (s *Service) paymentFailure(err error) error {
	if errors.Is(err, ErrPaymentThrottled) {
		s.metrics.Count(metrics.PaymentsThrottled, 1)
		return paymentBusy(err)
	}
	return paymentUnavailable(err)
}

// The order context's payment failures, as the client is told them.
func paymentDeclined(reason string) error {
	return apperr.Declined("PAYMENT_DECLINED", "cardNo", "payment declined: "+reason)
}

func paymentBusy(cause error) error {
	return apperr.Busy("PAYMENT_BUSY", "payment is busy, retry shortly with the same Idempotency-Key", busyRetryAfter, cause)
}

func paymentUnavailable(cause error) error {
	return apperr.Unavailable("PAYMENT_UNAVAILABLE", "payment is unavailable, retry shortly with the same Idempotency-Key", unavailableRetryAfter, cause)
}
