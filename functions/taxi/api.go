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
	Items []TaxiView `json:"items"`
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
	return httpapi.JSON(http.StatusCreated, t.View()), nil
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
	return httpapi.JSON(http.StatusOK, t.View()), nil
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
	items := make([]TaxiView, len(taxis))
	for i, t := range taxis {
		items[i] = t.View()
	}
	return httpapi.JSON(http.StatusOK, listResponse{Items: items}), nil
}

// TaxiView is a taxi as the API returns it: the driver's own fields and the units available now. The
// version and the bookkeeping counters (supplied, assigned, released, completed) stay in the table.
type TaxiView struct {
	ID          string `json:"id"`
	DriverID    string `json:"driverId"` // the driver who registered it: the console finds a driver's own taxis by it
	TaxiName    string `json:"taxiName"`
	CompanyName string `json:"companyName"`
	Grade       string `json:"grade"`
	StockCnt    int64  `json:"stockCnt"`
	ItemPrice   int64  `json:"itemPrice"`
	CreatedAt   string `json:"createdAt"`
	UpdatedAt   string `json:"updatedAt"`
}

// View is the taxi's API representation.
func (t Taxi) View() TaxiView {
	return TaxiView{
		ID: t.ID, DriverID: t.DriverID, TaxiName: t.TaxiName, CompanyName: t.CompanyName, Grade: t.Grade,
		StockCnt: t.StockCnt, ItemPrice: t.ItemPrice, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
	}
}
