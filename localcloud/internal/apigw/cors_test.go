package apigw

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func corsGateway(t *testing.T, inv *fakeInvoker) *Gateway {
	return newGateway(t, Config{Invoker: inv, Routes: []Route{{Method: "GET", Path: "/taxis", Function: "taxi"}},
		CORS: &CORS{
			AllowOrigins: []string{"http://localhost:5173"}, AllowMethods: []string{"GET", "POST"},
			AllowHeaders: []string{"authorization", "content-type"}, ExposeHeaders: []string{"retry-after"},
			MaxAge: 600, AllowCredentials: true,
		}})
}

func TestCORSPreflight(t *testing.T) {
	tests := []struct {
		name, origin string
		wantHeaders  map[string]string
	}{
		{"allowed origin", "http://localhost:5173", map[string]string{
			"Access-Control-Allow-Origin":      "http://localhost:5173",
			"Access-Control-Allow-Methods":     "GET,POST",
			"Access-Control-Allow-Headers":     "authorization,content-type",
			"Access-Control-Max-Age":           "600",
			"Access-Control-Allow-Credentials": "true",
		}},
		{"other origin", "http://evil.example", map[string]string{
			"Access-Control-Allow-Origin":  "",
			"Access-Control-Allow-Methods": "",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv := &fakeInvoker{}
			g := corsGateway(t, inv)
			req := httptest.NewRequest("OPTIONS", "/taxis", nil)
			req.Header.Set("Origin", tc.origin)
			req.Header.Set("Access-Control-Request-Method", "GET")
			rec := httptest.NewRecorder()
			g.ServeHTTP(rec, req)
			if rec.Code != http.StatusNoContent {
				t.Errorf("status = %d, want 204", rec.Code)
			}
			for name, want := range tc.wantHeaders {
				if got := rec.Header().Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			if inv.count() != 0 {
				t.Error("preflight reached a function")
			}
		})
	}
}

func TestCORSOnResponsesReplacesFunctionHeaders(t *testing.T) {
	inv := &fakeInvoker{respond: func(context.Context, string, events.APIGatewayV2HTTPRequest) ([]byte, error) {
		return []byte(`{"statusCode":200,"headers":{"access-control-allow-origin":"*","x-ok":"1"},"body":"[]"}`), nil
	}}
	g := corsGateway(t, inv)
	req := httptest.NewRequest("GET", "/taxis", nil)
	req.Header.Set("Origin", "http://localhost:5173")
	rec := httptest.NewRecorder()
	g.ServeHTTP(rec, req)
	if got := rec.Header().Values("Access-Control-Allow-Origin"); len(got) != 1 || got[0] != "http://localhost:5173" {
		t.Errorf("Access-Control-Allow-Origin = %q", got)
	}
	if rec.Header().Get("Access-Control-Expose-Headers") != "retry-after" || rec.Header().Get("X-Ok") != "1" {
		t.Errorf("headers = %v", rec.Header())
	}
}

func TestOptionsWithoutCORSIsRouted(t *testing.T) {
	g := newGateway(t, Config{Invoker: &fakeInvoker{}, Routes: []Route{{Method: "GET", Path: "/taxis", Function: "taxi"}}})
	req := httptest.NewRequest("OPTIONS", "/taxis", nil)
	req.Header.Set("Origin", "http://localhost:5173")
	req.Header.Set("Access-Control-Request-Method", "GET")
	rec := httptest.NewRecorder()
	g.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound || rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("status %d headers %v, want a plain 404", rec.Code, rec.Header())
	}
}
