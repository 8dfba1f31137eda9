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

	"github.com/calltaxi/call-taxi/shared/apitest"
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
	apitest.AddSampleSeeds(f, "reservation", reservationRoutes)
	const manager = "[managers]"
	for _, in := range []apitest.Input{
		{Route: 0, Query: "status=ASSIGNING&limit=5", Sub: "mgr", Groups: manager},
		{Route: 0, Query: "status=requested&limit=0", Sub: "mgr", Groups: manager},
		{Route: 0, Query: "limit=99999999999999999999", Sub: "mgr", Groups: manager},
		{Route: 0, Sub: "alice", Groups: "[customers]"},
		{Route: 1, ID: "rsv-o-fuzz", Sub: "mgr", Groups: manager},
		{Route: 1, ID: "rsv-missing", Sub: "mgr", Groups: `["managers"]`},
		{Route: 2, ID: "rsv-o-fuzz", Body: `{"taxiId":"taxi-1"}`, Sub: "mgr", Groups: manager},
		{Route: 2, ID: "rsv-o-fuzz", Body: `{"taxiId":"   "}`, Sub: "mgr", Groups: manager},
		{Route: 2, ID: "rsv-o-fuzz", Body: `{"taxiId":"` + strings.Repeat("t", 129) + `"}`, Sub: "mgr", Groups: manager},
		{Route: 2, ID: "rsv-missing", Body: `{"taxiId":1}`, Sub: "mgr", Groups: manager},
		{Route: 2, ID: "rsv-o-fuzz", Body: `{"taxiId":"taxi-1"}`, Sub: "drv", Groups: "[drivers]"},
	} {
		in.Add(f)
	}
	f.Fuzz(func(t *testing.T, route uint8, id, body string, base64 bool, query, headers, sub, groups string) {
		in := apitest.FromArgs(route, id, body, base64, query, headers, sub, groups)
		apitest.CheckAPI(t, handlers, in.Request(reservationRoutes))
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
