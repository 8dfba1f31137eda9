package main

import (
	"log/slog"

	"github.com/calltaxi/call-taxi/shared/consumer"
	"github.com/calltaxi/call-taxi/shared/contracts"
)

// newConsumer subscribes the reservation context to the events it reacts to (see the template's rule).
func newConsumer(service *Service, logger *slog.Logger) consumer.Consumer {
	return consumer.Consumer{Logger: logger, Routes: map[string]consumer.Route{
		contracts.NameOrderPlaced: consumer.On(func(e *contracts.OrderPlaced) bool {
			return e.OrderID != "" && e.CustomerID != ""
		}, service.OrderPlaced),
		contracts.NameOrderCanceled: consumer.On(func(e *contracts.OrderCanceled) bool {
			return e.OrderID != ""
		}, service.OrderCanceled),
		contracts.NameTaxiAssigned: consumer.On(func(e *contracts.TaxiAssigned) bool {
			return e.ReservationID != "" && e.TaxiID != ""
		}, service.TaxiAssigned),
		contracts.NameTaxiAssignmentRejected: consumer.On(func(e *contracts.TaxiAssignmentRejected) bool {
			return e.ReservationID != ""
		}, service.TaxiAssignmentRejected),
		contracts.NameTaxiReleased: consumer.On(func(e *contracts.TaxiReleased) bool {
			return e.ReservationID != ""
		}, service.TaxiReleased),
	}}
}
