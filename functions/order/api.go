package main

import (
	"context"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/apperr"
	"github.com/calltaxi/call-taxi/shared/auth"
	"github.com/calltaxi/call-taxi/shared/httpapi"
)

// idempotencyHeader is the optional header that makes POST /orders safe to repeat (HTTP API lower-cases
// header names).
const (
	idempotencyHeader    = "idempotency-key"
	maxIdempotencyKeyLen = 128
)

type orderAPI struct{ svc *Service }

func (a orderAPI) place(ctx context.Context, req events.APIGatewayV2HTTPRequest, caller auth.Identity) (events.APIGatewayV2HTTPResponse, error) {
	if err := caller.Require(auth.RoleCustomer); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	key, err := idempotencyKey(req.Headers)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var body PlaceOrderRequest
	if err := httpapi.Decode(req, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	view, err := a.svc.Place(ctx, caller.Subject, body, key)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return httpapi.JSON(http.StatusCreated, view), nil
}

func (a orderAPI) get(ctx context.Context, req events.APIGatewayV2HTTPRequest, caller auth.Identity) (events.APIGatewayV2HTTPResponse, error) {
	id, err := httpapi.PathParam(req, "id")
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	view, err := a.svc.Get(ctx, caller.Owner(auth.RoleManager), id)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return httpapi.JSON(http.StatusOK, view), nil
}

func (a orderAPI) cancel(ctx context.Context, req events.APIGatewayV2HTTPRequest, caller auth.Identity) (events.APIGatewayV2HTTPResponse, error) {
	id, err := httpapi.PathParam(req, "id")
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	view, err := a.svc.Cancel(ctx, caller.Subject, id)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return httpapi.JSON(http.StatusOK, view), nil
}

// idempotencyKey returns the optional Idempotency-Key header ("" when absent): 1 to 128 printable ASCII
// characters. Header names are matched case-insensitively for clients other than HTTP API (sam local).
func idempotencyKey(headers map[string]string) (string, error) {
	for name, value := range headers {
		if !strings.EqualFold(name, idempotencyHeader) {
			continue
		}
		if value == "" || len(value) > maxIdempotencyKeyLen || strings.IndexFunc(value, notPrintable) >= 0 {
			return "", apperr.Invalid("Idempotency-Key", "must be 1 to %d printable characters", maxIdempotencyKeyLen)
		}
		return value, nil
	}
	return "", nil
}

func notPrintable(r rune) bool { return r < 0x20 || r > 0x7e }
