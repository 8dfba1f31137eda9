package auth

import (
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/apperr"
)

func request(claims map[string]string) events.APIGatewayV2HTTPRequest {
	var req events.APIGatewayV2HTTPRequest
	if claims != nil {
		req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
		}
	}
	return req
}

func TestFromRequest(t *testing.T) {
	tests := []struct {
		name     string
		claims   map[string]string
		want     Identity
		wantKind apperr.Kind
	}{
		{"http api array form", map[string]string{"sub": "u1", "cognito:groups": "[customers managers]"}, Identity{"u1", []string{"customers", "managers"}}, -1},
		{"json array", map[string]string{"sub": "u1", "cognito:groups": `["drivers"]`}, Identity{"u1", []string{"drivers"}}, -1},
		{"comma list", map[string]string{"sub": "u1", "cognito:groups": "customers,drivers"}, Identity{"u1", []string{"customers", "drivers"}}, -1},
		{"no groups", map[string]string{"sub": "u1"}, Identity{Subject: "u1"}, -1},
		{"no subject", map[string]string{"cognito:groups": "[customers]"}, Identity{}, apperr.KindUnauthorized},
		{"no authorizer", nil, Identity{}, apperr.KindUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromRequest(request(tt.claims))
			if tt.wantKind >= 0 {
				if apperr.KindOf(err) != tt.wantKind {
					t.Fatalf("err = %v, want kind %v", err, tt.wantKind)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestRequire(t *testing.T) {
	id := Identity{Subject: "u", Groups: []string{RoleDriver}}
	if err := id.Require(RoleDriver); err != nil {
		t.Errorf("driver Require(driver) = %v", err)
	}
	if err := id.Require(RoleManager, RoleCustomer); apperr.KindOf(err) != apperr.KindForbidden {
		t.Errorf("driver Require(manager, customer) = %v, want forbidden", err)
	}
}

func TestOwner(t *testing.T) {
	tests := []struct {
		id   Identity
		want string
	}{
		{Identity{Subject: "alice", Groups: []string{RoleCustomer}}, "alice"},
		{Identity{Subject: "mgr", Groups: []string{RoleManager}}, ""},
		{Identity{Subject: "both", Groups: []string{RoleCustomer, RoleManager}}, ""},
	}
	for _, tt := range tests {
		if got := tt.id.Owner(RoleManager); got != tt.want {
			t.Errorf("%+v.Owner(manager) = %q, want %q", tt.id, got, tt.want)
		}
	}
}
