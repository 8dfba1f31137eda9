package apigw

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRouteSelection(t *testing.T) {
	inv := &fakeInvoker{}
	routes := []Route{
		{Method: "GET", Path: "/orders", Function: "listOrders"},
		{Method: "POST", Path: "/orders", Function: "createOrder"},
		{Method: "GET", Path: "/orders/{id}", Function: "getOrder"},
		{Method: "GET", Path: "/orders/new", Function: "newOrder"},
		{Method: "ANY", Path: "/orders/{id}", Function: "anyOrder"},
		{Method: "POST", Path: "/orders/{id}/cancel", Function: "cancelOrder"},
		{Method: "GET", Path: "/files/{proxy+}", Function: "files"},
		{Method: "GET", Path: "/files/special", Function: "special"},
		{Method: "GET", Path: "/", Function: "root"},
	}
	g := newGateway(t, Config{Routes: routes, Invoker: inv})

	tests := []struct {
		method, target string
		wantFunction   string
		wantRouteKey   string
		wantParams     map[string]string
	}{
		{"GET", "/orders", "listOrders", "GET /orders", nil},
		{"POST", "/orders", "createOrder", "POST /orders", nil},
		{"GET", "/orders/new", "newOrder", "GET /orders/new", nil},
		{"GET", "/orders/o-1", "getOrder", "GET /orders/{id}", map[string]string{"id": "o-1"}},
		{"GET", "/orders/a%20b", "getOrder", "GET /orders/{id}", map[string]string{"id": "a b"}},
		{"DELETE", "/orders/o-1", "anyOrder", "ANY /orders/{id}", map[string]string{"id": "o-1"}},
		{"POST", "/orders/o-1/cancel", "cancelOrder", "POST /orders/{id}/cancel", map[string]string{"id": "o-1"}},
		{"GET", "/files/a/b/c.txt", "files", "GET /files/{proxy+}", map[string]string{"proxy": "a/b/c.txt"}},
		{"GET", "/files/special", "special", "GET /files/special", nil},
		{"GET", "/", "root", "GET /", nil},
		{"GET", "/orders/o-1/cancel", "", "", nil}, // known path, no route for the method
		{"PUT", "/orders", "", "", nil},
		{"GET", "/files", "", "", nil}, // a greedy variable needs at least one segment
		{"GET", "/orders/", "", "", nil},
		{"GET", "/unknown", "", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			inv.calls = nil
			rec := httptest.NewRecorder()
			g.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.target, nil))
			if tc.wantFunction == "" {
				if rec.Code != http.StatusNotFound || decodeMessage(t, rec.Body.Bytes()) != "Not Found" {
					t.Errorf("status %d body %s, want 404 Not Found", rec.Code, rec.Body)
				}
				if inv.count() != 0 {
					t.Errorf("a function ran for an unmatched route")
				}
				return
			}
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d body %s", rec.Code, rec.Body)
			}
			call := inv.only(t)
			if call.function != tc.wantFunction || call.event.RouteKey != tc.wantRouteKey || call.event.RequestContext.RouteKey != tc.wantRouteKey {
				t.Errorf("routed to %s (%s), want %s (%s)", call.function, call.event.RouteKey, tc.wantFunction, tc.wantRouteKey)
			}
			if !maps.Equal(call.event.PathParameters, tc.wantParams) {
				t.Errorf("pathParameters = %v, want %v", call.event.PathParameters, tc.wantParams)
			}
		})
	}
}

func TestDefaultRouteAndStage(t *testing.T) {
	inv := &fakeInvoker{}
	g := newGateway(t, Config{Invoker: inv, Stage: "prod", Routes: []Route{
		{Method: "GET", Path: "/orders", Function: "listOrders"},
		{Path: "$default", Function: "fallback"},
	}})
	tests := []struct{ target, wantFunction, wantRouteKey string }{
		{"/prod/orders", "listOrders", "GET /orders"},
		{"/prod/anything/else", "fallback", "$default"},
	}
	for _, tc := range tests {
		inv.calls = nil
		rec := httptest.NewRecorder()
		g.ServeHTTP(rec, httptest.NewRequest("GET", tc.target, nil))
		call := inv.only(t)
		if call.function != tc.wantFunction || call.event.RouteKey != tc.wantRouteKey {
			t.Errorf("%s routed to %s (%s)", tc.target, call.function, call.event.RouteKey)
		}
		if call.event.RawPath != tc.target || call.event.RequestContext.Stage != "prod" {
			t.Errorf("rawPath=%q stage=%q", call.event.RawPath, call.event.RequestContext.Stage)
		}
	}
	rec := httptest.NewRecorder()
	g.ServeHTTP(rec, httptest.NewRequest("GET", "/orders", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("path outside the stage: status %d, want 404", rec.Code)
	}
}

func TestNewValidatesRoutes(t *testing.T) {
	inv := &fakeInvoker{}
	auth := &JWTAuthorizer{Name: "cognito", Issuer: "http://issuer"}
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no invoker", Config{Routes: []Route{{Method: "GET", Path: "/a", Function: "f"}}}},
		{"bad method", Config{Invoker: inv, Routes: []Route{{Method: "FETCH", Path: "/a", Function: "f"}}}},
		{"relative path", Config{Invoker: inv, Routes: []Route{{Method: "GET", Path: "a", Function: "f"}}}},
		{"empty segment", Config{Invoker: inv, Routes: []Route{{Method: "GET", Path: "/a//b", Function: "f"}}}},
		{"greedy not last", Config{Invoker: inv, Routes: []Route{{Method: "GET", Path: "/{proxy+}/a", Function: "f"}}}},
		{"partial variable", Config{Invoker: inv, Routes: []Route{{Method: "GET", Path: "/a{id}", Function: "f"}}}},
		{"duplicate variable", Config{Invoker: inv, Routes: []Route{{Method: "GET", Path: "/{id}/{id}", Function: "f"}}}},
		{"no function", Config{Invoker: inv, Routes: []Route{{Method: "GET", Path: "/a"}}}},
		{"duplicate route", Config{Invoker: inv, Routes: []Route{{Method: "GET", Path: "/a", Function: "f"}, {Method: "get", Path: "/a", Function: "g"}}}},
		{"authorizer without verifier", Config{Invoker: inv, Routes: []Route{{Method: "GET", Path: "/a", Function: "f", Authorizer: auth}}}},
		{"authorizer without issuer", Config{Invoker: inv, Routes: []Route{{Method: "GET", Path: "/a", Function: "f", Authorizer: &JWTAuthorizer{Name: "x"}}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.cfg); err == nil {
				t.Error("New accepted an invalid config")
			}
		})
	}
}
