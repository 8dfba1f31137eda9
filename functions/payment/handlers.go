package main

import (
	"log/slog"

	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/httpapi"
	"github.com/calltaxi/call-taxi/shared/lambdamux"
	"github.com/calltaxi/call-taxi/shared/outbox"
)

// NewChargeHandlers is PaymentFunction's Lambda handler: order's charge and refund invokes only.
func NewChargeHandlers(svc *Service, logger *slog.Logger) lambdamux.Handlers {
	direct := directHandler{logger: logger, actions: map[string]action{
		contracts.PaymentActionCharge: svc.Charge,
		contracts.PaymentActionRefund: svc.Refund,
	}}
	return lambdamux.Handlers{Direct: direct.handle}
}

// NewRecordsHandlers is PaymentRecordsFunction's Lambda handler: the history route, the status invoke
// and the Payments table's stream (the outbox that publishes PaymentApproved and PaymentCanceled).
func NewRecordsHandlers(svc *Service, box *outbox.Handler, logger *slog.Logger) lambdamux.Handlers {
	api := paymentAPI{svc: svc}
	router := httpapi.Router{Logger: logger, Routes: map[string]httpapi.HandlerFunc{
		"GET /paymentHistories": api.history,
	}}
	direct := directHandler{logger: logger, actions: map[string]action{
		contracts.PaymentActionStatus: svc.Status,
	}}
	return lambdamux.Handlers{API: router.Handle, Direct: direct.handle, Stream: box.Handle}
}
