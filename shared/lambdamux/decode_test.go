package lambdamux

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// apiEvent is a GET /mypages/{orderId} event as API Gateway sends it (payload format 2.0, JWT authorizer).
const apiEvent = `{"version":"2.0","routeKey":"GET /mypages/{orderId}","rawPath":"/mypages/o-1","rawQueryString":"",
"headers":{"accept-encoding":"gzip","authorization":"Bearer eyJ.x.y","host":"127.0.0.1:3000","user-agent":"Go-http-client/1.1",
"x-amzn-trace-id":"Root=1-6a1b2c3d-0123456789abcdef01234567","x-forwarded-for":"127.0.0.1","x-forwarded-port":"3000","x-forwarded-proto":"http"},
"pathParameters":{"orderId":"o-1"},"requestContext":{"accountId":"123456789012","apiId":"local","domainName":"127.0.0.1",
"domainPrefix":"127","http":{"method":"GET","path":"/mypages/o-1","protocol":"HTTP/1.1","sourceIp":"127.0.0.1","userAgent":"Go-http-client/1.1"},
"requestId":"JKJaXmPLvHcESHA=","routeKey":"GET /mypages/{orderId}","stage":"$default","time":"30/Nov/2026:13:00:00 +0000","timeEpoch":1796043600000,
"authorizer":{"jwt":{"claims":{"aud":"call-taxi","cognito:groups":"[customers]","exp":"1796050800","iat":"1796043600","iss":"http://127.0.0.1:3000/local-issuer","sub":"customer-1","token_use":"id"},"scopes":null}}},
"isBase64Encoded":false}`

func TestDecodeProbeMatchesTwoPasses(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		wantAPI bool // decoded in the one pass
	}{
		{"api event", apiEvent, true},
		{"api event with a body", `{"routeKey":"POST /orders","body":"{\"a\":1}","headers":{"content-type":"application/json"}}`, true},
		{"api event whose header is not a string", `{"routeKey":"GET /x","headers":{"a":1}}`, false},
		{"sqs batch", `{"Records":[{"messageId":"m1","eventSource":"aws:sqs","body":"{}"}]}`, true},
		{"stream batch", `{"Records":[{"eventName":"INSERT","eventSource":"aws:dynamodb","dynamodb":{"SequenceNumber":"7"}}]}`, true},
		{"schedule", `{"version":"0","detail-type":"Scheduled Event","source":"aws.events","resources":["r"],"detail":{}}`, true},
		{"direct invoke whose field clashes with the api event's", `{"headers":[1],"action":"charge"}`, false},
		{"records not a list", `{"Records":"x"}`, false},
		{"not an object", `[1,2]`, false},
		{"not json", `{"routeKey":`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var wantProbe probe
			wantErr := json.Unmarshal([]byte(tt.payload), &wantProbe)
			p, api, err := decodeProbe([]byte(tt.payload))
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("error %v, the probe alone gives %v", err, wantErr)
			}
			if !reflect.DeepEqual(p, wantProbe) {
				t.Errorf("probe %+v, the probe alone gives %+v", p, wantProbe)
			}
			if (api != nil) != tt.wantAPI {
				t.Fatalf("decoded as an api event: %v, want %v", api != nil, tt.wantAPI)
			}
			if api != nil {
				var want events.APIGatewayV2HTTPRequest
				if err := json.Unmarshal([]byte(tt.payload), &want); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(*api, want) {
					t.Errorf("api event %+v, decoding it alone gives %+v", *api, want)
				}
			}
		})
	}
}

func TestAPIEventWithBadFieldIsAnError(t *testing.T) {
	called := false
	h := Handlers{API: func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		called = true
		return events.APIGatewayV2HTTPResponse{}, nil
	}}
	if _, err := h.Invoke(context.Background(), []byte(`{"routeKey":"GET /x","headers":{"a":1}}`)); err == nil || called {
		t.Errorf("err %v, handler called %v: want a decode error and no call", err, called)
	}
}

func BenchmarkInvokeAPIEvent(b *testing.B) {
	h := Handlers{API: func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: `{"orderId":"o-1"}`}, nil
	}}
	payload := []byte(apiEvent)
	for b.Loop() {
		if _, err := h.Invoke(context.Background(), payload); err != nil {
			b.Fatal(err)
		}
	}
}
