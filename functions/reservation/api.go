package main

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/apperr"
	"github.com/calltaxi/call-taxi/shared/auth"
	"github.com/calltaxi/call-taxi/shared/httpapi"
)

const (
	defaultListLimit = 50
	maxListLimit     = 100
	maxTaxiIDLength  = 128
)

// API serves the managers' reservation routes.
type API struct {
	service *Service
}

// Router returns the HTTP API router for the function's routes.
func (a *API) Router(logger *slog.Logger) httpapi.Router {
	return httpapi.Router{Logger: logger, Routes: map[string]httpapi.HandlerFunc{
		"GET /reservations":               a.list,
		"GET /reservations/{id}":          a.get,
		"POST /reservations/{id}/confirm": a.confirm,
	}}
}

type listResponse struct {
	Items []Reservation `json:"items"`
}

func (a *API) list(ctx context.Context, req events.APIGatewayV2HTTPRequest, caller auth.Identity) (events.APIGatewayV2HTTPResponse, error) {
	if err := caller.Require(auth.RoleManager); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	status := StatusRequested
	if raw, ok := req.QueryStringParameters["status"]; ok {
		s, valid := ParseStatus(raw)
		if !valid {
			return events.APIGatewayV2HTTPResponse{}, apperr.Invalid("status", "must be one of REQUESTED, ASSIGNING, CONFIRMED, CANCELED")
		}
		status = s
	}
	limit := defaultListLimit
	if raw, ok := req.QueryStringParameters["limit"]; ok {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxListLimit {
			return events.APIGatewayV2HTTPResponse{}, apperr.Invalid("limit", "must be an integer from 1 to %d", maxListLimit)
		}
		limit = n
	}
	items, err := a.service.List(ctx, status, limit)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return httpapi.JSON(http.StatusOK, listResponse{Items: items}), nil
}

func (a *API) get(ctx context.Context, req events.APIGatewayV2HTTPRequest, caller auth.Identity) (events.APIGatewayV2HTTPResponse, error) {
	if err := caller.Require(auth.RoleManager); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	id, err := httpapi.PathParam(req, "id")
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	r, err := a.service.Get(ctx, id)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return httpapi.JSON(http.StatusOK, r), nil
}

type confirmRequest struct {
	TaxiID string `json:"taxiId"`
}

func (a *API) confirm(ctx context.Context, req events.APIGatewayV2HTTPRequest, caller auth.Identity) (events.APIGatewayV2HTTPResponse, error) {
	if err := caller.Require(auth.RoleManager); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	id, err := httpapi.PathParam(req, "id")
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var body confirmRequest
	if err := httpapi.Decode(req, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	taxiID := strings.TrimSpace(body.TaxiID)
	if taxiID == "" {
		return events.APIGatewayV2HTTPResponse{}, apperr.Invalid("taxiId", "is required")
	}
	if len(taxiID) > maxTaxiIDLength {
		return events.APIGatewayV2HTTPResponse{}, apperr.Invalid("taxiId", "must be at most %d characters", maxTaxiIDLength)
	}
	r, err := a.service.Confirm(ctx, id, taxiID)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return httpapi.JSON(http.StatusAccepted, r), nil
}
