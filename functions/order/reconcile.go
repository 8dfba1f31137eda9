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
// crash, a customer who gave up): the approval is authoritative, so the order becomes PAID, and the Orders
// stream publishes OrderPlaced. Duplicates are told by state: the order leaves PENDING_PAYMENT only through
// a conditional write, so a redelivered event (same eventId) or a late one finds it PAID and changes
// nothing; an order in any other state is left alone.
func (s *Service) PaymentApproved(ctx context.Context, ev *contracts.PaymentApproved) error {
	log := logging.From(ctx).With("orderId", ev.OrderID, "eventId", ev.EventID)
	o, err := s.orders.Get(ctx, ev.OrderID)
	if errors.Is(err, ErrOrderNotFound) {
		log.Warn("payment approved for an unknown order")
		return nil
	}
	if err != nil {
		return err
	}
	if o.Status != StatusPendingPayment {
		log.Debug("payment approval already applied or not applicable", "status", o.Status)
		return nil
	}
	_, err = s.orders.MarkPaid(ctx, o.ID, PaymentInfo{PaymentID: ev.PaymentID, CardLast4: ev.CardLast4, CardBrand: ev.CardBrand}, s.now())
	if errors.Is(err, ErrWrongState) {
		log.Debug("the request completed the order meanwhile")
		return nil
	}
	if err != nil {
		return err
	}
	s.metrics.Count(metrics.OrdersPlaced, 1)
	log.Info("order completed from its payment approval")
	return nil
}

// newConsumer subscribes the order context to the events it reacts to (see the template's rule).
func newConsumer(svc *Service, logger *slog.Logger) consumer.Consumer {
	return consumer.Consumer{Logger: logger, Routes: map[string]consumer.Route{
		contracts.NamePaymentApproved: consumer.On(func(e *contracts.PaymentApproved) bool {
			return e.OrderID != "" && e.PaymentID != ""
		}, svc.PaymentApproved),
		contracts.NameReservationPickedUp: consumer.On(func(e *contracts.ReservationPickedUp) bool {
			return e.OrderID != ""
		}, svc.ReservationPickedUp),
	}}
}
