package main

import (
	"context"
	"net/http"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/apperr"
	"github.com/calltaxi/call-taxi/shared/auth"
	"github.com/calltaxi/call-taxi/shared/httpapi"
)

// viewResponse is what a customer sees of a view: never the phone, the versions or the rev.
type viewResponse struct {
	OrderID           string         `json:"orderId"`
	Name              string         `json:"name"`
	OrderType         string         `json:"orderType"`
	Fare              int64          `json:"fare"`
	Status            string         `json:"status"`
	OrderStatus       string         `json:"orderStatus"`
	PaymentStatus     string         `json:"paymentStatus"`
	ReservationID     string         `json:"reservationId"`
	ReservationStatus string         `json:"reservationStatus"`
	TaxiID            string         `json:"taxiId"`
	TaxiName          string         `json:"taxiName"`
	RejectReason      string         `json:"rejectReason"` // why the last assignment was rejected, "" if none
	Pickup            string         `json:"pickup"`
	Destination       string         `json:"destination"`
	PickupAt          *string        `json:"pickupAt"` // null = as soon as possible
	History           []HistoryEntry `json:"history"`
	CreatedAt         string         `json:"createdAt"`
	UpdatedAt         string         `json:"updatedAt"`
}

type listResponse struct {
	Items []viewResponse `json:"items"`
}

func toResponse(v View) viewResponse {
	history := v.History
	if history == nil {
		history = []HistoryEntry{}
	}
	var pickupAt *string
	if v.PickupAt != "" {
		pickupAt = &v.PickupAt
	}
	return viewResponse{
		OrderID: v.OrderID, Name: v.Name, OrderType: v.OrderType, Fare: v.Fare,
		Status: v.Status, OrderStatus: v.OrderStatus, PaymentStatus: v.PaymentStatus,
		ReservationID: v.ReservationID, ReservationStatus: v.ReservationStatus,
		TaxiID: v.TaxiID, TaxiName: v.TaxiName, RejectReason: v.RejectReason,
		Pickup: v.Pickup, Destination: v.Destination, PickupAt: pickupAt, History: history,
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
	}
}

// NewAPI returns the function's HTTP routes.
func NewAPI(svc *Service) map[string]httpapi.HandlerFunc {
	return map[string]httpapi.HandlerFunc{
		"GET /mypages":           listMyPages(svc),
		"GET /mypages/{orderId}": getMyPage(svc),
	}
}

func listMyPages(svc *Service) httpapi.HandlerFunc {
	return func(ctx context.Context, req events.APIGatewayV2HTTPRequest, caller auth.Identity) (events.APIGatewayV2HTTPResponse, error) {
		if err := caller.Require(auth.RoleCustomer); err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		limit, err := parseLimit(req.QueryStringParameters["limit"])
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		views, err := svc.List(ctx, caller.Subject, limit)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		items := make([]viewResponse, 0, len(views))
		for _, v := range views {
			items = append(items, toResponse(v))
		}
		return httpapi.JSON(http.StatusOK, listResponse{Items: items}), nil
	}
}

func getMyPage(svc *Service) httpapi.HandlerFunc {
	return func(ctx context.Context, req events.APIGatewayV2HTTPRequest, caller auth.Identity) (events.APIGatewayV2HTTPResponse, error) {
		if err := caller.Require(auth.RoleCustomer, auth.RoleManager); err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		orderID, err := httpapi.PathParam(req, "orderId")
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		view, err := svc.Get(ctx, caller.Owner(auth.RoleManager), orderID)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		return httpapi.JSON(http.StatusOK, toResponse(view)), nil
	}
}

func parseLimit(raw string) (int, error) {
	if raw == "" {
		return DefaultListLimit, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > MaxListLimit {
		return 0, apperr.Invalid("limit", "must be a whole number from 1 to %d", MaxListLimit)
	}
	return n, nil
}
