package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/calltaxi/call-taxi/shared/apperr"
	"github.com/calltaxi/call-taxi/shared/auth"
	"github.com/calltaxi/call-taxi/shared/logging"
)

// HandlerFunc serves one route for an authenticated caller.
type HandlerFunc func(ctx context.Context, req events.APIGatewayV2HTTPRequest, caller auth.Identity) (events.APIGatewayV2HTTPResponse, error)

// Router dispatches on the HTTP API route key, e.g. "POST /orders/{id}/cancel".
type Router struct {
	Routes map[string]HandlerFunc
	Logger *slog.Logger
}

// CorrelationHeader carries a booking's correlation id from the client through every hop.
const CorrelationHeader = "x-correlation-id"

// Handle is the Lambda handler: it never returns an error, so API Gateway always gets a mapped response.
func (r Router) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (resp events.APIGatewayV2HTTPResponse, _ error) {
	started := time.Now()
	correlationID := req.Headers[CorrelationHeader]
	if correlationID == "" || len(correlationID) > 128 {
		correlationID = req.RequestContext.RequestID
	}
	requestID := ""
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		requestID = lc.AwsRequestID
	}
	logger := r.Logger
	if logger == nil {
		logger = slog.Default()
	}
	ctx = logging.With(ctx, logger, requestID, correlationID)

	defer func() {
		if p := recover(); p != nil {
			logging.From(ctx).Error("handler panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			resp = Error(ctx, fmt.Errorf("panic: %v", p))
		}
		if resp.Headers == nil {
			resp.Headers = map[string]string{}
		}
		resp.Headers["X-Correlation-Id"] = correlationID
		logging.From(ctx).Info("request", "route", req.RouteKey, "status", resp.StatusCode, "ms", time.Since(started).Milliseconds())
	}()

	handler, ok := r.Routes[req.RouteKey]
	if !ok {
		return JSON(http.StatusNotFound, errorBody{errorDetail{Code: "NOT_FOUND", Message: "no route " + req.RouteKey}}), nil
	}
	caller, err := auth.FromRequest(req)
	if err != nil {
		return Error(ctx, err), nil
	}
	// The 413 holds on every route, also on those that never read their body.
	if _, err := Body(req); apperr.KindOf(err) == apperr.KindTooLarge {
		return Error(ctx, err), nil
	}
	resp, err = handler(ctx, req, caller)
	if err != nil {
		return Error(ctx, err), nil
	}
	return resp, nil
}

// PathParam returns a required path parameter.
func PathParam(req events.APIGatewayV2HTTPRequest, name string) (string, error) {
	v := req.PathParameters[name]
	if v == "" || len(v) > 128 {
		return "", apperr.Invalid(name, "path parameter is missing or too long")
	}
	return v, nil
}
