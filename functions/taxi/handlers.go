package main

import (
	"log/slog"

	"github.com/calltaxi/call-taxi/shared/lambdamux"
)

// newHandlers is the function's one Lambda handler: the HTTP API routes and the consumer of the queue its
// EventBridge rule feeds.
func newHandlers(service *Service, logger *slog.Logger) lambdamux.Handlers {
	api := &API{service: service}
	return lambdamux.Handlers{API: api.Router(logger).Handle, SQS: newConsumer(service, logger).HandleSQS}
}
