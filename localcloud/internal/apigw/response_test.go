package apigw

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

func TestResponseMapping(t *testing.T) {
	png := []byte{0x89, 'P', 'N', 'G', 0x00, 0xff}
	tests := []struct {
		name        string
		output      string
		wantStatus  int
		wantBody    []byte
		wantHeaders map[string][]string
	}{
		{
			name:       "full response with cookies",
			output:     `{"statusCode":201,"headers":{"content-type":"application/json","x-a":"1"},"cookies":["s=1; HttpOnly","t=2"],"body":"{\"ok\":true}"}`,
			wantStatus: 201, wantBody: []byte(`{"ok":true}`),
			wantHeaders: map[string][]string{"Content-Type": {"application/json"}, "X-A": {"1"}, "Set-Cookie": {"s=1; HttpOnly", "t=2"}},
		},
		{
			name:       "base64 body",
			output:     `{"statusCode":200,"isBase64Encoded":true,"headers":{"content-type":"image/png"},"body":"` + base64.StdEncoding.EncodeToString(png) + `"}`,
			wantStatus: 200, wantBody: png,
			wantHeaders: map[string][]string{"Content-Type": {"image/png"}},
		},
		{
			name:       "multi-value headers",
			output:     `{"statusCode":409,"multiValueHeaders":{"x-m":["a","b"]},"body":"conflict"}`,
			wantStatus: 409, wantBody: []byte("conflict"),
			wantHeaders: map[string][]string{"X-M": {"a", "b"}},
		},
		{name: "status only", output: `{"statusCode":204}`, wantStatus: 204, wantBody: nil},
		{
			name: "object without statusCode is the body", output: `{"orderId":"o-1","statusText":"x"}`,
			wantStatus: 200, wantBody: []byte(`{"orderId":"o-1","statusText":"x"}`),
			wantHeaders: map[string][]string{"Content-Type": {"application/json"}},
		},
		{name: "json string", output: `"hello"`, wantStatus: 200, wantBody: []byte(`"hello"`)},
		{name: "not json", output: `oops`, wantStatus: 500, wantBody: []byte(`{"message":"Internal Server Error"}`)},
		{name: "empty output", output: ``, wantStatus: 500, wantBody: []byte(`{"message":"Internal Server Error"}`)},
		{name: "truncated object", output: `{"statusCode":200`, wantStatus: 500, wantBody: []byte(`{"message":"Internal Server Error"}`)},
		{name: "json array", output: `[1,2]`, wantStatus: 200, wantBody: []byte(`[1,2]`)},
		{name: "statusCode not a number", output: `{"statusCode":"200"}`, wantStatus: 500, wantBody: []byte(`{"message":"Internal Server Error"}`)},
		{name: "statusCode null", output: `{"statusCode":null}`, wantStatus: 500, wantBody: []byte(`{"message":"Internal Server Error"}`)},
		{name: "bad base64", output: `{"statusCode":200,"isBase64Encoded":true,"body":"%%%"}`, wantStatus: 500, wantBody: []byte(`{"message":"Internal Server Error"}`)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv := &fakeInvoker{respond: func(context.Context, string, events.APIGatewayV2HTTPRequest) ([]byte, error) {
				return []byte(tc.output), nil
			}}
			g := newGateway(t, Config{Invoker: inv, Routes: []Route{{Method: "GET", Path: "/r", Function: "f"}}})
			rec := httptest.NewRecorder()
			g.ServeHTTP(rec, httptest.NewRequest("GET", "/r", nil))
			if rec.Code != tc.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tc.wantStatus)
			}
			if !bytes.Equal(rec.Body.Bytes(), tc.wantBody) {
				t.Errorf("body = %q, want %q", rec.Body.Bytes(), tc.wantBody)
			}
			for name, want := range tc.wantHeaders {
				if got := rec.Header().Values(name); !slices.Equal(got, want) {
					t.Errorf("header %s = %q, want %q", name, got, want)
				}
			}
		})
	}
}

func TestInvokeFailures(t *testing.T) {
	tests := []struct {
		name        string
		respond     func(ctx context.Context) ([]byte, error)
		wantStatus  int
		wantMessage string
	}{
		{
			name:       "function error",
			respond:    func(context.Context) ([]byte, error) { return nil, errors.New("function error errorString: boom") },
			wantStatus: http.StatusInternalServerError, wantMessage: "Internal Server Error",
		},
		{
			name: "integration timeout",
			respond: func(ctx context.Context) ([]byte, error) {
				<-ctx.Done()
				return nil, ctx.Err()
			},
			wantStatus: http.StatusServiceUnavailable, wantMessage: "Service Unavailable",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv := &fakeInvoker{respond: func(ctx context.Context, _ string, _ events.APIGatewayV2HTTPRequest) ([]byte, error) {
				return tc.respond(ctx)
			}}
			g := newGateway(t, Config{Invoker: inv, IntegrationTimeout: 50 * time.Millisecond,
				Routes: []Route{{Method: "GET", Path: "/r", Function: "f"}}})
			rec := httptest.NewRecorder()
			g.ServeHTTP(rec, httptest.NewRequest("GET", "/r", nil))
			if rec.Code != tc.wantStatus || decodeMessage(t, rec.Body.Bytes()) != tc.wantMessage {
				t.Errorf("got %d %s, want %d %s", rec.Code, rec.Body, tc.wantStatus, tc.wantMessage)
			}
		})
	}
}

// mypageOutput is a GET /mypages/{orderId} answer as the function returns it.
const mypageOutput = `{"statusCode":200,"headers":{"Content-Type":"application/json","X-Correlation-Id":"JKJaXmPLvHcESHA="},` +
	`"multiValueHeaders":null,"body":"{\"orderId\":\"o-1\",\"name\":\"Bench Rider\",\"orderType\":\"basic\",\"fare\":3800,` +
	`\"status\":\"RESERVED\",\"history\":[{\"status\":\"PAID\",\"at\":\"2026-11-30T13:00:00Z\"}]}","cookies":null}`

func BenchmarkWriteFunctionResponse(b *testing.B) {
	out := []byte(mypageOutput)
	for b.Loop() {
		if err := writeFunctionResponse(httptest.NewRecorder(), out, true); err != nil {
			b.Fatal(err)
		}
	}
}
