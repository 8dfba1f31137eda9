package httpapi

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/auth"
)

// TestRouterRefusesOversizeBodies: the contract's 413 holds on every route, also on one that never reads
// its body (POST /orders/{id}/cancel), so no handler can forget it.
func TestRouterRefusesOversizeBodies(t *testing.T) {
	reached := 0
	router := Router{Routes: map[string]HandlerFunc{
		"POST /things/{id}/cancel": func(ctx context.Context, req events.APIGatewayV2HTTPRequest, caller auth.Identity) (events.APIGatewayV2HTTPResponse, error) {
			reached++
			return JSON(http.StatusOK, map[string]string{"ok": "yes"}), nil
		},
	}}
	big := strings.Repeat("x", MaxBody+1)
	tests := []struct {
		name        string
		body        string
		base64      bool
		status      int
		wantReached bool
	}{
		{"no body", "", false, 200, true},
		{"exactly the limit", strings.Repeat("x", MaxBody), false, 200, true},
		{"one byte over", big, false, 413, false},
		{"base64 over after decoding", base64.StdEncoding.EncodeToString([]byte(big)), true, 413, false},
		{"base64 within", base64.StdEncoding.EncodeToString([]byte("{}")), true, 200, true},
		{"bad base64 is the handler's business", "!!", true, 200, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reached = 0
			req := events.APIGatewayV2HTTPRequest{RouteKey: "POST /things/{id}/cancel", Body: tt.body, IsBase64Encoded: tt.base64}
			req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "u1"}},
			}
			resp, err := router.Handle(context.Background(), req)
			if err != nil || resp.StatusCode != tt.status {
				t.Fatalf("got %d %s %v, want %d", resp.StatusCode, resp.Body, err, tt.status)
			}
			if tt.status == 413 && !strings.Contains(resp.Body, "PAYLOAD_TOO_LARGE") {
				t.Errorf("body = %s", resp.Body)
			}
			if (reached > 0) != tt.wantReached {
				t.Errorf("handler reached = %d, want %v", reached, tt.wantReached)
			}
		})
	}
}
