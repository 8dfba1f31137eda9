package main

import (
	"errors"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/outbox"
)

var _ outbox.Derive = DeriveEvents

// DeriveEvents maps a change of the Payments table to the events it means: a payment that became
// APPROVED is PaymentApproved, one that became CANCELED (refunded) is PaymentCanceled. Every other change
// (a PENDING row, a decline, a rewrite that keeps the status) means nothing outside.
func DeriveEvents(rec events.DynamoDBEventRecord) ([]contracts.Event, error) {
	p, err := outbox.StatusChange(rec, func(p *Payment) string { return p.Status })
	if err != nil || p == nil {
		return nil, err
	}
	switch p.Status {
	case StatusApproved:
		if err := p.eventReady(); err != nil {
			return nil, err
		}
		return []contracts.Event{&contracts.PaymentApproved{
			Meta:      contracts.Meta{CorrelationID: p.CorrelationID},
			PaymentID: p.ID, OrderID: p.OrderID, CustomerID: p.CustomerID, OrderType: p.OrderType,
			Amount: p.Amount, CardLast4: p.CardLast4, CardBrand: p.CardBrand,
		}}, nil
	case StatusCanceled:
		if err := p.eventReady(); err != nil {
			return nil, err
		}
		return []contracts.Event{&contracts.PaymentCanceled{
			Meta:      contracts.Meta{CorrelationID: p.CorrelationID},
			PaymentID: p.ID, OrderID: p.OrderID, CustomerID: p.CustomerID, Amount: p.Amount,
		}}, nil
	}
	return nil, nil
}

// eventReady checks the fields every consumer of a payment event relies on.
func (p Payment) eventReady() error {
	if p.ID == "" || p.OrderID == "" || p.CustomerID == "" || p.Amount <= 0 {
		return errors.New("payment image lacks id, orderId, customerId or amount")
	}
	return nil
}
