package main

import (
	"log/slog"

	"github.com/calltaxi/call-taxi/shared/lambdamux"
)

// newHandlers is the function's one Lambda handler: the HTTP API routes and the EventBridge consumer.
func newHandlers(service *Service, logger *slog.Logger) lambdamux.Handlers {
	api := &API{service: service}
	return lambdamux.Handlers{API: api.Router(logger).Handle, EventBridge: newConsumer(service, logger).Handle}
}
