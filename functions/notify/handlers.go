package main

import (
	"log/slog"

	"github.com/calltaxi/call-taxi/shared/lambdamux"
	"github.com/calltaxi/call-taxi/shared/metrics"
)

// NewHandlers is the function's top-level handler: the MyPagesTable stream only.
func NewHandlers(sms SMS, claims Claims, recorder *metrics.Recorder, logger *slog.Logger) lambdamux.Handlers {
	return lambdamux.Handlers{
		Stream: NewStreamHandler(NewNotifier(sms, claims, recorder), logger).Handle,
	}
}
