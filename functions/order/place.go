package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/calltaxi/call-taxi/shared/apperr"
	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/idempotency"
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/metrics"
)

// placedOutcome is what an Idempotency-Key remembers: the final answer of the first attempt.
type placedOutcome struct {
	Outcome string    `json:"outcome"` // outcomePlaced or outcomeDeclined
	Order   OrderView `json:"order"`
	Reason  string    `json:"reason,omitempty"`
	// LegacyStatus is the HTTP status records written before outcomes were named kept (201 or 402); such
	// records live for idempotencyTTL after the deploy that stopped writing them.
	LegacyStatus int `json:"status,omitempty"`
}

const (
	outcomePlaced        = "placed"
	outcomeDeclined      = "declined"
	legacyStatusDeclined = 402
)

// Place takes a customer's order and charges its fare. With an idempotency key a repeat replays the
// first final answer, and a repeat of an attempt that failed midway resumes the same order.
func (s *Service) Place(ctx context.Context, customerID string, req PlaceOrderRequest, idemKey string) (OrderView, error) {
	n, err := req.Normalize(s.now())
	if err != nil {
		return OrderView{}, err
	}
	if idemKey == "" {
		o, err := s.place(ctx, s.newID(), customerID, n)
		return viewOrNothing(o, err)
	}

	key := customerID + ":" + idemKey
	rec, started, err := s.idempotency.Begin(ctx, key, fingerprint(n), s.newID())
	switch {
	case errors.Is(err, idempotency.ErrInProgress):
		return OrderView{}, apperr.Conflict("a request with this Idempotency-Key is in progress")
	case errors.Is(err, idempotency.ErrMismatch):
		return OrderView{}, apperr.Conflict("this Idempotency-Key was already used with a different request")
	case err != nil:
		return OrderView{}, fmt.Errorf("begin idempotent order: %w", err)
	case !started:
		return replay(rec.Result)
	}

	o, err := s.place(ctx, rec.Ref, customerID, n)
	if outcome, final := outcomeOf(o, err); final {
		if cerr := s.idempotency.Complete(ctx, key, outcome); cerr != nil {
			// The answer stands; a repeat waits out the lease, then resumes the finished order.
			logging.From(ctx).Warn("idempotency complete failed", "orderId", o.ID, "error", cerr.Error())
		}
	} else if rerr := s.idempotency.Release(ctx, key); rerr != nil {
		logging.From(ctx).Warn("idempotency release failed", "orderId", o.ID, "error", rerr.Error())
	}
	return viewOrNothing(o, err)
}

// place creates the order (or resumes the one an earlier attempt created) and drives it to an outcome.
func (s *Service) place(ctx context.Context, id, customerID string, req PlaceOrderRequest) (Order, error) {
	minTaxiPrice, err := s.fares.MinTaxiPrice(ctx)
	if err != nil {
		return Order{}, apperr.TryAgain("the fare configuration cannot be read, retry shortly", unavailableRetryAfter, fmt.Errorf("fare configuration: %w", err))
	}
	o := NewOrder(id, customerID, req, Fare(req.OrderType, minTaxiPrice), logging.CorrelationID(ctx), s.now())
	err = s.orders.Create(ctx, o)
	if err == nil {
		return s.charge(ctx, o, req.CardNo)
	}
	if !errors.Is(err, ErrOrderExists) {
		return Order{}, err
	}
	if o, err = s.orders.Get(ctx, id); err != nil {
		return Order{}, err
	}
	if o.CustomerID != customerID {
		return Order{}, fmt.Errorf("resumed order %s belongs to another customer", id)
	}
	switch o.Status {
	case StatusPendingPayment:
		if o.PendingShard == "" {
			// The sweep parked it (no payment existed): it must be watched again before it is charged.
			if o, err = s.orders.Unpark(ctx, id, s.now()); err != nil {
				return Order{}, err
			}
		}
		return s.charge(ctx, o, req.CardNo)
	case StatusDeclined:
		return o, paymentDeclined(o.DeclineReason)
	default:
		return o, nil
	}
}

// charge asks payment for the fare and records the outcome on the order.
func (s *Service) charge(ctx context.Context, o Order, cardNo string) (Order, error) {
	res, err := s.payments.Charge(ctx, contracts.PaymentRequest{
		Action: contracts.PaymentActionCharge, OrderID: o.ID, CustomerID: o.CustomerID, OrderType: o.OrderType,
		Amount: o.Fare, CardNo: cardNo, CorrelationID: logging.CorrelationID(ctx),
	})
	if err != nil {
		return o, s.paymentFailure(err)
	}
	switch res.Status {
	case contracts.PaymentApprovedStatus:
		paid, err := s.markPaid(ctx, o.ID, PaymentInfo{PaymentID: res.PaymentID, CardLast4: res.CardLast4, CardBrand: res.CardBrand})
		if err != nil {
			return o, err
		}
		return paid, nil
	case contracts.PaymentDeclinedStatus:
		reason := res.Reason
		if reason == "" {
			reason = "card_declined"
		}
		declined, err := s.orders.MarkDeclined(ctx, o.ID, reason, s.now())
		if err != nil {
			return o, err
		}
		s.metrics.Count(metrics.PaymentsDeclined, 1)
		return declined, paymentDeclined(reason)
	case contracts.PaymentInvalidStatus:
		field := res.Field
		if field == "" {
			field = "cardNo"
		}
		return o, apperr.Invalid(field, "rejected by payment: %s", res.Reason)
	default:
		return o, paymentUnavailable(fmt.Errorf("payment answered status %q to a charge", res.Status))
	}
}

func (s *Service) markPaid(ctx context.Context, id string, p PaymentInfo) (Order, error) {
	paid, err := s.orders.MarkPaid(ctx, id, p, s.now())
	if errors.Is(err, ErrWrongState) {
		if paid, err = s.orders.Get(ctx, id); err == nil && paid.Status != StatusPaid {
			err = fmt.Errorf("order %s is %s after its payment was approved", id, paid.Status)
		}
		return paid, err
	}
	if err == nil {
		s.metrics.Count(metrics.OrdersPlaced, 1)
	}
	return paid, err
}

// outcomeOf tells whether an attempt ended in an answer worth replaying: placed or declined.
// Anything else (throttled, unavailable, a bug) is released so a repeat tries again.
func outcomeOf(o Order, err error) (placedOutcome, bool) {
	switch {
	case err == nil:
		return placedOutcome{Outcome: outcomePlaced, Order: o.View()}, true
	case apperr.KindOf(err) == apperr.KindDeclined:
		return placedOutcome{Outcome: outcomeDeclined, Order: o.View(), Reason: o.DeclineReason}, true
	default:
		return placedOutcome{}, false
	}
}

func replay(raw json.RawMessage) (OrderView, error) {
	var out placedOutcome
	if err := json.Unmarshal(raw, &out); err != nil {
		return OrderView{}, fmt.Errorf("decode stored order outcome: %w", err)
	}
	if out.Outcome == outcomeDeclined || out.LegacyStatus == legacyStatusDeclined {
		return OrderView{}, paymentDeclined(out.Reason)
	}
	return out.Order, nil
}

func viewOrNothing(o Order, err error) (OrderView, error) {
	if err != nil {
		return OrderView{}, err
	}
	return o.View(), nil
}

// fingerprint identifies a normalized request; the card number is hashed in, never kept.
func fingerprint(req PlaceOrderRequest) string {
	raw, _ := json.Marshal(req) // a struct of strings always encodes
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}
