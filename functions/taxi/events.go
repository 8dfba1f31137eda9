package main

import (
	"log/slog"

	"github.com/calltaxi/call-taxi/shared/consumer"
	"github.com/calltaxi/call-taxi/shared/contracts"
)

// newConsumer subscribes the taxi context to the reservation events it reacts to.
func newConsumer(service *Service, logger *slog.Logger) consumer.Consumer {
	return consumer.Consumer{Logger: logger, Routes: map[string]consumer.Route{
		contracts.NameReservationConfirmed: consumer.On(func(e *contracts.ReservationConfirmed) bool {
			return e.ReservationID != "" && e.TaxiID != "" && e.Attempt > 0
		}, service.ReservationConfirmed),
		contracts.NameReservationCanceled: consumer.On(func(e *contracts.ReservationCanceled) bool {
			return e.ReservationID != ""
		}, service.ReservationCanceled),
		contracts.NameReservationCompleted: consumer.On(func(e *contracts.ReservationCompleted) bool {
			return e.ReservationID != ""
		}, service.ReservationCompleted),
	}}
}
