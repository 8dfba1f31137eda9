package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/calltaxi/call-taxi/shared/apperr"
	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/metrics"
)

// Cancel refunds a paid order of the customer and cancels it; another customer's order does not exist.
// Cancelling a cancelled order answers it as it is.
func (s *Service) Cancel(ctx context.Context, customerID, id string) (OrderView, error) {
	o, err := s.visibleOrder(ctx, id, customerID)
	if err != nil {
		return OrderView{}, err
	}
	switch o.Status {
	case StatusCanceled:
		return o.View(), nil
	case StatusPaid:
		if o.PickedUpAt != "" {
			return OrderView{}, apperr.Conflict("order %s was picked up and can no longer be canceled", id)
		}
	default:
		return OrderView{}, apperr.Conflict("order %s is %s and cannot be canceled", id, o.Status)
	}

	res, err := s.payments.Refund(ctx, contracts.PaymentRequest{
		Action: contracts.PaymentActionRefund, OrderID: o.ID, CustomerID: o.CustomerID, CorrelationID: logging.CorrelationID(ctx),
	})
	if err != nil {
		return OrderView{}, s.paymentFailure(err)
	}
	if res.Status != contracts.PaymentCanceledStatus {
		return OrderView{}, apperr.Conflict("the payment of order %s could not be refunded: %s", id, res.Reason)
	}
	canceled, err := s.markCanceled(ctx, id)
	return viewOrNothing(canceled, err)
}

func (s *Service) markCanceled(ctx context.Context, id string) (Order, error) {
	canceled, err := s.orders.MarkCanceled(ctx, id, s.now())
	if errors.Is(err, ErrWrongState) {
		// A concurrent cancel of the same order may have won.
		if canceled, err = s.orders.Get(ctx, id); err == nil && canceled.Status != StatusCanceled {
			err = fmt.Errorf("order %s is %s after its refund", id, canceled.Status)
		}
		return canceled, err
	}
	if err == nil {
		s.metrics.Count(metrics.OrdersCanceled, 1)
	}
	return canceled, err
}
