// Package apigw emulates an API Gateway HTTP API with Lambda proxy integrations (payload format
// 2.0), JWT authorizers and CORS, in front of any Invoker (the local Lambda service).
package apigw

import (
	"context"
	"log/slog"
	"time"
)

// Invoker runs a function synchronously; lambdaemu.Service satisfies it.
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) ([]byte, error)
}

// Verifier checks a JWT and returns its claims; jwtlocal.Issuer satisfies it.
type Verifier interface {
	Verify(token, issuer string, audiences []string) (map[string]any, error)
}

// JWTAuthorizer is an HTTP API JWT authorizer.
type JWTAuthorizer struct {
	Name           string
	Issuer         string
	Audiences      []string
	IdentitySource string // default "$request.header.Authorization"
}

// Route is one route: Method is an HTTP method or ANY; Path may hold {param} segments and a final
// greedy {name+}; Path "$default" is the catch-all route.
type Route struct {
	Method     string
	Path       string
	Function   string
	Authorizer *JWTAuthorizer // nil = NONE
}

// CORS is the API's CORS configuration; when set the gateway answers preflight requests itself
// and replaces CORS headers returned by functions, as API Gateway does.
type CORS struct {
	AllowOrigins     []string
	AllowMethods     []string
	AllowHeaders     []string
	ExposeHeaders    []string
	MaxAge           int
	AllowCredentials bool
}

// Config describes one HTTP API.
type Config struct {
	Routes   []Route
	CORS     *CORS
	Invoker  Invoker
	Verifier Verifier // required when a route has an authorizer
	Stage    string   // "$default" (no path prefix) or a stage name that prefixes every path
	Logger   *slog.Logger

	APIID     string // requestContext.apiId; default "local"
	AccountID string // requestContext.accountId; default 123456789012
	// IntegrationTimeout is how long the gateway waits for a function; HTTP APIs allow at most 30 s.
	IntegrationTimeout time.Duration
}

const (
	defaultStage              = "$default"
	defaultAPIID              = "local"
	defaultAccountID          = "123456789012"
	defaultIntegrationTimeout = 30 * time.Second
	defaultIdentitySource     = "$request.header.Authorization"
	maxRequestBody            = 10 << 20 // HTTP API payload quota: 10 MB
)
