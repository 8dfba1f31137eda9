package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestPaymentHistories(t *testing.T) {
	e := newTestEnv(t)
	e.mustInvoke(chargeRequest("o1", testCard))
	tests := []struct {
		name   string
		who    caller
		query  map[string]string
		status int
		items  int
		field  string
	}{
		{"owner", caller{"alice", "customers"}, map[string]string{"orderId": "o1"}, 200, 1, ""},
		{"manager", caller{"mgr", "managers"}, map[string]string{"orderId": "o1"}, 200, 1, ""},
		{"other customer", caller{"bob", "customers"}, map[string]string{"orderId": "o1"}, 404, 0, ""},
		{"driver", caller{"drv", "drivers"}, map[string]string{"orderId": "o1"}, 403, 0, ""},
		{"unknown order", caller{"alice", "customers"}, map[string]string{"orderId": "o-none"}, 200, 0, ""},
		{"no orderId", caller{"alice", "customers"}, nil, 400, 0, "orderId"},
		{"blank orderId", caller{"alice", "customers"}, map[string]string{"orderId": " "}, 400, 0, "orderId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := e.handlers.API(context.Background(), historyRequest(tt.who, tt.query))
			if err != nil || resp.StatusCode != tt.status {
				t.Fatalf("status = %d %s %v", resp.StatusCode, resp.Body, err)
			}
			if tt.status != 200 {
				var body struct {
					Error struct{ Field string } `json:"error"`
				}
				_ = json.Unmarshal([]byte(resp.Body), &body)
				if body.Error.Field != tt.field {
					t.Errorf("field = %q, want %q", body.Error.Field, tt.field)
				}
				return
			}
			var body struct {
				Items []HistoryItem `json:"items"`
			}
			if err := json.Unmarshal([]byte(resp.Body), &body); err != nil || body.Items == nil {
				t.Fatalf("body %s: %v (items must be a list)", resp.Body, err)
			}
			if len(body.Items) != tt.items {
				t.Fatalf("items = %+v", body.Items)
			}
			if tt.items == 1 {
				p := e.payment("o1")
				if body.Items[0] != p.HistoryItem() || body.Items[0].Status != StatusApproved || body.Items[0].Amount != 5700 {
					t.Errorf("item = %+v", body.Items[0])
				}
			}
		})
	}
}

func TestCardNumberIsNeverStoredLoggedOrReturned(t *testing.T) {
	e := newTestEnv(t)
	cards := []string{testCard, "4000000000000002", "4000000000009995"}
	var answers []string
	for i, card := range cards {
		res := e.mustInvoke(chargeRequest(fmt.Sprintf("o%d", i), card))
		raw, _ := json.Marshal(res)
		answers = append(answers, string(raw))
	}
	e.mustInvoke(refundRequest("o0"))
	e.publish()
	resp, _ := e.handlers.API(context.Background(), historyRequest(caller{"alice", "customers"}, map[string]string{"orderId": "o0"}))
	answers = append(answers, resp.Body)
	for _, ev := range e.bus.Events() {
		raw, _ := json.Marshal(ev)
		answers = append(answers, string(raw))
	}

	out, err := e.db.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(paymentsTable)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Items) != len(cards) {
		t.Fatalf("%d rows", len(out.Items))
	}
	var rows strings.Builder
	for _, item := range out.Items {
		for _, v := range item {
			switch x := v.(type) {
			case *types.AttributeValueMemberS:
				rows.WriteString(x.Value + " ")
			case *types.AttributeValueMemberN:
				rows.WriteString(x.Value + " ")
			}
		}
	}
	places := map[string]string{"table": rows.String(), "logs": e.logs.String(), "answers": strings.Join(answers, "\n")}
	for where, text := range places {
		if !strings.Contains(text, "1111") && where != "logs" {
			t.Errorf("%s lacks even the last four digits: the scan proves nothing", where)
		}
		for _, card := range cards {
			if strings.Contains(text, card) {
				t.Errorf("%s contain the card number %s", where, card)
			}
		}
	}
	if !strings.Contains(e.logs.String(), "payment answered") {
		t.Error("no payment was logged: the log scan proves nothing")
	}
}
