package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/calltaxi/call-taxi/shared/consumer"
	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/metrics"
)

// PaymentApproved completes an order whose request ended before it recorded its payment (a timeout, a
// crash, a failed publish the customer never retried): the approval is authoritative, so the order becomes
// PAID and OrderPlaced is published. An order the request already completed, or in any other state, is
// left alone.
func (s *Service) PaymentApproved(ctx context.Context, ev *contracts.PaymentApproved) error {
	o, err := s.orders.Get(ctx, ev.OrderID)
	if errors.Is(err, ErrOrderNotFound) {
		logging.From(ctx).Warn("payment approved for an unknown order", "orderId", ev.OrderID)
		return nil
	}
	if err != nil {
		return err
	}
	if o.Status != StatusPendingPayment {
		return nil
	}
	paid, err := s.orders.MarkPaid(ctx, o.ID, PaymentInfo{PaymentID: ev.PaymentID, CardLast4: ev.CardLast4, CardBrand: ev.CardBrand}, s.now())
	if errors.Is(err, ErrWrongState) {
		return nil // the request completed it meanwhile
	}
	if err != nil {
		return err
	}
	s.metrics.Count(metrics.OrdersPlaced, 1)
	logging.From(ctx).Info("order completed from its payment approval", "orderId", o.ID)
	return s.publishPlaced(ctx, paid)
}

// newConsumer subscribes the order context to the events it reacts to (see the template's rule).
func newConsumer(svc *Service, logger *slog.Logger) consumer.Consumer {
	return consumer.Consumer{Logger: logger, Routes: map[string]consumer.Route{
		contracts.NamePaymentApproved: consumer.On(func(e *contracts.PaymentApproved) bool {
			return e.OrderID != "" && e.PaymentID != ""
		}, svc.PaymentApproved),
	}}
}
