package apigw

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/http/httptest"

	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/jwtlocal"
)

const (
	testIssuer   = "http://127.0.0.1:4566/local_pool"
	testAudience = "local-client"
)

func newIssuer(t *testing.T) *jwtlocal.Issuer {
	t.Helper()
	iss, err := jwtlocal.NewIssuer("")
	if err != nil {
		t.Fatal(err)
	}
	return iss
}

func TestEventShape(t *testing.T) {
	iss := newIssuer(t)
	inv := &fakeInvoker{}
	g := newGateway(t, Config{Invoker: inv, Verifier: iss, APIID: "api123", Routes: []Route{{
		Method: "POST", Path: "/orders/{id}/cancel", Function: "order",
		Authorizer: &JWTAuthorizer{Name: "cognito", Issuer: testIssuer, Audiences: []string{testAudience}},
	}}})
	token, err := iss.Mint(jwtlocal.MintRequest{Issuer: testIssuer, Audience: testAudience, Subject: "cust-1",
		Groups: []string{"customers", "managers"}, Extra: map[string]any{"email": "c@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	claims, err := iss.Verify(token, testIssuer, nil)
	if err != nil {
		t.Fatal(err)
	}

	body := `{"reason":"changed plans"}`
	req := httptest.NewRequest("POST", "http://localhost:3000/orders/o%2D1/cancel?x=1&x=2&y=3", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "test-agent/1.0")
	req.Header.Add("X-Custom", "a")
	req.Header.Add("X-Custom", "b")
	req.Header.Set("Cookie", "session=s1; theme=dark")
	before := time.Now()
	rec := httptest.NewRecorder()
	g.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	ev := inv.only(t).event

	checks := []struct {
		field     string
		got, want any
	}{
		{"version", ev.Version, "2.0"},
		{"routeKey", ev.RouteKey, "POST /orders/{id}/cancel"},
		{"rawPath", ev.RawPath, "/orders/o%2D1/cancel"},
		{"rawQueryString", ev.RawQueryString, "x=1&x=2&y=3"},
		{"cookies", strings.Join(ev.Cookies, "|"), "session=s1|theme=dark"},
		{"header joined", ev.Headers["x-custom"], "a,b"},
		{"header lower-cased", ev.Headers["content-type"], "application/json"},
		{"host header", ev.Headers["host"], "localhost:3000"},
		{"x-forwarded-for", ev.Headers["x-forwarded-for"], "192.0.2.1"},
		{"cookie header removed", ev.Headers["cookie"], ""},
		{"query joined", ev.QueryStringParameters["x"], "1,2"},
		{"query single", ev.QueryStringParameters["y"], "3"},
		{"path parameter decoded", ev.PathParameters["id"], "o-1"},
		{"body", ev.Body, body},
		{"isBase64Encoded", ev.IsBase64Encoded, false},
		{"accountId", ev.RequestContext.AccountID, "123456789012"},
		{"apiId", ev.RequestContext.APIID, "api123"},
		{"domainName", ev.RequestContext.DomainName, "localhost"},
		{"domainPrefix", ev.RequestContext.DomainPrefix, "localhost"},
		{"stage", ev.RequestContext.Stage, "$default"},
		{"context routeKey", ev.RequestContext.RouteKey, "POST /orders/{id}/cancel"},
		{"requestId", ev.RequestContext.RequestID, rec.Header().Get("Apigw-Requestid")},
		{"http.method", ev.RequestContext.HTTP.Method, "POST"},
		{"http.path", ev.RequestContext.HTTP.Path, "/orders/o%2D1/cancel"},
		{"http.protocol", ev.RequestContext.HTTP.Protocol, "HTTP/1.1"},
		{"http.sourceIp", ev.RequestContext.HTTP.SourceIP, "192.0.2.1"},
		{"http.userAgent", ev.RequestContext.HTTP.UserAgent, "test-agent/1.0"},
		{"claim sub", ev.RequestContext.Authorizer.JWT.Claims["sub"], "cust-1"},
		{"claim groups", ev.RequestContext.Authorizer.JWT.Claims["cognito:groups"], "[customers managers]"},
		{"claim exp", ev.RequestContext.Authorizer.JWT.Claims["exp"], strconv.FormatInt(int64(claims["exp"].(float64)), 10)},
		{"claim token_use", ev.RequestContext.Authorizer.JWT.Claims["token_use"], "id"},
		{"claim email", ev.RequestContext.Authorizer.JWT.Claims["email"], "c@example.com"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %#v, want %#v", c.field, c.got, c.want)
		}
	}
	if ev.RequestContext.RequestID == "" {
		t.Error("empty requestId")
	}
	at, err := time.Parse("02/Jan/2006:15:04:05 -0700", ev.RequestContext.Time)
	if err != nil || at.Before(before.Add(-time.Second)) || at.After(time.Now().Add(time.Second)) {
		t.Errorf("time = %q (%v)", ev.RequestContext.Time, err)
	}
	if d := ev.RequestContext.TimeEpoch - before.UnixMilli(); d < 0 || d > 5000 {
		t.Errorf("timeEpoch = %d, request at %d", ev.RequestContext.TimeEpoch, before.UnixMilli())
	}
}

func TestEventWithoutQueryOrAuthorizerOmitsThem(t *testing.T) {
	inv := &fakeInvoker{}
	g := newGateway(t, Config{Invoker: inv, Routes: []Route{{Method: "GET", Path: "/taxis", Function: "taxi"}}})
	g.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/taxis", nil))
	ev := inv.only(t).event
	if ev.QueryStringParameters != nil || ev.PathParameters != nil || ev.Cookies != nil || ev.RequestContext.Authorizer != nil || ev.Body != "" {
		t.Errorf("event has unexpected parts: %+v", ev)
	}
}

func TestBodyEncoding(t *testing.T) {
	binary := []byte{0x89, 'P', 'N', 'G', 0x00, 0xff, 0xfe}
	tests := []struct {
		contentType string
		body        []byte
		wantBase64  bool
	}{
		{"application/json", []byte(`{"a":1}`), false},
		{"application/json; charset=utf-8", []byte(`{"a":1}`), false},
		{"application/vnd.api+json", []byte(`{"a":1}`), false},
		{"text/plain", []byte("hello"), false},
		{"application/xml", []byte("<a/>"), false},
		{"application/x-www-form-urlencoded", []byte("a=1&b=2"), false},
		{"image/png", binary, true},
		{"application/octet-stream", []byte("looks like text"), true},
		{"", []byte(`{"a":1}`), false},
		{"", binary, true},
	}
	for _, tc := range tests {
		t.Run(tc.contentType, func(t *testing.T) {
			inv := &fakeInvoker{}
			g := newGateway(t, Config{Invoker: inv, Routes: []Route{{Method: "POST", Path: "/upload", Function: "f"}}})
			req := httptest.NewRequest("POST", "/upload", bytes.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			g.ServeHTTP(httptest.NewRecorder(), req)
			ev := inv.only(t).event
			if ev.IsBase64Encoded != tc.wantBase64 {
				t.Fatalf("isBase64Encoded = %v, want %v", ev.IsBase64Encoded, tc.wantBase64)
			}
			got := []byte(ev.Body)
			if tc.wantBase64 {
				var err error
				if got, err = base64.StdEncoding.DecodeString(ev.Body); err != nil {
					t.Fatalf("body is not base64: %v", err)
				}
			}
			if !bytes.Equal(got, tc.body) {
				t.Errorf("body = %q, want %q", got, tc.body)
			}
		})
	}
}

func TestBodyOverTenMegabytesIsRejected(t *testing.T) {
	inv := &fakeInvoker{}
	g := newGateway(t, Config{Invoker: inv, Routes: []Route{{Method: "POST", Path: "/upload", Function: "f"}}})
	tooBig := make([]byte, maxRequestBody+1)
	tests := []struct {
		name          string
		contentLength int64
	}{
		{"declared length", int64(len(tooBig))},
		{"chunked, length unknown", -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/upload", bytes.NewReader(tooBig))
			req.ContentLength = tc.contentLength
			rec := httptest.NewRecorder()
			g.ServeHTTP(rec, req)
			if rec.Code != http.StatusRequestEntityTooLarge {
				t.Errorf("status %d, want 413", rec.Code)
			}
		})
	}
	if inv.count() != 0 {
		t.Errorf("a function ran for an oversized body")
	}
}

func TestClaimString(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{"plain", "plain"},
		{float64(1700000000), "1700000000"},
		{1.5, "1.5"},
		{true, "true"},
		{nil, ""},
		{[]any{"customers", "managers"}, "[customers managers]"},
		{[]any{float64(1), "x"}, "[1 x]"},
		{map[string]any{"b": "2", "a": float64(1)}, "map[a:1 b:2]"},
	}
	for _, tc := range tests {
		if got := claimString(tc.in); got != tc.want {
			t.Errorf("claimString(%#v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
