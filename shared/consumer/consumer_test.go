package consumer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/logging"
)

var errStore = errors.New("store down")

// newTestConsumer consumes OrderCanceled; the order id "fail" fails with errStore. handled lists the
// order ids it ran for, in order.
func newTestConsumer(logs *bytes.Buffer) (*Consumer, *[]string) {
	var handled []string
	return &Consumer{Logger: logging.New(logs, "DEBUG"), Routes: map[string]Route{
		contracts.NameOrderCanceled: On(func(e *contracts.OrderCanceled) bool { return e.OrderID != "" },
			func(ctx context.Context, e *contracts.OrderCanceled) error {
				handled = append(handled, e.OrderID)
				if e.OrderID == "fail" {
					return errStore
				}
				return nil
			}),
	}}, &handled
}

// message is an SQS message whose body is an EventBridge event with that detail-type and detail.
func message(id, detailType, detail string) events.SQSMessage {
	body := `{"version":"0","id":"bus-` + id + `","detail-type":"` + detailType + `","source":"calltaxi.order",` +
		`"account":"123456789012","time":"2025-01-02T03:04:05Z","region":"us-east-1","resources":[],"detail":` + detail + `}`
	return rawMessage(id, body)
}

func rawMessage(id, body string) events.SQSMessage {
	return events.SQSMessage{
		MessageId: id, ReceiptHandle: "rh-" + id, Body: body, EventSource: "aws:sqs", AWSRegion: "us-east-1",
		EventSourceARN: "arn:aws:sqs:us-east-1:123456789012:call-taxi-reservation-events",
		Attributes:     map[string]string{"ApproximateReceiveCount": "1"},
	}
}

func canceled(id, orderID string) events.SQSMessage {
	return message(id, contracts.NameOrderCanceled, `{"eventId":"evt-`+id+`","correlationId":"corr-`+id+`","orderId":"`+orderID+`"}`)
}

func failed(resp events.SQSEventResponse) []string {
	ids := []string{}
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

func TestHandleSQS(t *testing.T) {
	tests := []struct {
		name        string
		records     []events.SQSMessage
		wantFailed  []string
		wantHandled []string
	}{
		{"empty batch", nil, []string{}, nil},
		{"all handled", []events.SQSMessage{canceled("m1", "o1"), canceled("m2", "o2")}, []string{}, []string{"o1", "o2"}},
		{"one good and one failing reports the failing one",
			[]events.SQSMessage{canceled("m1", "o1"), canceled("m2", "fail")}, []string{"m2"}, []string{"o1", "fail"}},
		{"a failure does not hold back later messages",
			[]events.SQSMessage{canceled("m1", "fail"), canceled("m2", "o2"), canceled("m3", "fail"), canceled("m4", "o4")},
			[]string{"m1", "m3"}, []string{"fail", "o2", "fail", "o4"}},
		{"body that is not JSON is reported", []events.SQSMessage{rawMessage("m1", `{"detail-type":`), canceled("m2", "o2")}, []string{"m1"}, []string{"o2"}},
		{"body that is not an EventBridge event is reported", []events.SQSMessage{rawMessage("m1", `{"orderId":"o1"}`)}, []string{"m1"}, nil},
		{"body with an unreadable envelope is reported", []events.SQSMessage{rawMessage("m1", `{"detail-type":7,"detail":{}}`)}, []string{"m1"}, nil},
		{"malformed detail is reported", []events.SQSMessage{message("m1", contracts.NameOrderCanceled, `{"orderId":7}`)}, []string{"m1"}, nil},
		{"detail without its required fields is reported", []events.SQSMessage{message("m1", contracts.NameOrderCanceled, `{}`)}, []string{"m1"}, nil},
		{"null detail is reported", []events.SQSMessage{message("m1", contracts.NameOrderCanceled, `null`)}, []string{"m1"}, nil},
		{"an event this function does not consume is acknowledged", []events.SQSMessage{message("m1", "Unknown", `{}`)}, []string{}, nil},
		{"a duplicate in one batch is handled again and succeeds", []events.SQSMessage{canceled("m1", "o1"), canceled("m2", "o1")}, []string{}, []string{"o1", "o1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, handled := newTestConsumer(&bytes.Buffer{})
			resp, err := c.HandleSQS(context.Background(), events.SQSEvent{Records: tt.records})
			if err != nil {
				t.Fatalf("err = %v: a function error would redeliver the whole batch", err)
			}
			if got := failed(resp); !slices.Equal(got, tt.wantFailed) {
				t.Errorf("failures = %v, want %v", got, tt.wantFailed)
			}
			if !slices.Equal(*handled, tt.wantHandled) {
				t.Errorf("handled %v, want %v", *handled, tt.wantHandled)
			}
			if resp.BatchItemFailures == nil {
				t.Error("batchItemFailures is null, want a list")
			}
		})
	}
}

func TestHandleSQSPastTheDeadline(t *testing.T) {
	c, handled := newTestConsumer(&bytes.Buffer{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	resp, _ := c.HandleSQS(ctx, events.SQSEvent{Records: []events.SQSMessage{canceled("m1", "o1"), canceled("m2", "o2")}})
	if got := failed(resp); !slices.Equal(got, []string{"m1", "m2"}) || len(*handled) != 0 {
		t.Errorf("failures = %v, handled %v: want every message reported and none started", got, *handled)
	}
}

func TestHandleSQSLogsFailuresWithTheirIDs(t *testing.T) {
	tests := []struct {
		name    string
		msg     events.SQSMessage
		wantLog map[string]string
	}{
		{"handler failure", canceled("m1", "fail"), map[string]string{
			"level": "ERROR", "messageId": "m1", "eventId": "evt-m1", "busEventId": "bus-m1", "correlationId": "corr-m1",
			"event": contracts.NameOrderCanceled, "receiveCount": "1", "error": "store down",
		}},
		{"poison detail", message("m2", contracts.NameOrderCanceled, `{"eventId":"evt-m2"}`), map[string]string{
			"level": "ERROR", "messageId": "m2", "eventId": "evt-m2", "busEventId": "bus-m2",
		}},
		{"malformed body", rawMessage("m3", "not json"), map[string]string{"level": "ERROR", "messageId": "m3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			c, _ := newTestConsumer(&logs)
			if _, err := c.HandleSQS(context.Background(), events.SQSEvent{Records: []events.SQSMessage{tt.msg}}); err != nil {
				t.Fatal(err)
			}
			var line map[string]any
			for l := range strings.Lines(logs.String()) {
				var m map[string]any
				if json.Unmarshal([]byte(l), &m) == nil && m["level"] == "ERROR" {
					line = m
				}
			}
			if line == nil {
				t.Fatalf("no error logged: %s", logs.String())
			}
			for k, want := range tt.wantLog {
				if got, _ := line[k].(string); !strings.Contains(got, want) {
					t.Errorf("log %s = %q, want %q (line %v)", k, got, want, line)
				}
			}
		})
	}
}
