package apigw

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// fakeInvoker records every invocation and answers with respond (default: echo the route key).
type fakeInvoker struct {
	mu      sync.Mutex
	calls   []fakeCall
	respond func(ctx context.Context, function string, event events.APIGatewayV2HTTPRequest) ([]byte, error)
}

type fakeCall struct {
	function string
	event    events.APIGatewayV2HTTPRequest
}

func (f *fakeInvoker) Invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	var event events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(payload, &event); err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.calls = append(f.calls, fakeCall{function, event})
	respond := f.respond
	f.mu.Unlock()
	if respond != nil {
		return respond(ctx, function, event)
	}
	return json.Marshal(map[string]string{"function": function})
}

func (f *fakeInvoker) only(t *testing.T) fakeCall {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) != 1 {
		t.Fatalf("invocations = %d, want 1", len(f.calls))
	}
	return f.calls[0]
}

func (f *fakeInvoker) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func newGateway(t *testing.T, cfg Config) *Gateway {
	t.Helper()
	g, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return g
}

func decodeMessage(t *testing.T, body []byte) string {
	t.Helper()
	var m struct{ Message string }
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	return m.Message
}
