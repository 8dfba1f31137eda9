package main

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/auth"
	"github.com/calltaxi/call-taxi/shared/httpapi"
)

// The payment context runs as two functions built from this folder; PAYMENT_ROLE says which one. Charges
// run behind reserved concurrency (the overload guard: the gateway's capacity), so nothing else may take
// their place there: reads and the outbox run in the records function, which scales freely.
const (
	RoleCharges = "charges" // PaymentFunction: charge and refund, invoked by order
	RoleRecords = "records" // PaymentRecordsFunction: GET /paymentHistories, status, the Payments outbox
)

type paymentAPI struct{ svc *Service }

type historyResponse struct {
	Items []HistoryItem `json:"items"`
}

func (a paymentAPI) history(ctx context.Context, req events.APIGatewayV2HTTPRequest, caller auth.Identity) (events.APIGatewayV2HTTPResponse, error) {
	if err := caller.Require(auth.RoleCustomer, auth.RoleManager); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	items, err := a.svc.History(ctx, caller.Owner(auth.RoleManager), req.QueryStringParameters["orderId"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return httpapi.JSON(http.StatusOK, historyResponse{Items: items}), nil
}
