package main

import (
	"log/slog"

	"github.com/calltaxi/call-taxi/shared/lambdamux"
	"github.com/calltaxi/call-taxi/shared/metrics"
)

// NewHandlers is the function's top-level handler: the MyPagesTable stream (decide what to say and queue
// it) and the SMS queue (send it, within the SMS rate).
func NewHandlers(records *Records, queue Queue, sms SMS, limiter *Limiter, recorder *metrics.Recorder, logger *slog.Logger) lambdamux.Handlers {
	return lambdamux.Handlers{
		Stream: NewStreamHandler(records, queue, logger).Handle,
		SQS:    NewSender(records, queue, sms, limiter, recorder, logger).Handle,
	}
}
