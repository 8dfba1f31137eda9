package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/ddbtest"
	"github.com/calltaxi/call-taxi/shared/lambdamux"
)

var mypageRoutes = []string{"GET /mypages", "GET /mypages/{orderId}"}

// newFuzzHandlers is the whole function on one embedded DynamoDB, with testCustomer's booking testOrderID.
func newFuzzHandlers(f *testing.F) lambdamux.Handlers {
	client := ddbtest.New(f, ddbtest.Table{
		Name: testTable, Hash: "orderId",
		Indexes: []ddbtest.Index{{Name: CustomerIndex, Hash: "customerId", Range: "createdAt"}},
	})
	store := NewDynamoStore(client, testTable)
	if _, err := NewService(store).Project(context.Background(), orderRec(2, "PAID", 1), at(1)); err != nil {
		f.Fatalf("seed: %v", err)
	}
	return NewHandlers(store, quietLogger())
}

// FuzzMyPageAPI sends any request to every mypage route of the whole function.
func FuzzMyPageAPI(f *testing.F) {
	handlers := newFuzzHandlers(f)
	addSampleSeeds(f, "mypage", mypageRoutes)
	for _, in := range []apiInput{
		{route: 0, query: "limit=1", sub: testCustomer, groups: "[customers]"},
		{route: 0, query: "limit=-1", sub: testCustomer, groups: "[customers]"},
		{route: 0, query: "limit=1e3", sub: "mgr", groups: "[managers]"},
		{route: 1, id: testOrderID, sub: testCustomer, groups: "[customers]"},
		{route: 1, id: testOrderID, sub: "someone-else", groups: "[customers]"},
		{route: 1, id: strings.Repeat("0", 129), sub: testCustomer, groups: "[customers]"},
	} {
		in.add(f)
	}
	f.Fuzz(func(t *testing.T, route uint8, id, body string, base64 bool, query, headers, sub, groups string) {
		in := apiInput{route: route, id: id, body: body, base64: base64, query: query, headers: headers, sub: sub, groups: groups}
		checkAPI(t, handlers, in.request(mypageRoutes))
	})
}

// FuzzMyPageStream feeds any Orders/Payments/Reservations stream image to the projection.
func FuzzMyPageStream(f *testing.F) {
	handlers := newFuzzHandlers(f)
	names, newImages, oldImages := streamSeeds(f, "mypage")
	for i := range names {
		f.Add(names[i], newImages[i], oldImages[i])
	}
	for _, img := range []string{
		`{"entity":{"S":"order"},"id":{"S":"o-2"},"customerId":{"S":""},"status":{"S":"PAID"},"version":{"N":"1"}}`,
		`{"entity":{"S":"payment"},"orderId":{"S":"o-3"},"customerId":{"S":"c"},"status":{"S":"APPROVED"},"version":{"N":"x"}}`,
		`{"entity":{"S":"reservation"},"orderId":{"S":"o-4"},"customerId":{"S":"c"},"status":{"S":"CONFIRMED"},"version":{"N":"99999999999999999999"},"updatedAt":{"S":"not a time"}}`,
		`{"entity":{"S":"order"},"id":{"S":1}}`, `{"entity":{"N":"1"}}`, `{}`,
	} {
		f.Add(uint8(0), []byte(img), []byte(nil))
	}
	f.Fuzz(func(t *testing.T, name uint8, newImage, oldImage []byte) {
		if ev, ok := streamEvent(name, newImage, oldImage); ok {
			checkStream(t, handlers, ev)
		}
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

var streamEventNames = []string{"INSERT", "MODIFY", "REMOVE"}

// streamSample is the part of a stream sample the seeds take: each record's name and raw images.
type streamSample struct {
	Records []struct {
		EventName string `json:"eventName"`
		DynamoDB  struct {
			NewImage json.RawMessage `json:"NewImage"`
			OldImage json.RawMessage `json:"OldImage"`
		} `json:"dynamodb"`
	} `json:"Records"`
}

// streamSeeds returns the records of the stream samples events/<prefix>-*stream.json.
func streamSeeds(f *testing.F, prefix string) (names []uint8, newImages, oldImages [][]byte) {
	files, _ := filepath.Glob("../../events/" + prefix + "-*stream.json")
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var sample streamSample
		if err := json.Unmarshal(raw, &sample); err != nil {
			f.Fatalf("%s: %v", file, err)
		}
		for _, rec := range sample.Records {
			names = append(names, uint8(max(0, slices.Index(streamEventNames, rec.EventName))))
			newImages = append(newImages, rec.DynamoDB.NewImage)
			oldImages = append(oldImages, rec.DynamoDB.OldImage)
		}
	}
	if len(names) == 0 {
		f.Fatalf("no %s stream samples", prefix)
	}
	return names, newImages, oldImages
}

// streamEvent decodes a one-record batch the way Lambda's runtime would; ok is false when the images are
// not even JSON of attribute values (Lambda would never deliver that).
func streamEvent(name uint8, newImage, oldImage []byte) (events.DynamoDBEvent, bool) {
	change := map[string]any{"SequenceNumber": "100", "StreamViewType": "NEW_AND_OLD_IMAGES"}
	if len(newImage) > 0 {
		change["NewImage"] = json.RawMessage(newImage)
	}
	if len(oldImage) > 0 {
		change["OldImage"] = json.RawMessage(oldImage)
	}
	rec := map[string]any{"eventName": streamEventNames[int(name)%len(streamEventNames)], "eventSource": "aws:dynamodb", "dynamodb": change}
	raw, err := json.Marshal(map[string]any{"Records": []any{rec}})
	if err != nil {
		return events.DynamoDBEvent{}, false
	}
	var ev events.DynamoDBEvent
	if json.Unmarshal(raw, &ev) != nil {
		return events.DynamoDBEvent{}, false
	}
	return ev, true
}

// checkStream runs the stream handler: it must not panic, and must not fail the invocation (a function
// error retries the whole batch); record-level failures are reported in the response instead.
func checkStream(t *testing.T, handlers lambdamux.Handlers, ev events.DynamoDBEvent) {
	t.Helper()
	resp, err := handlers.Stream(context.Background(), ev)
	if err != nil {
		t.Fatalf("stream handler error: %v", err)
	}
	if resp.BatchItemFailures == nil {
		t.Fatal("response without a batchItemFailures list")
	}
}
