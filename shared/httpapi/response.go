// Package httpapi holds what every API function shares: strict JSON decoding, JSON responses, the one
// mapping from domain error kinds to HTTP status codes, and a router on the HTTP API route key.
package httpapi

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/apperr"
	"github.com/calltaxi/call-taxi/shared/logging"
)

// JSON returns a response with v as its JSON body.
func JSON(status int, v any) events.APIGatewayV2HTTPResponse {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":{"code":"INTERNAL","message":"response encoding failed"}}`)
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(body),
	}
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// statusOf is the one place a kind of failure becomes an HTTP status.
var statusOf = map[apperr.Kind]int{
	apperr.KindValidation:   http.StatusBadRequest,
	apperr.KindUnauthorized: http.StatusUnauthorized,
	apperr.KindDeclined:     http.StatusPaymentRequired,
	apperr.KindForbidden:    http.StatusForbidden,
	apperr.KindNotFound:     http.StatusNotFound,
	apperr.KindConflict:     http.StatusConflict,
	apperr.KindTooLarge:     http.StatusRequestEntityTooLarge,
	apperr.KindBusy:         http.StatusTooManyRequests,
	apperr.KindUnavailable:  http.StatusServiceUnavailable,
}

// Error maps err to its response. Anything that is not an *apperr.Error is a bug: it is logged with its
// cause and the client gets a bare 500.
func Error(ctx context.Context, err error) events.APIGatewayV2HTTPResponse {
	e, ok := apperr.As(err)
	status, known := statusOf[apperr.KindOf(err)]
	if !ok || !known {
		logging.From(ctx).Error("request failed", "error", err.Error())
		return JSON(http.StatusInternalServerError, errorBody{errorDetail{Code: "INTERNAL", Message: "internal error"}})
	}
	if status >= 500 || status == http.StatusTooManyRequests {
		logging.From(ctx).Warn("dependency refused", "code", e.Code, "error", err.Error())
	}
	resp := JSON(status, errorBody{errorDetail{Code: e.Code, Message: e.Message, Field: e.Field}})
	if e.RetryAfter > 0 {
		resp.Headers["Retry-After"] = strconv.Itoa(int(math.Ceil(e.RetryAfter.Seconds())))
	}
	return resp
}
