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

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/bus/bustest"
	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/ddbtest"
	"github.com/calltaxi/call-taxi/shared/lambdamux"
	"github.com/calltaxi/call-taxi/shared/logging"
)

var (
	reservationRoutes = []string{"GET /reservations", "GET /reservations/{id}", "POST /reservations/{id}/confirm"}
	reservationEvents = []string{
		contracts.NamePaymentApproved, contracts.NameOrderCanceled, contracts.NameTaxiAssigned,
		contracts.NameTaxiAssignmentRejected, contracts.NameTaxiReleased,
	}
)

// newFuzzHandlers is the whole function on one embedded DynamoDB, with a REQUESTED reservation rsv-o-fuzz.
func newFuzzHandlers(f *testing.F) lambdamux.Handlers {
	client := ddbtest.New(f, ddbtest.Table{Name: testTable, Hash: "id", Indexes: []ddbtest.Index{{Name: statusIndex, Hash: "status", Range: "createdAt"}}})
	service := NewService(NewDynamoStore(client, testTable), &bustest.Recorder{})
	logger := logging.New(io.Discard, "ERROR")
	ctx := logging.With(context.Background(), logger, "", "")
	if err := service.PaymentApproved(ctx, &contracts.PaymentApproved{OrderID: "o-fuzz", CustomerID: "alice", OrderType: "prime"}); err != nil {
		f.Fatalf("seed: %v", err)
	}
	return newHandlers(service, logger)
}

// FuzzReservationAPI sends any request to every reservation route of the whole function.
func FuzzReservationAPI(f *testing.F) {
	handlers := newFuzzHandlers(f)
	addSampleSeeds(f, "reservation", reservationRoutes)
	const manager = "[managers]"
	for _, in := range []apiInput{
		{route: 0, query: "status=ASSIGNING&limit=5", sub: "mgr", groups: manager},
		{route: 0, query: "status=requested&limit=0", sub: "mgr", groups: manager},
		{route: 0, query: "limit=99999999999999999999", sub: "mgr", groups: manager},
		{route: 0, sub: "alice", groups: "[customers]"},
		{route: 1, id: "rsv-o-fuzz", sub: "mgr", groups: manager},
		{route: 1, id: "rsv-missing", sub: "mgr", groups: `["managers"]`},
		{route: 2, id: "rsv-o-fuzz", body: `{"taxiId":"taxi-1"}`, sub: "mgr", groups: manager},
		{route: 2, id: "rsv-o-fuzz", body: `{"taxiId":"   "}`, sub: "mgr", groups: manager},
		{route: 2, id: "rsv-o-fuzz", body: `{"taxiId":"` + strings.Repeat("t", 129) + `"}`, sub: "mgr", groups: manager},
		{route: 2, id: "rsv-missing", body: `{"taxiId":1}`, sub: "mgr", groups: manager},
		{route: 2, id: "rsv-o-fuzz", body: `{"taxiId":"taxi-1"}`, sub: "drv", groups: "[drivers]"},
	} {
		in.add(f)
	}
	f.Fuzz(func(t *testing.T, route uint8, id, body string, base64 bool, query, headers, sub, groups string) {
		in := apiInput{route: route, id: id, body: body, base64: base64, query: query, headers: headers, sub: sub, groups: groups}
		checkAPI(t, handlers, in.request(reservationRoutes))
	})
}

// FuzzReservationEvents feeds any detail to each consumed event: the handler returns nil or an error
// (a panic would crash the function and redeliver the event forever).
func FuzzReservationEvents(f *testing.F) {
	handlers := newFuzzHandlers(f)
	addEventSeeds(f, "reservation", reservationEvents)
	f.Add(uint8(2), []byte(`{"reservationId":"rsv-o-fuzz","taxiId":"taxi-1","taxiName":"T","attempt":1}`))
	f.Add(uint8(3), []byte(`{"reservationId":"rsv-o-fuzz","taxiId":"taxi-1","attempt":99999999999,"reason":"x"}`))
	f.Add(uint8(1), []byte(`{"orderId":"o-fuzz","customerId":"alice"}`))
	f.Fuzz(func(t *testing.T, name uint8, detail []byte) {
		checkEvent(t, handlers, eventFor(reservationEvents, name, detail), reservationEvents)
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

// addEventSeeds adds the function's EventBridge samples (events/<prefix>-*.json) and a few broken details
// of each event it consumes.
func addEventSeeds(f *testing.F, prefix string, names []string) {
	files, _ := filepath.Glob("../../events/" + prefix + "-*.json")
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var ev events.EventBridgeEvent
		if json.Unmarshal(raw, &ev) != nil || !slices.Contains(names, ev.DetailType) {
			continue
		}
		f.Add(uint8(slices.Index(names, ev.DetailType)), []byte(ev.Detail))
	}
	for i := range names {
		for _, detail := range []string{`{}`, `null`, `[]`, `"x"`, `{"reservationId":1}`, `{"orderId":"","reservationId":"","attempt":-1}`, `{`} {
			f.Add(uint8(i), []byte(detail))
		}
	}
}

// eventFor builds the EventBridge event; the index past the consumed names is an event nobody consumes.
func eventFor(names []string, name uint8, detail []byte) events.EventBridgeEvent {
	detailType := "SomethingElse"
	if i := int(name) % (len(names) + 1); i < len(names) {
		detailType = names[i]
	}
	return events.EventBridgeEvent{Version: "0", ID: "evt-fuzz", DetailType: detailType, Source: "calltaxi.fuzz", Detail: detail}
}

// checkEvent runs the consumer: an undecodable detail or an event the function does not consume is
// acknowledged (retrying a poison event can never succeed); a panic fails the fuzz run by itself.
func checkEvent(t *testing.T, handlers lambdamux.Handlers, ev events.EventBridgeEvent, consumed []string) {
	t.Helper()
	err := handlers.EventBridge(context.Background(), ev)
	if err != nil && (!json.Valid(ev.Detail) || !slices.Contains(consumed, ev.DetailType)) {
		t.Fatalf("%s %q: poison event not acknowledged: %v", ev.DetailType, ev.Detail, err)
	}
}
