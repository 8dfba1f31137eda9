package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/calltaxi/call-taxi/shared/idempotency"
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/metrics"
	"github.com/calltaxi/call-taxi/shared/validate"
)

// Notifier sends each customer-visible status change of a booking once.
type Notifier struct {
	sms     SMS
	claims  Claims
	metrics *metrics.Recorder
}

// NewNotifier returns the notifier.
func NewNotifier(sms SMS, claims Claims, recorder *metrics.Recorder) *Notifier {
	return &Notifier{sms: sms, claims: claims, metrics: recorder}
}

// sentResult is what a completed claim remembers.
type sentResult struct {
	Status string `json:"status"`
}

// Notify sends one SMS per entry, in order. An error means the record must be retried; entries already
// sent are skipped by the retry.
func (n *Notifier) Notify(ctx context.Context, img Image, entries []HistoryEntry) error {
	if len(entries) == 0 {
		return nil
	}
	log := logging.From(ctx)
	if !validate.E164(img.Phone) {
		// Retrying cannot produce a phone number: tell the logs, not the customer.
		log.Warn("booking has no valid E.164 phone; SMS skipped", "orderId", img.OrderID, "statuses", len(entries))
		return nil
	}
	for _, e := range entries {
		if err := n.notifyOne(ctx, img, e.Status); err != nil {
			return err
		}
	}
	return nil
}

func (n *Notifier) notifyOne(ctx context.Context, img Image, status string) error {
	log := logging.From(ctx)
	text, ok := Message(img, status)
	if !ok {
		log.Warn("no SMS template for status; skipped", "orderId", img.OrderID, "status", status)
		return nil
	}
	key := IdempotencyKey(img.OrderID, status)
	_, started, err := n.claims.Begin(ctx, key, key, img.OrderID)
	if err != nil {
		if errors.Is(err, idempotency.ErrInProgress) {
			return fmt.Errorf("sms %s is being sent by another attempt: %w", key, err)
		}
		return fmt.Errorf("claim sms %s: %w", key, err)
	}
	if !started {
		log.Info("SMS already sent; skipped", "orderId", img.OrderID, "status", status)
		return nil
	}
	if err := n.sms.Send(ctx, img.Phone, text); err != nil {
		if rerr := n.claims.Release(ctx, key); rerr != nil {
			log.Error("release sms claim", "orderId", img.OrderID, "status", status, "error", rerr.Error())
		}
		return fmt.Errorf("send sms %s: %w", key, err)
	}
	n.metrics.Count(metrics.SMSSent, 1)
	if err := n.claims.Complete(ctx, key, sentResult{Status: status}); err != nil {
		return fmt.Errorf("complete sms %s: %w", key, err)
	}
	log.Info("SMS sent", "orderId", img.OrderID, "status", status)
	return nil
}
