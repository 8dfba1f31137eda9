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
	"github.com/calltaxi/call-taxi/shared/idempotency"
	"github.com/calltaxi/call-taxi/shared/lambdamux"
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/metrics"
)

var orderRoutes = []string{"GET /orders/{id}", "POST /orders", "POST /orders/{id}/cancel"}

// FuzzOrderAPI sends any request to every order route of the whole function (one embedded DynamoDB and
// a fake payment function for the run).
func FuzzOrderAPI(f *testing.F) {
	db := ddbtest.New(f,
		ddbtest.Table{Name: ordersTable, Hash: "id", Indexes: []ddbtest.Index{{Name: "customerId-createdAt-index", Hash: "customerId", Range: "createdAt"}}},
		ddbtest.Table{Name: idemTable, Hash: "key"},
	)
	store := NewDynamoStore(db, ordersTable)
	svc := NewService(store, &fakePayments{}, idempotency.New(db, idemTable, 24*time.Hour, 30*time.Second), &bustest.Recorder{}, metrics.New(io.Discard, "order"), 3800)
	handlers := NewHandlers(svc, logging.New(io.Discard, "ERROR"))
	for _, status := range []string{StatusPaid, StatusCanceled, StatusDeclined} {
		o := NewOrder("fuzz-"+status, "alice", PlaceOrderRequest{Name: "Lee", Phone: "+821099998888", OrderType: "prime"}, Fare("prime", 3800), "corr", time.Now())
		o.Status = status
		if err := store.Create(context.Background(), o); err != nil {
			f.Fatalf("seed: %v", err)
		}
	}

	addSampleSeeds(f, "order", orderRoutes)
	const customer = "[customers]"
	for _, in := range []apiInput{
		{route: 1, body: orderBody("basic", testCard), headers: "idempotency-key: k-1", sub: "alice", groups: customer},
		{route: 1, body: orderBody("platinum", declinedCard), sub: "alice", groups: customer},
		{route: 1, body: orderBody("gold", "1234"), sub: "alice", groups: customer},
		{route: 1, body: `{"name":"","phone":"010","orderType":"basic","cardNo":"4111111111111111","pickup":"a","destination":"a","extra":1}`, sub: "alice", groups: customer},
		{route: 1, body: `{"name":"a","phone":"+821012345678","orderType":"basic","cardNo":"４１１１１１１１１１１１１１１１","pickup":"` + strings.Repeat("p", 300) + `","destination":"b"}`, sub: "alice", groups: customer},
		{route: 1, body: "eyJuYW1lIjoxfQ==", base64: true, headers: "Idempotency-Key: \x01", sub: "alice", groups: `["customers"]`},
		{route: 1, body: orderBody("basic", testCard), sub: "mgr", groups: "[managers]"},
		{route: 0, id: "fuzz-PAID", sub: "alice", groups: customer},
		{route: 0, id: "fuzz-PAID", sub: "bob", groups: customer},
		{route: 0, id: "fuzz-PAID", sub: "mgr", groups: "[managers]"},
		{route: 0, id: strings.Repeat("x", 200), sub: "alice", groups: customer},
		{route: 2, id: "fuzz-PAID", body: "{}", sub: "alice", groups: customer},
		{route: 2, id: "fuzz-DECLINED", sub: "alice", groups: customer},
		{route: 2, id: "fuzz-CANCELED", sub: "alice", groups: customer},
		{route: 2, id: "fuzz-CANCELED", sub: "", groups: customer},
		{route: 2, id: "nope", body: strings.Repeat("{", 70<<10), sub: "alice", groups: customer},
	} {
		in.add(f)
	}
	f.Fuzz(func(t *testing.T, route uint8, id, body string, base64 bool, query, headers, sub, groups string) {
		in := apiInput{route: route, id: id, body: body, base64: base64, query: query, headers: headers, sub: sub, groups: groups}
		checkAPI(t, handlers, in.request(orderRoutes))
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
