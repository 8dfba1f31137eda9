package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/auth"
	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/httpapi"
	"github.com/calltaxi/call-taxi/shared/lambdamux"
	"github.com/calltaxi/call-taxi/shared/outbox"
)

// The payment context runs as two functions built from this folder; PAYMENT_ROLE says which one. Charges
// run behind reserved concurrency (the overload guard: the gateway's capacity), so nothing else may take
// their place there: reads and the outbox run in the records function, which scales freely.
const (
	RoleCharges = "charges" // PaymentFunction: charge and refund, invoked by order
	RoleRecords = "records" // PaymentRecordsFunction: GET /paymentHistories, status, the Payments outbox
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

type paymentAPI struct{ svc *Service }

type historyResponse struct {
	Items []HistoryItem `json:"items"`
}

func (a paymentAPI) history(ctx context.Context, req events.APIGatewayV2HTTPRequest, caller auth.Identity) (events.APIGatewayV2HTTPResponse, error) {
	items, err := a.svc.History(ctx, caller, req.QueryStringParameters["orderId"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return httpapi.JSON(http.StatusOK, historyResponse{Items: items}), nil
}
