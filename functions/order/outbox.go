package main

import (
	"errors"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/outbox"
)

var _ outbox.Derive = DeriveEvents

// DeriveEvents maps a change of the Orders table to the events it means: an order that became PAID is
// OrderPlaced, one that became CANCELED is OrderCanceled. Every other change (a new order awaiting its
// payment, a decline, the sweep's bookkeeping) means nothing outside.
func DeriveEvents(rec events.DynamoDBEventRecord) ([]contracts.Event, error) {
	o, err := outbox.StatusChange(rec, func(o *Order) string { return o.Status })
	if err != nil || o == nil {
		return nil, err
	}
	switch o.Status {
	case StatusPaid:
		if o.ID == "" || o.CustomerID == "" || o.PaymentID == "" {
			return nil, errors.New("paid order image lacks id, customerId or paymentId")
		}
		return []contracts.Event{&contracts.OrderPlaced{
			Meta:    contracts.Meta{CorrelationID: o.CorrelationID},
			OrderID: o.ID, CustomerID: o.CustomerID, OrderType: o.OrderType, Fare: o.Fare, PaymentID: o.PaymentID,
			Pickup: o.Pickup, Destination: o.Destination, PickupAt: o.PickupAt, Note: o.Note,
			CustomerName: o.Name, CustomerPhone: o.Phone,
		}}, nil
	case StatusCanceled:
		if o.ID == "" || o.CustomerID == "" {
			return nil, errors.New("canceled order image lacks id or customerId")
		}
		return []contracts.Event{&contracts.OrderCanceled{
			Meta:    contracts.Meta{CorrelationID: o.CorrelationID},
			OrderID: o.ID, CustomerID: o.CustomerID,
		}}, nil
	}
	return nil, nil
}
