package consumer

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/contracts"
)

func TestConsumer(t *testing.T) {
	var handled []string
	errStore := errors.New("store down")
	c := Consumer{Routes: map[string]Route{
		contracts.NameOrderCanceled: On(func(e *contracts.OrderCanceled) bool { return e.OrderID != "" },
			func(ctx context.Context, e *contracts.OrderCanceled) error {
				handled = append(handled, e.OrderID)
				if e.OrderID == "fail" {
					return errStore
				}
				return nil
			}),
	}}
	tests := []struct {
		name, detailType, detail string
		wantErr                  error
		wantHandled              string
	}{
		{"handled", contracts.NameOrderCanceled, `{"orderId":"o1","correlationId":"c"}`, nil, "o1"},
		{"failure is returned for a retry", contracts.NameOrderCanceled, `{"orderId":"fail"}`, errStore, "fail"},
		{"malformed detail is dropped", contracts.NameOrderCanceled, `{"orderId":7}`, nil, ""},
		{"missing required field is dropped", contracts.NameOrderCanceled, `{}`, nil, ""},
		{"unknown event is ignored", "Unknown", `{}`, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			handled = nil
			err := c.Handle(context.Background(), events.EventBridgeEvent{DetailType: tt.detailType, Detail: json.RawMessage(tt.detail)})
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			got := ""
			if len(handled) > 0 {
				got = handled[0]
			}
			if got != tt.wantHandled {
				t.Errorf("handled %q, want %q", got, tt.wantHandled)
			}
		})
	}
}
