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

// API serves the managers' reservation routes and the drivers' rides.
type API struct {
	service *Service
}

// Router returns the HTTP API router for the function's routes.
func (a *API) Router(logger *slog.Logger) httpapi.Router {
	return httpapi.Router{Logger: logger, Routes: map[string]httpapi.HandlerFunc{
		"GET /reservations":                a.list,
		"GET /reservations/{id}":           a.get,
		"POST /reservations/{id}/confirm":  a.confirm,
		"POST /reservations/{id}/pickup":   a.pickup,
		"POST /reservations/{id}/complete": a.complete,
		"GET /assignments":                 a.assignments,
	}}
}

type listResponse struct {
	Items []ReservationView `json:"items"`
}

func (a *API) list(ctx context.Context, req events.APIGatewayV2HTTPRequest, caller auth.Identity) (events.APIGatewayV2HTTPResponse, error) {
	if err := caller.Require(auth.RoleManager); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	status := StatusRequested
	if raw, ok := req.QueryStringParameters["status"]; ok {
		s, valid := ParseStatus(raw)
		if !valid {
			return events.APIGatewayV2HTTPResponse{}, apperr.Invalid("status", "must be one of REQUESTED, ASSIGNING, CONFIRMED, PICKED_UP, COMPLETED, CANCELED")
		}
		status = s
	}
	limit, err := listLimit(req)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	date, ok := req.QueryStringParameters["date"]
	if ok && date == "" {
		return events.APIGatewayV2HTTPResponse{}, apperr.Invalid("date", "must be a date such as 2026-01-02")
	}
	items, err := a.service.List(ctx, status, date, limit)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return httpapi.JSON(http.StatusOK, listResponse{Items: views(items)}), nil
}

func listLimit(req events.APIGatewayV2HTTPRequest) (int, error) {
	raw, ok := req.QueryStringParameters["limit"]
	if !ok {
		return defaultListLimit, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > maxListLimit {
		return 0, apperr.Invalid("limit", "must be an integer from 1 to %d", maxListLimit)
	}
	return n, nil
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
	return httpapi.JSON(http.StatusOK, r.View()), nil
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
	return httpapi.JSON(http.StatusAccepted, r.View()), nil
}

func (a *API) pickup(ctx context.Context, req events.APIGatewayV2HTTPRequest, caller auth.Identity) (events.APIGatewayV2HTTPResponse, error) {
	return a.driverStep(req, caller, func(id string) (*Reservation, error) { return a.service.PickUp(ctx, id, caller.Subject) })
}

func (a *API) complete(ctx context.Context, req events.APIGatewayV2HTTPRequest, caller auth.Identity) (events.APIGatewayV2HTTPResponse, error) {
	return a.driverStep(req, caller, func(id string) (*Reservation, error) { return a.service.Complete(ctx, id, caller.Subject) })
}

func (a *API) driverStep(req events.APIGatewayV2HTTPRequest, caller auth.Identity, step func(id string) (*Reservation, error)) (events.APIGatewayV2HTTPResponse, error) {
	if err := caller.Require(auth.RoleDriver); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	id, err := httpapi.PathParam(req, "id")
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	r, err := step(id)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return httpapi.JSON(http.StatusOK, r.View()), nil
}

func (a *API) assignments(ctx context.Context, req events.APIGatewayV2HTTPRequest, caller auth.Identity) (events.APIGatewayV2HTTPResponse, error) {
	if err := caller.Require(auth.RoleDriver); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	limit, err := listLimit(req)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	items, err := a.service.Assignments(ctx, caller.Subject, limit)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return httpapi.JSON(http.StatusOK, listResponse{Items: views(items)}), nil
}

// ReservationView is a reservation as the API returns it: what managers and the assigned driver see. The
// row's bookkeeping (version, entity, the released flag, the customer's and driver's ids, the
// correlation id) stays in the table.
type ReservationView struct {
	ID            string  `json:"id"`
	OrderID       string  `json:"orderId"`
	OrderType     string  `json:"orderType,omitempty"`
	Status        string  `json:"status"`
	Pickup        string  `json:"pickup"`
	Destination   string  `json:"destination"`
	PickupAt      *string `json:"pickupAt"` // null = as soon as possible
	Note          string  `json:"note"`
	CustomerName  string  `json:"customerName"`
	CustomerPhone string  `json:"customerPhone"`
	TaxiID        string  `json:"taxiId,omitempty"`
	TaxiName      string  `json:"taxiName,omitempty"`
	PickedUpAt    string  `json:"pickedUpAt,omitempty"`
	CompletedAt   string  `json:"completedAt,omitempty"`
	AssignAttempt int     `json:"assignAttempt"`
	RejectReason  string  `json:"rejectReason,omitempty"`
	CreatedAt     string  `json:"createdAt"`
	UpdatedAt     string  `json:"updatedAt"`
}

// View is the reservation's API representation.
func (r *Reservation) View() ReservationView {
	var at *string
	if r.PickupAt != "" {
		at = &r.PickupAt
	}
	return ReservationView{
		ID: r.ID, OrderID: r.OrderID, OrderType: r.OrderType, Status: r.Status,
		Pickup: r.Pickup, Destination: r.Destination, PickupAt: at, Note: r.Note,
		CustomerName: r.CustomerName, CustomerPhone: r.CustomerPhone, TaxiID: r.TaxiID, TaxiName: r.TaxiName,
		PickedUpAt: r.PickedUpAt, CompletedAt: r.CompletedAt, AssignAttempt: r.AssignAttempt, RejectReason: r.RejectReason,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

func views(rs []Reservation) []ReservationView {
	out := make([]ReservationView, len(rs))
	for i := range rs {
		out[i] = rs[i].View()
	}
	return out
}
