package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/auth"
	"github.com/calltaxi/call-taxi/shared/httpapi"
	"github.com/calltaxi/call-taxi/shared/lambdamux"
)

// NewHandlers is the function's Lambda handler: the direct invoke from order and the history route.
func NewHandlers(svc *Service, logger *slog.Logger) lambdamux.Handlers {
	api := paymentAPI{svc: svc}
	router := httpapi.Router{Logger: logger, Routes: map[string]httpapi.HandlerFunc{
		"GET /paymentHistories": api.history,
	}}
	direct := directHandler{svc: svc, logger: logger}
	return lambdamux.Handlers{API: router.Handle, Direct: direct.handle}
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
