package apigw

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/xray"
)

// Gateway is one HTTP API; it is an http.Handler.
type Gateway struct {
	cfg          Config
	routes       []*compiledRoute
	defaultRoute *compiledRoute
	logger       *slog.Logger
}

// New validates the routes (methods, {param} and final {proxy+} segments, unique route keys)
// and returns the gateway.
func New(cfg Config) (*Gateway, error) {
	if cfg.Invoker == nil {
		return nil, fmt.Errorf("apigw: invoker is required")
	}
	if cfg.Stage == "" {
		cfg.Stage = defaultStage
	}
	if cfg.APIID == "" {
		cfg.APIID = defaultAPIID
	}
	if cfg.AccountID == "" {
		cfg.AccountID = defaultAccountID
	}
	if cfg.IntegrationTimeout <= 0 {
		cfg.IntegrationTimeout = defaultIntegrationTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	g := &Gateway{cfg: cfg, logger: cfg.Logger.With("component", "apigw")}
	keys := map[string]bool{}
	for _, r := range cfg.Routes {
		compiled, err := compileRoute(r)
		if err != nil {
			return nil, fmt.Errorf("apigw: %w", err)
		}
		if r.Authorizer != nil && cfg.Verifier == nil {
			return nil, fmt.Errorf("apigw: route %s has an authorizer but no verifier is configured", compiled.key)
		}
		if keys[compiled.key] {
			return nil, fmt.Errorf("apigw: duplicate route %s", compiled.key)
		}
		keys[compiled.key] = true
		if compiled.key == defaultRouteKey {
			g.defaultRoute = compiled
		} else {
			g.routes = append(g.routes, compiled)
		}
	}
	return g, nil
}

// ServeHTTP handles one request as API Gateway would: CORS preflight, route selection, JWT
// authorization, the Lambda proxy integration and the response mapping.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	requestID := newRequestID()
	w.Header().Set("Apigw-Requestid", requestID)
	g.applyCORS(w, r)
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	routeKey := g.serve(rec, r, requestID, start)
	g.logger.Info("request", "method", r.Method, "path", r.URL.Path, "routeKey", routeKey,
		"status", rec.status, "ms", time.Since(start).Milliseconds(), "requestId", requestID)
}

func (g *Gateway) serve(w http.ResponseWriter, r *http.Request, requestID string, start time.Time) string {
	if g.isPreflight(r) {
		g.answerPreflight(w, r)
		return "preflight"
	}
	path, ok := g.stagePath(r.URL.EscapedPath())
	if !ok {
		writeMessage(w, http.StatusNotFound, "Not Found")
		return ""
	}
	route, params := g.selectRoute(r.Method, path)
	if route == nil {
		// HTTP APIs answer 404 {"message":"Not Found"} both for an unknown path and for a known
		// path without a route for this method (there is no 405).
		writeMessage(w, http.StatusNotFound, "Not Found")
		return ""
	}
	if r.ContentLength > maxRequestBody {
		writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return route.key
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		writeMessage(w, http.StatusBadRequest, "Bad Request")
		return route.key
	}
	if len(body) > maxRequestBody {
		writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return route.key
	}
	var jwt *jwtContext
	if route.Authorizer != nil {
		jwt, err = g.authorize(r, route.Authorizer)
		if err != nil {
			writeUnauthorized(w, err)
			return route.key
		}
	}
	event := g.buildEvent(r, route, params, body, jwt, requestID, start)
	// A caller's trace header follows the request into the function, so its AWS calls can be told apart.
	g.integrate(w, xray.WithTrace(r.Context(), r.Header.Get("X-Amzn-Trace-Id")), route, event)
	return route.key
}

// stagePath strips the stage prefix from the path; the $default stage has none.
func (g *Gateway) stagePath(escapedPath string) (string, bool) {
	if g.cfg.Stage == defaultStage {
		return escapedPath, true
	}
	prefix := "/" + g.cfg.Stage
	if escapedPath == prefix {
		return "/", true
	}
	if rest, ok := strings.CutPrefix(escapedPath, prefix+"/"); ok {
		return "/" + rest, true
	}
	return "", false
}

// selectRoute picks the most specific matching route, then falls back to $default.
func (g *Gateway) selectRoute(method, escapedPath string) (*compiledRoute, map[string]string) {
	segments := splitPath(escapedPath)
	var best *compiledRoute
	var bestParams map[string]string
	for _, route := range g.routes {
		if route.method != "ANY" && route.method != method {
			continue
		}
		params, ok := route.match(segments)
		if !ok {
			continue
		}
		if best == nil || moreSpecific(route, best) {
			best, bestParams = route, params
		}
	}
	if best == nil && g.defaultRoute != nil {
		return g.defaultRoute, nil
	}
	return best, bestParams
}

// integrate invokes the function and writes its mapped response. Failures follow API Gateway:
// any invoke failure (function error, crash, Lambda timeout, throttle, missing function) is
// 500 {"message":"Internal Server Error"}; exceeding the integration timeout is
// 503 {"message":"Service Unavailable"}, which is what HTTP APIs return for it (REST APIs say 504).
func (g *Gateway) integrate(w http.ResponseWriter, parent context.Context, route *compiledRoute, event any) {
	payload, err := json.Marshal(event)
	if err != nil {
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	ctx, cancel := context.WithTimeout(parent, g.cfg.IntegrationTimeout)
	defer cancel()
	out, err := g.cfg.Invoker.Invoke(ctx, route.Function, payload)
	switch {
	case err == nil:
	case parent.Err() != nil:
		return // the client went away; nobody to answer
	case errors.Is(err, context.DeadlineExceeded):
		g.logger.Warn("integration timeout", "routeKey", route.key, "function", route.Function)
		writeMessage(w, http.StatusServiceUnavailable, "Service Unavailable")
		return
	default:
		g.logger.Warn("integration failed", "routeKey", route.key, "function", route.Function, "error", err.Error())
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	if err := writeFunctionResponse(w, out, g.cfg.CORS != nil); err != nil {
		g.logger.Warn("malformed lambda response", "routeKey", route.key, "function", route.Function, "error", err.Error())
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(status int) {
	s.status = status
	s.ResponseWriter.WriteHeader(status)
}
