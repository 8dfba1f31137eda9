package main

import (
	"log/slog"
	"time"

	"github.com/calltaxi/call-taxi/shared/httpapi"
	"github.com/calltaxi/call-taxi/shared/lambdamux"
)

// NewHandlers is the function's top-level handler: the HTTP API routes and the three table streams.
func NewHandlers(store Store, zone *time.Location, logger *slog.Logger) lambdamux.Handlers {
	svc := NewService(store)
	svc.zone = zone
	router := httpapi.Router{Routes: NewAPI(svc), Logger: logger}
	return lambdamux.Handlers{
		API:    router.Handle,
		Stream: NewStreamHandler(svc, logger).Handle,
	}
}
