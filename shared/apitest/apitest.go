// Package apitest drives a function's whole Lambda handler with HTTP API requests in tests and fuzz
// targets: inputs rendered as API Gateway delivers them, and the checks every response must pass.
package apitest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// Handler is a function's top-level Lambda handler (lambdamux.Handlers).
type Handler interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// Input is one fuzzed HTTP API request: the route is picked by index, the rest is free text.
type Input struct {
	Route                       uint8
	ID, Body                    string
	Base64                      bool
	Query, Headers, Sub, Groups string
}

// Add adds the input to the fuzz corpus, in the order of Fuzz's arguments.
func (in Input) Add(f *testing.F) {
	f.Add(in.Route, in.ID, in.Body, in.Base64, in.Query, in.Headers, in.Sub, in.Groups)
}

// FromArgs is the Input of one fuzz call's arguments.
func FromArgs(route uint8, id, body string, base64 bool, query, headers, sub, groups string) Input {
	return Input{Route: route, ID: id, Body: body, Base64: base64, Query: query, Headers: headers, Sub: sub, Groups: groups}
}

// Request renders the input as API Gateway would deliver it: query "k=v&k=v", headers "name: value" lines,
// claims only when there is a subject or groups (else the request has no authorizer context).
func (in Input) Request(routes []string) events.APIGatewayV2HTTPRequest {
	key := routes[int(in.Route)%len(routes)]
	req := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: key, Body: in.Body, IsBase64Encoded: in.Base64,
		Headers: pairs(in.Headers, "\n", ":"), QueryStringParameters: pairs(in.Query, "&", "="),
	}
	req.RequestContext.RequestID = "req-fuzz"
	req.RequestContext.RouteKey = key
	if open, end := strings.Index(key, "{"), strings.Index(key, "}"); open >= 0 && end > open && in.ID != "" {
		req.PathParameters = map[string]string{key[open+1 : end]: in.ID}
	}
	if in.Sub != "" || in.Groups != "" {
		req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
				Claims: map[string]string{"sub": in.Sub, "cognito:groups": in.Groups},
			},
		}
	}
	return req
}

func pairs(raw, sep, kv string) map[string]string {
	if raw == "" {
		return nil
	}
	out := map[string]string{}
	for _, part := range strings.Split(raw, sep) {
		k, v, _ := strings.Cut(part, kv)
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out
}

// AddSampleSeeds adds the function's `sam local invoke` samples (events/<prefix>-*.json) for its routes.
func AddSampleSeeds(f *testing.F, prefix string, routes []string) {
	files, _ := filepath.Glob("../../events/" + prefix + "-*.json")
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var req events.APIGatewayV2HTTPRequest
		if json.Unmarshal(raw, &req) != nil || !slices.Contains(routes, req.RouteKey) {
			continue
		}
		in := Input{Route: uint8(slices.Index(routes, req.RouteKey)), Body: req.Body, Base64: req.IsBase64Encoded}
		for _, v := range req.PathParameters {
			in.ID = v
		}
		var query, headers []string
		for k, v := range req.QueryStringParameters {
			query = append(query, k+"="+v)
		}
		for k, v := range req.Headers {
			headers = append(headers, k+": "+v)
		}
		in.Query, in.Headers = strings.Join(query, "&"), strings.Join(headers, "\n")
		if a := req.RequestContext.Authorizer; a != nil && a.JWT != nil {
			in.Sub, in.Groups = a.JWT.Claims["sub"], a.JWT.Claims["cognito:groups"]
		}
		in.Add(f)
	}
}

// CheckAPI sends the request through the function's top-level Lambda handler and checks what any input
// must get: no error to Lambda, never a 5xx, a JSON body, and the error envelope on a 4xx.
func CheckAPI(t *testing.T, handlers Handler, req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	t.Helper()
	payload, err := json.Marshal(req)
	if err != nil {
		t.Fatalf("marshal request: %v", err)
	}
	out, err := handlers.Invoke(context.Background(), payload)
	if err != nil {
		t.Fatalf("%s: error returned to Lambda: %v", req.RouteKey, err)
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("%s: response %s: %v", req.RouteKey, out, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 500 {
		t.Fatalf("%s: status %d %s for %s", req.RouteKey, resp.StatusCode, resp.Body, payload)
	}
	if !json.Valid([]byte(resp.Body)) {
		t.Fatalf("%s: %d body is not JSON: %q", req.RouteKey, resp.StatusCode, resp.Body)
	}
	if resp.StatusCode >= 400 {
		var envelope struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if json.Unmarshal([]byte(resp.Body), &envelope) != nil || envelope.Error.Code == "" || envelope.Error.Message == "" {
			t.Fatalf("%s: %d without the error envelope: %s", req.RouteKey, resp.StatusCode, resp.Body)
		}
	}
	return resp
}
