package eventbus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"
)

func newSDKClient(t *testing.T, b *Bus) *eventbridge.Client {
	t.Helper()
	srv := httptest.NewServer(b)
	t.Cleanup(srv.Close)
	return eventbridge.New(eventbridge.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		RetryMaxAttempts: 1,
	})
}

func entry(bus, source, detailType, detail string) types.PutEventsRequestEntry {
	e := types.PutEventsRequestEntry{Source: aws.String(source), DetailType: aws.String(detailType), Detail: aws.String(detail)}
	if bus != "" {
		e.EventBusName = aws.String(bus)
	}
	return e
}

func TestPutEventsEntryValidation(t *testing.T) {
	tests := []struct {
		name     string
		entry    types.PutEventsRequestEntry
		wantCode string // "" = accepted
	}{
		{"valid on default bus", entry("", "calltaxi.order", "OrderPlaced", `{"orderId":"o1"}`), ""},
		{"default bus by name", entry("default", "calltaxi.order", "OrderPlaced", `{}`), ""},
		{"custom bus by name", entry("calltaxi", "calltaxi.order", "OrderPlaced", `{"a":1}`), ""},
		{"custom bus by arn", entry("arn:aws:events:us-east-1:123456789012:event-bus/calltaxi", "calltaxi.order", "OrderPlaced", `{"a":1}`), ""},
		{"unknown bus", entry("nope", "calltaxi.order", "OrderPlaced", `{}`), "ResourceNotFoundException"},
		{"missing source", entry("", "", "OrderPlaced", `{}`), "InvalidArgument"},
		{"missing detail type", entry("", "calltaxi.order", "", `{}`), "InvalidArgument"},
		{"missing detail", entry("", "calltaxi.order", "OrderPlaced", ""), "InvalidArgument"},
		{"detail not json", entry("", "calltaxi.order", "OrderPlaced", `{"a":`), "MalformedDetail"},
		{"detail is an array", entry("", "calltaxi.order", "OrderPlaced", `[1,2]`), "MalformedDetail"},
		{"detail is a string", entry("", "calltaxi.order", "OrderPlaced", `"x"`), "MalformedDetail"},
		{"reserved aws source", entry("", "aws.ec2", "X", `{}`), "NotAuthorizedForSourceException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newTestBus(t, newFakeInvoker(), nil, 1)
			b.AddBus("calltaxi")
			client := newSDKClient(t, b)
			out, err := client.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{tt.entry}})
			if err != nil {
				t.Fatalf("PutEvents: %v", err)
			}
			if len(out.Entries) != 1 {
				t.Fatalf("Entries = %d, want 1", len(out.Entries))
			}
			got := out.Entries[0]
			if tt.wantCode == "" {
				if out.FailedEntryCount != 0 || aws.ToString(got.EventId) == "" || got.ErrorCode != nil {
					t.Errorf("want accepted, got FailedEntryCount=%d entry=%+v", out.FailedEntryCount, got)
				}
				if s := b.Stats(); s.EntriesAccepted != 1 {
					t.Errorf("EntriesAccepted = %d", s.EntriesAccepted)
				}
				return
			}
			if out.FailedEntryCount != 1 || aws.ToString(got.ErrorCode) != tt.wantCode || aws.ToString(got.ErrorMessage) == "" || got.EventId != nil {
				t.Errorf("want %s, got FailedEntryCount=%d code=%q msg=%q id=%v", tt.wantCode, out.FailedEntryCount,
					aws.ToString(got.ErrorCode), aws.ToString(got.ErrorMessage), got.EventId)
			}
			if s := b.Stats(); s.EntriesFailed != 1 || s.EntriesAccepted != 0 {
				t.Errorf("stats = %+v", s)
			}
			if len(b.Recent(10)) != 0 {
				t.Errorf("a rejected entry was recorded")
			}
		})
	}
}

func TestPutEventsMixedBatchKeepsOrder(t *testing.T) {
	b := newTestBus(t, newFakeInvoker(), nil, 1)
	client := newSDKClient(t, b)
	out, err := client.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		entry("", "calltaxi.order", "A", `{}`),
		entry("", "calltaxi.order", "B", `not json`),
		entry("", "calltaxi.order", "C", `{}`),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if out.FailedEntryCount != 1 || out.Entries[0].EventId == nil || out.Entries[1].ErrorCode == nil || out.Entries[2].EventId == nil {
		t.Errorf("response = %+v", out)
	}
}

func TestPutEventsRequestErrors(t *testing.T) {
	b := newTestBus(t, newFakeInvoker(), nil, 1)
	client := newSDKClient(t, b)
	tooMany := make([]types.PutEventsRequestEntry, 11)
	for i := range tooMany {
		tooMany[i] = entry("", "calltaxi.order", "X", `{}`)
	}
	big := entry("", "calltaxi.order", "X", `{"pad":"`+strings.Repeat("x", maxEntriesBytes)+`"}`)
	tests := []struct {
		name    string
		entries []types.PutEventsRequestEntry
	}{
		{"more than 10 entries", tooMany},
		{"over 256 KiB", []types.PutEventsRequestEntry{big}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: tt.entries})
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" {
				t.Fatalf("err = %v, want ValidationException", err)
			}
		})
	}
}

func TestUnknownOperation(t *testing.T) {
	b := newTestBus(t, newFakeInvoker(), nil, 1)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{}`))
	req.Header.Set("X-Amz-Target", "AWSEvents.PutRule")
	b.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "UnknownOperationException") {
		t.Errorf("status %d body %s", rec.Code, rec.Body.String())
	}
}

func TestEnvelopeDeliveredToTarget(t *testing.T) {
	inv := newFakeInvoker()
	b := newTestBus(t, inv, nil, 4)
	if err := b.AddRule(Rule{Name: "PaymentApproved", Function: "ReservationFunction",
		Pattern: mustPattern(t, `{"source":["calltaxi.payment"],"detail-type":["PaymentApproved"]}`)}); err != nil {
		t.Fatal(err)
	}
	client := newSDKClient(t, b)
	putTime := time.Date(2024, 5, 1, 12, 30, 45, 0, time.UTC)
	e := entry("", "calltaxi.payment", "PaymentApproved", `{ "orderId": "o1", "amount": 3800 }`)
	e.Time = aws.Time(putTime)
	out, err := client.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{e}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutEvents: %v %+v", err, out)
	}
	waitFor(t, "delivery", func() bool { return inv.callCount("ReservationFunction") == 1 })

	got := decodeObject(t, inv.payloads("ReservationFunction")[0])
	want := map[string]any{
		"version": "0", "id": aws.ToString(out.Entries[0].EventId), "detail-type": "PaymentApproved",
		"source": "calltaxi.payment", "account": "123456789012", "time": "2024-05-01T12:30:45Z", "region": "us-east-1",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("envelope[%q] = %v, want %v", k, got[k], v)
		}
	}
	if res, ok := got["resources"].([]any); !ok || len(res) != 0 {
		t.Errorf("resources = %#v, want []", got["resources"])
	}
	detail, ok := got["detail"].(map[string]any)
	if !ok || detail["orderId"] != "o1" || detail["amount"] != float64(3800) {
		t.Errorf("detail = %#v", got["detail"])
	}
	waitFor(t, "delivered state", func() bool {
		r := b.Recent(1)
		return len(r) == 1 && len(r[0].Deliveries) == 1 && r[0].Deliveries[0].State == StateDelivered
	})
}

func TestRoutingByPatternAndBus(t *testing.T) {
	inv := newFakeInvoker()
	b := newTestBus(t, inv, nil, 4)
	b.AddBus("calltaxi")
	rules := []Rule{
		{Name: "r-match", BusName: "calltaxi", Function: "match", Pattern: mustPattern(t, `{"detail-type":["TaxiAssigned"]}`)},
		{Name: "r-other-type", BusName: "calltaxi", Function: "otherType", Pattern: mustPattern(t, `{"detail-type":["TaxiReleased"]}`)},
		{Name: "r-default-bus", Function: "defaultBus", Pattern: mustPattern(t, `{"detail-type":["TaxiAssigned"]}`)},
		{Name: "r-detail", BusName: "calltaxi", Function: "detail", Pattern: mustPattern(t, `{"detail":{"attempt":[{"numeric":[">=",2]}]}}`)},
	}
	for _, r := range rules {
		if err := b.AddRule(r); err != nil {
			t.Fatal(err)
		}
	}
	client := newSDKClient(t, b)
	if _, err := client.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		entry("calltaxi", "calltaxi.taxi", "TaxiAssigned", `{"attempt":2}`),
	}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "deliveries", func() bool { return b.Stats().Delivered == 2 })
	want := map[string]int{"match": 1, "detail": 1, "otherType": 0, "defaultBus": 0}
	for fn, n := range want {
		if got := inv.callCount(fn); got != n {
			t.Errorf("%s invoked %d times, want %d", fn, got, n)
		}
	}
}

func TestListRulesAndDescribeEventBus(t *testing.T) {
	b := newTestBus(t, newFakeInvoker(), nil, 1)
	b.AddBus("calltaxi")
	for _, r := range []Rule{
		{Name: "ToReservation", BusName: "calltaxi", Function: "ReservationFunction", Pattern: mustPattern(t, `{"source":["calltaxi.payment"]}`)},
		{Name: "ToReservation", BusName: "calltaxi", Function: "AuditFunction", Pattern: mustPattern(t, `{"source":["calltaxi.payment"]}`)},
		{Name: "ToTaxi", BusName: "calltaxi", Function: "TaxiFunction", Pattern: mustPattern(t, `{"source":["calltaxi.reservation"]}`)},
		{Name: "OnDefault", Function: "X", Pattern: mustPattern(t, `{"source":["x"]}`)},
	} {
		if err := b.AddRule(r); err != nil {
			t.Fatal(err)
		}
	}
	client := newSDKClient(t, b)
	ctx := context.Background()
	out, err := client.ListRules(ctx, &eventbridge.ListRulesInput{EventBusName: aws.String("calltaxi"), NamePrefix: aws.String("To")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Rules) != 2 || aws.ToString(out.Rules[0].Name) != "ToReservation" || aws.ToString(out.Rules[1].Name) != "ToTaxi" {
		t.Fatalf("rules = %+v", out.Rules)
	}
	if got, want := aws.ToString(out.Rules[0].Arn), "arn:aws:events:us-east-1:123456789012:rule/calltaxi/ToReservation"; got != want {
		t.Errorf("Arn = %q, want %q", got, want)
	}
	if aws.ToString(out.Rules[0].EventPattern) != `{"source":["calltaxi.payment"]}` || out.Rules[0].State != types.RuleStateEnabled {
		t.Errorf("rule = %+v", out.Rules[0])
	}

	bus, err := client.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("calltaxi")})
	if err != nil || aws.ToString(bus.Arn) != "arn:aws:events:us-east-1:123456789012:event-bus/calltaxi" {
		t.Errorf("DescribeEventBus = %+v, %v", bus, err)
	}
	_, err = client.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("missing")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("DescribeEventBus(missing) err = %T %v, want ResourceNotFoundException", err, err)
	}
}

func putInput(n int) *eventbridge.PutEventsInput {
	in := &eventbridge.PutEventsInput{}
	for i := range n {
		in.Entries = append(in.Entries, entry("", "s", fmt.Sprintf("T%d", i), `{}`))
	}
	return in
}

// TestListEventBuses follows the API reference, ListEventBuses: the default bus and the created ones,
// each with Name and Arn, filtered by NamePrefix and paged by Limit and NextToken.
func TestListEventBuses(t *testing.T) {
	b := newTestBus(t, newFakeInvoker(), nil, 1)
	b.AddBus("calltaxi")
	b.AddBus("calltaxi-audit")
	b.AddBus("other")
	client := newSDKClient(t, b)
	arn := func(name string) string { return "arn:aws:events:us-east-1:123456789012:event-bus/" + name }
	tests := []struct {
		name          string
		in            eventbridge.ListEventBusesInput
		want          []string
		wantNextToken bool
	}{
		{"all buses", eventbridge.ListEventBusesInput{}, []string{"calltaxi", "calltaxi-audit", "default", "other"}, false},
		{"name prefix", eventbridge.ListEventBusesInput{NamePrefix: aws.String("calltaxi")}, []string{"calltaxi", "calltaxi-audit"}, false},
		{"default bus by prefix", eventbridge.ListEventBusesInput{NamePrefix: aws.String("def")}, []string{"default"}, false},
		{"first page", eventbridge.ListEventBusesInput{Limit: aws.Int32(3)}, []string{"calltaxi", "calltaxi-audit", "default"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := client.ListEventBuses(context.Background(), &tt.in)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, bus := range out.EventBuses {
				got = append(got, aws.ToString(bus.Name))
				if aws.ToString(bus.Arn) != arn(aws.ToString(bus.Name)) {
					t.Errorf("Arn = %q, want %q", aws.ToString(bus.Arn), arn(aws.ToString(bus.Name)))
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) || (out.NextToken != nil) != tt.wantNextToken {
				t.Errorf("buses = %v next %v, want %v next %v", got, aws.ToString(out.NextToken), tt.want, tt.wantNextToken)
			}
		})
	}
	t.Run("next page", func(t *testing.T) {
		first, err := client.ListEventBuses(context.Background(), &eventbridge.ListEventBusesInput{Limit: aws.Int32(3)})
		if err != nil {
			t.Fatal(err)
		}
		second, err := client.ListEventBuses(context.Background(), &eventbridge.ListEventBusesInput{Limit: aws.Int32(3), NextToken: first.NextToken})
		if err != nil {
			t.Fatal(err)
		}
		if len(second.EventBuses) != 1 || aws.ToString(second.EventBuses[0].Name) != "other" || second.NextToken != nil {
			t.Errorf("second page = %+v", second)
		}
	})
}

// TestTestEventPattern follows the API reference, TestEventPattern: Result tells whether the event
// matches; an invalid pattern is InvalidEventPatternException; the event must be JSON carrying the
// mandatory fields id, account, source, time, region, resources and detail-type.
func TestTestEventPattern(t *testing.T) {
	const event = `{"version":"0","id":"1","detail-type":"PaymentApproved","source":"calltaxi.payment","account":"123456789012",` +
		`"time":"2024-05-01T12:30:45Z","region":"us-east-1","resources":[],"detail":{"amount":3800}}`
	tests := []struct {
		name, pattern, event string
		want                 bool
		wantCode             string // "" = success
	}{
		{"matches", `{"source":["calltaxi.payment"],"detail":{"amount":[{"numeric":[">",0]}]}}`, event, true, ""},
		{"does not match", `{"detail-type":["OrderPlaced"]}`, event, false, ""},
		{"pattern not json", `{"source":`, event, false, "InvalidEventPatternException"},
		{"pattern scalar value", `{"source":"calltaxi.payment"}`, event, false, "InvalidEventPatternException"},
		{"anything-but empty prefix", `{"source":[{"anything-but":{"prefix":""}}]}`, event, false, "InvalidEventPatternException"},
		{"empty numeric range", `{"detail":{"amount":[{"numeric":[">",5,"<",5]}]}}`, event, false, "InvalidEventPatternException"},
		{"upper bound first", `{"detail":{"amount":[{"numeric":["<",10,">",5]}]}}`, event, false, "InvalidEventPatternException"},
		{"number out of range", `{"detail":{"amount":[{"numeric":["<",5.1e9]}]}}`, event, false, "InvalidEventPatternException"},
		{"event not json", `{"source":["calltaxi.payment"]}`, `{"source":`, false, "ValidationException"},
		{"event not an object", `{"source":["calltaxi.payment"]}`, `["calltaxi.payment"]`, false, "ValidationException"},
	}
	for _, field := range testEventRequiredFields {
		var e map[string]any
		if err := json.Unmarshal([]byte(event), &e); err != nil {
			t.Fatal(err)
		}
		delete(e, field)
		missing, _ := json.Marshal(e)
		tests = append(tests, struct {
			name, pattern, event string
			want                 bool
			wantCode             string
		}{"event without " + field, `{"source":["calltaxi.payment"]}`, string(missing), false, "ValidationException"})
	}
	client := newSDKClient(t, newTestBus(t, newFakeInvoker(), nil, 1))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := client.TestEventPattern(context.Background(), &eventbridge.TestEventPatternInput{
				EventPattern: aws.String(tt.pattern), Event: aws.String(tt.event)})
			if tt.wantCode == "" {
				if err != nil || out.Result != tt.want {
					t.Errorf("TestEventPattern = %+v, %v; want Result %v", out, err, tt.want)
				}
				return
			}
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tt.wantCode {
				t.Fatalf("err = %v, want %s", err, tt.wantCode)
			}
			if tt.wantCode == "InvalidEventPatternException" {
				var typed *types.InvalidEventPatternException
				if !errors.As(err, &typed) || !strings.HasPrefix(apiErr.ErrorMessage(), "Event pattern is not valid. Reason: ") {
					t.Errorf("err = %T %q, want a typed InvalidEventPatternException with the AWS message", err, apiErr.ErrorMessage())
				}
			}
		})
	}
}
