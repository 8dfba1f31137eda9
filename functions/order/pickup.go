package main

import (
	"context"
	"errors"

	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/logging"
)

// ReservationPickedUp records that the driver picked the customer up, so a later cancel is refused.
// A cancel that won the race (the order is CANCELED) stands: the refund is done, and its OrderCanceled
// cancels the reservation. A duplicate finds the pickup recorded and changes nothing.
func (s *Service) ReservationPickedUp(ctx context.Context, ev *contracts.ReservationPickedUp) error {
	log := logging.From(ctx).With("orderId", ev.OrderID, "eventId", ev.EventID)
	at := ev.OccurredAt
	if at.IsZero() {
		at = s.now()
	}
	_, err := s.orders.MarkPickedUp(ctx, ev.OrderID, at)
	switch {
	case errors.Is(err, ErrWrongState):
		log.Debug("pickup already recorded or the order is not PAID")
		return nil
	case err != nil:
		return err
	}
	log.Info("order picked up")
	return nil
}
