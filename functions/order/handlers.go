package main

import (
	"log/slog"

	"github.com/calltaxi/call-taxi/shared/httpapi"
	"github.com/calltaxi/call-taxi/shared/lambdamux"
	"github.com/calltaxi/call-taxi/shared/outbox"
)

// NewHandlers is the function's Lambda handler: the order routes of the HTTP API, the PaymentApproved
// subscription (through its queue) that completes abandoned orders, the Orders table's stream (the
// outbox that publishes OrderPlaced and OrderCanceled) and the sweep's schedule.
func NewHandlers(svc *Service, box *outbox.Handler, logger *slog.Logger) lambdamux.Handlers {
	api := orderAPI{svc: svc}
	router := httpapi.Router{Logger: logger, Routes: map[string]httpapi.HandlerFunc{
		"POST /orders":             api.place,
		"GET /orders/{id}":         api.get,
		"POST /orders/{id}/cancel": api.cancel,
	}}
	return lambdamux.Handlers{
		API:      router.Handle,
		SQS:      newConsumer(svc, logger).HandleSQS,
		Stream:   box.Handle,
		Schedule: sweepHandler{svc: svc, logger: logger}.handle,
	}
}
