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
//
// A keyed request makes three sequential AWS calls: one transaction writes the order and claims the key,
// the payment invoke charges it, one transaction records the outcome on the order and stores it as the
// key's answer. The order exists before its charge, and its outcome never without the key's answer.
func (s *Service) Place(ctx context.Context, customerID string, req PlaceOrderRequest, idemKey string) (OrderView, error) {
	n, err := req.Normalize(s.now())
	if err != nil {
		return OrderView{}, err
	}
	fare, fareErr := s.fare(ctx, n.OrderType)
	if idemKey == "" {
		if fareErr != nil {
			return OrderView{}, fareErr
		}
		o, err := s.place(ctx, s.newOrder(ctx, s.newID(), customerID, n, fare), n.CardNo, nil)
		return viewOrNothing(o, err)
	}

	key, fp := customerID+":"+idemKey, fingerprint(n)
	if fareErr != nil {
		return s.placeWithoutFare(ctx, key, fp, fareErr)
	}
	o := s.newOrder(ctx, s.newID(), customerID, n, fare)
	rec, started, err := s.keyed.CreateClaimed(ctx, o, key, fp)
	if view, answered, err := keyTaken(rec, started, err); answered {
		return view, err
	}
	ans := &keyAnswer{key: key}
	if rec.Ref == o.ID {
		o, err = s.charge(ctx, o, n.CardNo, ans)
	} else {
		// Taken over from an abandoned attempt: its order, written or not.
		o, err = s.place(ctx, s.newOrder(ctx, rec.Ref, customerID, n, fare), n.CardNo, ans)
	}
	outcome, final := outcomeOf(o, err)
	switch {
	case final && !ans.done:
		if cerr := s.idempotency.Complete(ctx, key, outcome); cerr != nil {
			// The answer stands; a repeat waits out the lease, then resumes the finished order.
			logging.From(ctx).Warn("idempotency complete failed", "orderId", o.ID, "error", cerr.Error())
		}
	case !final:
		if rerr := s.idempotency.Release(ctx, key); rerr != nil {
			logging.From(ctx).Warn("idempotency release failed", "orderId", o.ID, "error", rerr.Error())
		}
	}
	return viewOrNothing(o, err)
}

// keyAnswer is the Idempotency-Key a keyed attempt answers. The outcome is stored on it in the same
// transaction as the order's change to PAID or DECLINED, and done says that happened; where no such change
// is this attempt's (a resumed order already final, an approval the PaymentApproved consumer recorded
// first), Place stores it with a write of its own.
type keyAnswer struct {
	key  string
	done bool
}

// keyTaken answers a keyed request whose key was used before (answered=true): a replay of the first
// attempt's final answer, or a refusal while it runs or when the request differs.
func keyTaken(rec idempotency.Record, started bool, err error) (view OrderView, answered bool, _ error) {
	switch {
	case errors.Is(err, idempotency.ErrInProgress):
		return OrderView{}, true, apperr.Conflict("a request with this Idempotency-Key is in progress")
	case errors.Is(err, idempotency.ErrMismatch):
		return OrderView{}, true, apperr.Conflict("this Idempotency-Key was already used with a different request")
	case err != nil:
		return OrderView{}, true, fmt.Errorf("begin idempotent order: %w", err)
	case !started:
		view, err := replay(rec.Result)
		return view, true, err
	}
	return OrderView{}, false, nil
}

// placeWithoutFare answers a keyed request when the fare cannot be read (an environment that never read
// it, while Parameter Store fails): no order can be written, but a key whose first attempt finished still
// replays its answer, and one in use is still refused.
func (s *Service) placeWithoutFare(ctx context.Context, key, fp string, fareErr error) (OrderView, error) {
	rec, started, err := s.idempotency.Begin(ctx, key, fp, s.newID())
	if view, answered, err := keyTaken(rec, started, err); answered {
		return view, err
	}
	if rerr := s.idempotency.Release(ctx, key); rerr != nil {
		logging.From(ctx).Warn("idempotency release failed", "error", rerr.Error())
	}
	return OrderView{}, fareErr
}

// fare is what an order of the grade costs now.
func (s *Service) fare(ctx context.Context, orderType string) (int64, error) {
	minTaxiPrice, err := s.fares.MinTaxiPrice(ctx)
	if err != nil {
		return 0, apperr.TryAgain("the fare configuration cannot be read, retry shortly", unavailableRetryAfter, fmt.Errorf("fare configuration: %w", err))
	}
	return Fare(orderType, minTaxiPrice), nil
}

func (s *Service) newOrder(ctx context.Context, id, customerID string, req PlaceOrderRequest, fare int64) Order {
	return NewOrder(id, customerID, req, fare, logging.CorrelationID(ctx), s.now())
}

// place creates the order (or resumes the one an earlier attempt created) and drives it to an outcome.
func (s *Service) place(ctx context.Context, o Order, cardNo string, ans *keyAnswer) (Order, error) {
	err := s.orders.Create(ctx, o)
	if err == nil {
		return s.charge(ctx, o, cardNo, ans)
	}
	if !errors.Is(err, ErrOrderExists) {
		return Order{}, err
	}
	id, customerID := o.ID, o.CustomerID
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
		return s.charge(ctx, o, cardNo, ans)
	case StatusDeclined:
		return o, paymentDeclined(o.DeclineReason)
	default:
		return o, nil
	}
}

// charge asks payment for the fare and records the outcome on the order (and on the key, if any).
func (s *Service) charge(ctx context.Context, o Order, cardNo string, ans *keyAnswer) (Order, error) {
	res, err := s.payments.Charge(ctx, contracts.PaymentRequest{
		Action: contracts.PaymentActionCharge, OrderID: o.ID, CustomerID: o.CustomerID, OrderType: o.OrderType,
		Amount: o.Fare, CardNo: cardNo, CorrelationID: logging.CorrelationID(ctx),
	})
	if err != nil {
		return o, s.paymentFailure(err)
	}
	switch res.Status {
	case contracts.PaymentApprovedStatus:
		return s.markPaid(ctx, o, PaymentInfo{PaymentID: res.PaymentID, CardLast4: res.CardLast4, CardBrand: res.CardBrand}, ans)
	case contracts.PaymentDeclinedStatus:
		reason := res.Reason
		if reason == "" {
			reason = "card_declined"
		}
		declined, err := s.markDeclined(ctx, o, reason, ans)
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

// markPaid records an approved payment on the order (with the key's answer when ans is set). An order
// already PAID (the PaymentApproved consumer or the sweep was first) is the answer as it stands.
func (s *Service) markPaid(ctx context.Context, o Order, p PaymentInfo, ans *keyAnswer) (Order, error) {
	at := s.now()
	var paid Order
	var err error
	if ans == nil {
		paid, err = s.orders.MarkPaid(ctx, o.ID, p, at)
	} else {
		paid = o.Paid(p, at)
		outcome, _ := outcomeOf(paid, nil)
		err = s.keyed.MarkPaidAnswering(ctx, o.ID, p, at, ans.key, outcome)
		ans.done = err == nil
	}
	if errors.Is(err, ErrWrongState) {
		if paid, err = s.orders.Get(ctx, o.ID); err == nil && paid.Status != StatusPaid {
			err = fmt.Errorf("order %s is %s after its payment was approved", o.ID, paid.Status)
		}
		return paid, err
	}
	if err == nil {
		s.metrics.Count(metrics.OrdersPlaced, 1)
	}
	return paid, err
}

// markDeclined records a declined payment on the order (with the key's answer when ans is set).
func (s *Service) markDeclined(ctx context.Context, o Order, reason string, ans *keyAnswer) (Order, error) {
	at := s.now()
	if ans == nil {
		return s.orders.MarkDeclined(ctx, o.ID, reason, at)
	}
	declined := o.Declined(reason, at)
	outcome, _ := outcomeOf(declined, paymentDeclined(reason))
	if err := s.keyed.MarkDeclinedAnswering(ctx, o.ID, reason, at, ans.key, outcome); err != nil {
		return Order{}, err
	}
	ans.done = true
	return declined, nil
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
