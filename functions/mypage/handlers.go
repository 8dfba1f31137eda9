package main

import (
	"log/slog"

	"github.com/calltaxi/call-taxi/shared/httpapi"
	"github.com/calltaxi/call-taxi/shared/lambdamux"
)

// NewHandlers is the function's one Lambda handler: the HTTP API routes and the three table streams.
func NewHandlers(svc *Service, logger *slog.Logger) lambdamux.Handlers {
	router := httpapi.Router{Routes: NewAPI(svc), Logger: logger}
	return lambdamux.Handlers{
		API:    router.Handle,
		Stream: NewStreamHandler(svc, logger).Handle,
	}
}
