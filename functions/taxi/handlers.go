package main

import (
	"log/slog"

	"github.com/calltaxi/call-taxi/shared/lambdamux"
)

// newHandlers is the function's one Lambda handler: the HTTP API routes and the EventBridge consumer.
func newHandlers(service *Service, logger *slog.Logger) lambdamux.Handlers {
	api := &API{service: service}
	consumer := &Events{service: service, logger: logger}
	return lambdamux.Handlers{API: api.Router(logger).Handle, EventBridge: consumer.Handle}
}
