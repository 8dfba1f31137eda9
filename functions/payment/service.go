package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/metrics"
)

// Service holds the payment use cases. Business outcomes are results; errors are infrastructure failures
// (the gateway, the table) that order answers with 503 and retries safely. The use cases only write the
// Payments table: its stream publishes the events (see outbox.go).
type Service struct {
	store   Store
	gateway Gateway // nil in the records function, which never charges
	metrics *metrics.Recorder
	now     func() time.Time
}

// NewService wires the use cases to their ports.
func NewService(store Store, gateway Gateway, rec *metrics.Recorder) *Service {
	return &Service{store: store, gateway: gateway, metrics: rec, now: time.Now}
}

// Charge charges an order's card once, however often it is asked: a repeat of an approved charge
// answers APPROVED without charging again.
func (s *Service) Charge(ctx context.Context, req contracts.PaymentRequest) (contracts.PaymentResult, error) {
	cmd, invalid := ValidateCharge(req)
	if invalid != nil {
		return *invalid, nil
	}
	p := NewPayment(cmd, req.CorrelationID, s.now())
	err := s.store.Create(ctx, p)
	if errors.Is(err, ErrPaymentExists) {
		if p, err = s.store.Get(ctx, p.ID); err != nil {
			return contracts.PaymentResult{}, err
		}
		if p.CustomerID != cmd.CustomerID || p.Amount != cmd.Amount {
			return *Invalid("orderId", "the order already has a payment with other details"), nil
		}
		switch p.Status {
		case StatusApproved, StatusDeclined, StatusCanceled:
			return p.Result(), nil
		}
		// PENDING: an earlier attempt did not finish; the gateway dedupes the repeat by the payment id.
	} else if err != nil {
		return contracts.PaymentResult{}, err
	}

	outcome, err := s.gateway.Charge(ctx, ChargeRequest{IdempotencyKey: p.ID, Amount: p.Amount, CardNo: cmd.CardNo})
	if err != nil {
		return contracts.PaymentResult{}, fmt.Errorf("charge %s: %w", p.ID, err)
	}
	if !outcome.Approved {
		reason := outcome.Reason
		if reason == "" {
			reason = "card_declined"
		}
		declined, changed, err := s.transition(ctx, p.ID, StatusPending, StatusDeclined, reason)
		if err == nil && changed {
			s.metrics.Count(metrics.PaymentsDeclined, 1)
		}
		return declined.Result(), err
	}
	approved, changed, err := s.transition(ctx, p.ID, StatusPending, StatusApproved, "")
	if err == nil && changed {
		s.metrics.Count(metrics.PaymentsApproved, 1)
	}
	return approved.Result(), err
}

// Refund refunds an order's approved payment; a repeat answers CANCELED without refunding again.
func (s *Service) Refund(ctx context.Context, req contracts.PaymentRequest) (contracts.PaymentResult, error) {
	orderID := strings.TrimSpace(req.OrderID)
	if orderID == "" || len(orderID) > maxIDLen {
		return *Invalid("orderId", "orderId is required"), nil
	}
	p, err := s.store.Get(ctx, PaymentID(orderID))
	if errors.Is(err, ErrPaymentNotFound) {
		return *Invalid("orderId", reasonNoApprovedPayment), nil
	}
	if err != nil {
		return contracts.PaymentResult{}, err
	}
	if req.CustomerID != "" && req.CustomerID != p.CustomerID {
		return *Invalid("orderId", reasonNoApprovedPayment), nil
	}
	switch p.Status {
	case StatusCanceled:
		return p.Result(), nil
	case StatusApproved:
	default:
		return *Invalid("orderId", reasonNoApprovedPayment), nil
	}

	if err := s.gateway.Refund(ctx, p.ID, p.Amount); err != nil {
		return contracts.PaymentResult{}, fmt.Errorf("refund %s: %w", p.ID, err)
	}
	canceled, _, err := s.transition(ctx, p.ID, StatusApproved, StatusCanceled, "")
	if err != nil {
		return contracts.PaymentResult{}, err
	}
	if canceled.Status != StatusCanceled {
		return contracts.PaymentResult{}, fmt.Errorf("payment %s is %s after its refund", p.ID, canceled.Status)
	}
	return canceled.Result(), nil
}

// Status answers an order's payment as it stands (PENDING while a charge has no recorded outcome), or
// NOT_FOUND when the order has none: the order sweep's question about an order stuck unpaid.
func (s *Service) Status(ctx context.Context, req contracts.PaymentRequest) (contracts.PaymentResult, error) {
	orderID := strings.TrimSpace(req.OrderID)
	if orderID == "" || len(orderID) > maxIDLen {
		return *Invalid("orderId", "orderId is required"), nil
	}
	p, err := s.store.Get(ctx, PaymentID(orderID))
	if errors.Is(err, ErrPaymentNotFound) || (err == nil && req.CustomerID != "" && req.CustomerID != p.CustomerID) {
		return contracts.PaymentResult{Status: contracts.PaymentNotFoundStatus}, nil
	}
	if err != nil {
		return contracts.PaymentResult{}, err
	}
	return p.Result(), nil
}

// transition moves the payment and returns it; when another writer moved it first, it returns the payment
// as that writer left it with changed=false.
func (s *Service) transition(ctx context.Context, id, from, to, reason string) (p Payment, changed bool, err error) {
	p, err = s.store.Transition(ctx, id, from, to, reason, s.now())
	if errors.Is(err, ErrWrongState) {
		logging.From(ctx).Info("payment already moved", "paymentId", id, "to", to)
		p, err = s.store.Get(ctx, id)
		return p, false, err
	}
	return p, err == nil, err
}
