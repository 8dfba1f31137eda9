package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/bus/bustest"
	"github.com/calltaxi/call-taxi/shared/ddbtest"
	"github.com/calltaxi/call-taxi/shared/lambdamux"
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/metrics"
)

var paymentRoutes = []string{"GET /paymentHistories"}

// FuzzPaymentAPI sends any request to the payment history route of the whole function.
func FuzzPaymentAPI(f *testing.F) {
	db := ddbtest.New(f, ddbtest.Table{Name: paymentsTable, Hash: "id", Indexes: []ddbtest.Index{{Name: "orderId-index", Hash: "orderId"}}})
	store := NewDynamoStore(db, paymentsTable)
	svc := NewService(store, &SimulatedGateway{}, &bustest.Recorder{}, metrics.New(io.Discard, "payment"))
	handlers := NewHandlers(svc, logging.New(io.Discard, "ERROR"))
	cmd := ChargeCommand{OrderID: "o-fuzz", CustomerID: "alice", OrderType: "basic", Amount: 3800, CardNo: testCard}
	if err := store.Create(context.Background(), NewPayment(cmd, "corr", time.Now())); err != nil {
		f.Fatalf("seed: %v", err)
	}

	addSampleSeeds(f, "payment", paymentRoutes)
	for _, in := range []apiInput{
		{query: "orderId=o-fuzz", sub: "alice", groups: "[customers]"},
		{query: "orderId=o-fuzz", sub: "bob", groups: "[customers]"},
		{query: "orderId=o-fuzz", sub: "mgr", groups: "[managers]"},
		{query: "orderId=o-fuzz", sub: "drv", groups: "[drivers]"},
		{query: "orderId=" + strings.Repeat("9", 300), sub: "alice", groups: "[customers]"},
		{query: "orderId=%00&orderId=", sub: "alice", groups: "customers,managers"},
		{query: "orderId=o-fuzz", groups: "[customers]"},
	} {
		in.add(f)
	}
	f.Fuzz(func(t *testing.T, route uint8, id, body string, base64 bool, query, headers, sub, groups string) {
		in := apiInput{route: route, id: id, body: body, base64: base64, query: query, headers: headers, sub: sub, groups: groups}
		checkAPI(t, handlers, in.request(paymentRoutes))
	})
}

// The helpers below are the same in every function's fuzz_test.go (each function is its own main package).

// apiInput is one fuzzed HTTP API request: the route is picked by index, the rest is free text.
type apiInput struct {
	route                       uint8
	id, body                    string
	base64                      bool
	query, headers, sub, groups string
}

func (in apiInput) add(f *testing.F) {
	f.Add(in.route, in.id, in.body, in.base64, in.query, in.headers, in.sub, in.groups)
}

// request renders the input as API Gateway would deliver it: query "k=v&k=v", headers "name: value" lines,
// claims only when there is a subject or groups (else the request has no authorizer context).
func (in apiInput) request(routes []string) events.APIGatewayV2HTTPRequest {
	key := routes[int(in.route)%len(routes)]
	req := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: key, Body: in.body, IsBase64Encoded: in.base64,
		Headers: pairs(in.headers, "\n", ":"), QueryStringParameters: pairs(in.query, "&", "="),
	}
	req.RequestContext.RequestID = "req-fuzz"
	req.RequestContext.RouteKey = key
	if open, end := strings.Index(key, "{"), strings.Index(key, "}"); open >= 0 && end > open && in.id != "" {
		req.PathParameters = map[string]string{key[open+1 : end]: in.id}
	}
	if in.sub != "" || in.groups != "" {
		req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
				Claims: map[string]string{"sub": in.sub, "cognito:groups": in.groups},
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

// addSampleSeeds adds the function's `sam local invoke` samples (events/<prefix>-*.json) for its routes.
func addSampleSeeds(f *testing.F, prefix string, routes []string) {
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
		in := apiInput{route: uint8(slices.Index(routes, req.RouteKey)), body: req.Body, base64: req.IsBase64Encoded}
		for _, v := range req.PathParameters {
			in.id = v
		}
		var query, headers []string
		for k, v := range req.QueryStringParameters {
			query = append(query, k+"="+v)
		}
		for k, v := range req.Headers {
			headers = append(headers, k+": "+v)
		}
		in.query, in.headers = strings.Join(query, "&"), strings.Join(headers, "\n")
		if a := req.RequestContext.Authorizer; a != nil && a.JWT != nil {
			in.sub, in.groups = a.JWT.Claims["sub"], a.JWT.Claims["cognito:groups"]
		}
		in.add(f)
	}
}

// checkAPI sends the request through the function's top-level Lambda handler and checks what any input
// must get: no error to Lambda, never a 5xx, a JSON body, and the error envelope on a 4xx.
func checkAPI(t *testing.T, handlers lambdamux.Handlers, req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
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
