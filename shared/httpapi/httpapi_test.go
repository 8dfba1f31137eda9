package httpapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/apperr"
	"github.com/calltaxi/call-taxi/shared/auth"
)

type sample struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name      string
		req       events.APIGatewayV2HTTPRequest
		wantErr   string // substring of the message; "" = success
		wantKind  apperr.Kind
		wantField string
	}{
		{name: "ok", req: events.APIGatewayV2HTTPRequest{Body: `{"name":"a","count":2}`}},
		{name: "base64", req: events.APIGatewayV2HTTPRequest{Body: base64.StdEncoding.EncodeToString([]byte(`{"name":"a"}`)), IsBase64Encoded: true}},
		{name: "bad base64", req: events.APIGatewayV2HTTPRequest{Body: "!!", IsBase64Encoded: true}, wantErr: "base64", wantKind: apperr.KindValidation},
		{name: "empty", req: events.APIGatewayV2HTTPRequest{Body: "  "}, wantErr: "required", wantKind: apperr.KindValidation},
		{name: "malformed", req: events.APIGatewayV2HTTPRequest{Body: `{"name":`}, wantErr: "malformed", wantKind: apperr.KindValidation},
		{name: "syntax", req: events.APIGatewayV2HTTPRequest{Body: `{"name" "a"}`}, wantErr: "malformed JSON at byte", wantKind: apperr.KindValidation},
		{name: "unknown field", req: events.APIGatewayV2HTTPRequest{Body: `{"nam":"a"}`}, wantErr: "unknown field", wantKind: apperr.KindValidation, wantField: "nam"},
		{name: "wrong type", req: events.APIGatewayV2HTTPRequest{Body: `{"count":"x"}`}, wantErr: "must be a number", wantKind: apperr.KindValidation, wantField: "count"},
		{name: "array", req: events.APIGatewayV2HTTPRequest{Body: `[1]`}, wantErr: "JSON object", wantKind: apperr.KindValidation},
		{name: "two objects", req: events.APIGatewayV2HTTPRequest{Body: `{} {}`}, wantErr: "single JSON object", wantKind: apperr.KindValidation},
		{name: "too large", req: events.APIGatewayV2HTTPRequest{Body: `{"name":"` + strings.Repeat("a", MaxBody) + `"}`}, wantErr: "exceeds", wantKind: apperr.KindTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dst sample
			err := Decode(tt.req, &dst)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				if dst.Name != "a" {
					t.Errorf("decoded %+v", dst)
				}
				return
			}
			e, ok := apperr.As(err)
			if !ok || e.Kind != tt.wantKind || !strings.Contains(e.Message, tt.wantErr) || e.Field != tt.wantField {
				t.Errorf("err = %#v, want kind %v containing %q field %q", err, tt.wantKind, tt.wantErr, tt.wantField)
			}
		})
	}
}

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		err        error
		status     int
		code       string
		retryAfter string
	}{
		{apperr.Invalid("phone", "bad"), http.StatusBadRequest, "VALIDATION_FAILED", ""},
		{apperr.Declined("CARD_DECLINED", "card", "declined"), http.StatusPaymentRequired, "CARD_DECLINED", ""},
		{apperr.Forbidden("no"), http.StatusForbidden, "FORBIDDEN", ""},
		{apperr.NotFound("order", "1"), http.StatusNotFound, "NOT_FOUND", ""},
		{apperr.Conflict("no"), http.StatusConflict, "CONFLICT", ""},
		{apperr.TooLarge(1), http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE", ""},
		{apperr.Busy("BUSY", "busy", 1500*time.Millisecond, nil), http.StatusTooManyRequests, "BUSY", "2"},
		{apperr.Unavailable("DOWN", "unavailable", 3*time.Second, errors.New("down")), http.StatusServiceUnavailable, "DOWN", "3"},
		{apperr.TryAgain("again", time.Second, errors.New("down")), http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE", "1"},
		{errors.New("boom"), http.StatusInternalServerError, "INTERNAL", ""},
	}
	for _, tt := range tests {
		resp := Error(context.Background(), tt.err)
		var body errorBody
		if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != tt.status || body.Error.Code != tt.code || resp.Headers["Retry-After"] != tt.retryAfter {
			t.Errorf("%v → %d %s retry=%q", tt.err, resp.StatusCode, body.Error.Code, resp.Headers["Retry-After"])
		}
		if strings.Contains(resp.Body, "boom") || strings.Contains(resp.Body, "down") {
			t.Errorf("cause leaked to the client: %s", resp.Body)
		}
	}
}

func TestRouter(t *testing.T) {
	router := Router{Routes: map[string]HandlerFunc{
		"GET /things/{id}": func(ctx context.Context, req events.APIGatewayV2HTTPRequest, caller auth.Identity) (events.APIGatewayV2HTTPResponse, error) {
			id, err := PathParam(req, "id")
			if err != nil {
				return events.APIGatewayV2HTTPResponse{}, err
			}
			if id == "panic" {
				panic("kaboom")
			}
			return JSON(http.StatusOK, map[string]string{"id": id, "sub": caller.Subject}), nil
		},
	}}
	authorized := func(routeKey, id string) events.APIGatewayV2HTTPRequest {
		req := events.APIGatewayV2HTTPRequest{RouteKey: routeKey, PathParameters: map[string]string{"id": id}, Headers: map[string]string{CorrelationHeader: "c-1"}}
		req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "u1"}}}
		return req
	}
	tests := []struct {
		name   string
		req    events.APIGatewayV2HTTPRequest
		status int
		body   string
	}{
		{"ok", authorized("GET /things/{id}", "7"), 200, `"sub":"u1"`},
		{"unknown route", authorized("GET /nope", "7"), 404, "NOT_FOUND"},
		{"missing param", authorized("GET /things/{id}", ""), 400, "VALIDATION_FAILED"},
		{"panic", authorized("GET /things/{id}", "panic"), 500, "INTERNAL"},
		{"no claims", events.APIGatewayV2HTTPRequest{RouteKey: "GET /things/{id}"}, 401, "UNAUTHORIZED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := router.Handle(context.Background(), tt.req)
			if err != nil || resp.StatusCode != tt.status || !strings.Contains(resp.Body, tt.body) {
				t.Errorf("got %d %s %v", resp.StatusCode, resp.Body, err)
			}
			if resp.Headers["X-Correlation-Id"] == "" && tt.name != "no claims" {
				t.Error("no correlation id header")
			}
		})
	}
}
