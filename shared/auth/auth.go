// Package auth reads the caller's identity from the claims API Gateway's JWT authorizer verified.
package auth

import (
	"encoding/json"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/apperr"
)

// Roles are Cognito groups.
const (
	RoleCustomer = "customers"
	RoleManager  = "managers"
	RoleDriver   = "drivers"
)

// Identity is the authenticated caller.
type Identity struct {
	Subject string
	Groups  []string
}

// Has reports whether the caller is in the group.
func (id Identity) Has(role string) bool {
	for _, g := range id.Groups {
		if g == role {
			return true
		}
	}
	return false
}

// Require fails with 403 unless the caller is in one of the roles.
func (id Identity) Require(roles ...string) error {
	for _, r := range roles {
		if id.Has(r) {
			return nil
		}
	}
	return apperr.Forbidden("this action needs the role " + strings.Join(roles, " or "))
}

// FromRequest returns the identity in the request's JWT claims. A request without a subject did not pass
// an authorizer (a misconfigured route), which is 401, never a guess.
func FromRequest(req events.APIGatewayV2HTTPRequest) (Identity, error) {
	if req.RequestContext.Authorizer == nil || req.RequestContext.Authorizer.JWT == nil {
		return Identity{}, apperr.Unauthorized("missing authorization")
	}
	claims := req.RequestContext.Authorizer.JWT.Claims
	sub := claims["sub"]
	if sub == "" {
		return Identity{}, apperr.Unauthorized("token has no subject")
	}
	return Identity{Subject: sub, Groups: parseGroups(claims["cognito:groups"])}, nil
}

// parseGroups accepts the forms a list claim reaches a Lambda in: HTTP API renders arrays as "[a b]";
// JSON arrays and comma lists appear when tokens come from other issuers.
func parseGroups(raw string) []string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil
	}
	if strings.HasPrefix(raw, "[\"") {
		var groups []string
		if json.Unmarshal([]byte(raw), &groups) == nil {
			return groups
		}
	}
	raw = strings.TrimSuffix(strings.TrimPrefix(raw, "["), "]")
	return strings.FieldsFunc(raw, func(r rune) bool { return r == ' ' || r == ',' })
}

// Owner is the owner whose records the caller may see: "" (every owner's) when the caller has one of the
// roles that see all, else the caller's own subject. The API layer decides it; a service only filters by it.
func (id Identity) Owner(seeAll ...string) string {
	for _, r := range seeAll {
		if id.Has(r) {
			return ""
		}
	}
	return id.Subject
}
