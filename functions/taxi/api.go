package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/auth"
	"github.com/calltaxi/call-taxi/shared/httpapi"
)

// API serves the fleet routes.
type API struct {
	service *Service
}

// Router returns the HTTP API router for the function's routes.
func (a *API) Router(logger *slog.Logger) httpapi.Router {
	return httpapi.Router{Logger: logger, Routes: map[string]httpapi.HandlerFunc{
		"POST /taxis":       a.register,
		"PATCH /taxis/{id}": a.update,
		"GET /taxis":        a.list,
	}}
}

type listResponse struct {
	Items []Taxi `json:"items"`
}

func (a *API) register(ctx context.Context, req events.APIGatewayV2HTTPRequest, caller auth.Identity) (events.APIGatewayV2HTTPResponse, error) {
	if err := caller.Require(auth.RoleDriver); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var body Registration
	if err := httpapi.Decode(req, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	t, err := a.service.Register(ctx, caller.Subject, body)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return httpapi.JSON(http.StatusCreated, t), nil
}

func (a *API) update(ctx context.Context, req events.APIGatewayV2HTTPRequest, caller auth.Identity) (events.APIGatewayV2HTTPResponse, error) {
	if err := caller.Require(auth.RoleDriver); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	id, err := httpapi.PathParam(req, "id")
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var body Update
	if err := httpapi.Decode(req, &body); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	t, err := a.service.Update(ctx, caller.Subject, id, body)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return httpapi.JSON(http.StatusOK, t), nil
}

func (a *API) list(ctx context.Context, req events.APIGatewayV2HTTPRequest, caller auth.Identity) (events.APIGatewayV2HTTPResponse, error) {
	if err := caller.Require(auth.RoleCustomer, auth.RoleManager, auth.RoleDriver); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	grade := ""
	if raw, ok := req.QueryStringParameters["grade"]; ok {
		g, valid := ParseGrade(raw)
		if !valid {
			return events.APIGatewayV2HTTPResponse{}, invalid("grade", "must be one of basic, prime, platinum")
		}
		grade = g
	}
	taxis, err := a.service.List(ctx, grade)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return httpapi.JSON(http.StatusOK, listResponse{Items: taxis}), nil
}
