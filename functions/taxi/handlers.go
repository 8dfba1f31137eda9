package main

import (
	"log/slog"

	"github.com/calltaxi/call-taxi/shared/lambdamux"
	"github.com/calltaxi/call-taxi/shared/outbox"
)

// NewHandlers is the function's one Lambda handler: the HTTP API routes, the consumer of the queue its
// EventBridge rule feeds, and the outbox publishing the TaxiAssignments table's stream.
func NewHandlers(service *Service, publisher Publisher, logger *slog.Logger) lambdamux.Handlers {
	api := &API{service: service}
	return lambdamux.Handlers{
		API:    api.Router(logger).Handle,
		SQS:    newConsumer(service, logger).HandleSQS,
		Stream: outbox.NewHandler(deriveEvents, publisher, logger).Handle,
	}
}
