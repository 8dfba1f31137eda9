package apigw

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/calltaxi/call-taxi/localcloud/internal/jwtlocal"
)

func TestJWTAuthorizer(t *testing.T) {
	iss := newIssuer(t)
	other := newIssuer(t)
	mint := func(i *jwtlocal.Issuer, issuer, audience string) string {
		tok, err := i.Mint(jwtlocal.MintRequest{Issuer: issuer, Audience: audience, Subject: "u-1", Groups: []string{"drivers"}})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	good := mint(iss, testIssuer, testAudience)
	tests := []struct {
		name          string
		header        string
		value         string
		wantStatus    int
		wantChallenge string
	}{
		{"bearer token", "Authorization", "Bearer " + good, http.StatusOK, ""},
		{"lower-case bearer", "Authorization", "bearer " + good, http.StatusOK, ""},
		{"token without prefix", "Authorization", good, http.StatusOK, ""},
		{"missing header", "", "", http.StatusUnauthorized, "Bearer"},
		{"empty bearer", "Authorization", "Bearer ", http.StatusUnauthorized, "Bearer"},
		{"garbage", "Authorization", "Bearer not.a.jwt", http.StatusUnauthorized, `error="invalid_token"`},
		{"wrong issuer", "Authorization", "Bearer " + mint(iss, "https://elsewhere", testAudience), http.StatusUnauthorized, `error="invalid_token"`},
		{"wrong audience", "Authorization", "Bearer " + mint(iss, testIssuer, "another-client"), http.StatusUnauthorized, `error="invalid_token"`},
		{"signed by another key", "Authorization", "Bearer " + mint(other, testIssuer, testAudience), http.StatusUnauthorized, `error="invalid_token"`},
		{"token in another header", "X-Token", good, http.StatusUnauthorized, "Bearer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv := &fakeInvoker{}
			g := newGateway(t, Config{Invoker: inv, Verifier: iss, Routes: []Route{{
				Method: "GET", Path: "/mypages", Function: "mypage",
				Authorizer: &JWTAuthorizer{Name: "cognito", Issuer: testIssuer, Audiences: []string{testAudience}},
			}}})
			req := httptest.NewRequest("GET", "/mypages", nil)
			if tc.header != "" {
				req.Header.Set(tc.header, tc.value)
			}
			rec := httptest.NewRecorder()
			g.ServeHTTP(rec, req)
			if rec.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d (%s)", rec.Code, tc.wantStatus, rec.Body)
			}
			if tc.wantStatus == http.StatusOK {
				if got := inv.only(t).event.RequestContext.Authorizer.JWT.Claims["cognito:groups"]; got != "[drivers]" {
					t.Errorf("cognito:groups claim = %q", got)
				}
				return
			}
			if inv.count() != 0 {
				t.Error("function ran for an unauthorized request")
			}
			if decodeMessage(t, rec.Body.Bytes()) != "Unauthorized" {
				t.Errorf("body = %s", rec.Body)
			}
			if got := rec.Header().Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") || !strings.Contains(got, tc.wantChallenge) {
				t.Errorf("WWW-Authenticate = %q, want it to contain %q", got, tc.wantChallenge)
			}
		})
	}
}

func TestCustomIdentitySource(t *testing.T) {
	iss := newIssuer(t)
	tok, err := iss.Mint(jwtlocal.MintRequest{Issuer: testIssuer, Subject: "u"})
	if err != nil {
		t.Fatal(err)
	}
	inv := &fakeInvoker{}
	g := newGateway(t, Config{Invoker: inv, Verifier: iss, Routes: []Route{{
		Method: "GET", Path: "/a", Function: "f",
		Authorizer: &JWTAuthorizer{Issuer: testIssuer, IdentitySource: "$request.header.X-Id-Token"},
	}}})
	req := httptest.NewRequest("GET", "/a", nil)
	req.Header.Set("X-Id-Token", tok)
	rec := httptest.NewRecorder()
	g.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || inv.only(t).event.RequestContext.Authorizer.JWT.Claims["sub"] != "u" {
		t.Errorf("status %d", rec.Code)
	}
}
