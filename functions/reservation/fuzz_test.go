package main

import (
	"time"

	"context"
	"io"
	"strings"
	"testing"

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
		contracts.NameOrderPlaced, contracts.NameOrderCanceled, contracts.NameTaxiAssigned,
		contracts.NameTaxiAssignmentRejected, contracts.NameTaxiReleased,
	}
)

// newFuzzHandlers is the whole function on one embedded DynamoDB, with a REQUESTED reservation rsv-o-fuzz.
func newFuzzHandlers(f *testing.F) lambdamux.Handlers {
	client := ddbtest.New(f, ddbtest.Table{Name: testTable, Hash: "id", Indexes: []ddbtest.Index{{Name: statusIndex, Hash: "status", Range: "pickupKey"}, {Name: driverIndex, Hash: "driverId", Range: "pickupKey"}}})
	service := NewService(NewDynamoStore(client, testTable), time.UTC)
	logger := logging.New(io.Discard, "ERROR")
	ctx := logging.With(context.Background(), logger, "", "")
	if err := service.OrderPlaced(ctx, &contracts.OrderPlaced{OrderID: "o-fuzz", CustomerID: "alice", OrderType: "prime"}); err != nil {
		f.Fatalf("seed: %v", err)
	}
	return NewHandlers(service, &bustest.Recorder{}, logger)
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

// FuzzReservationEvents feeds any detail to each consumed event, in an SQS batch with a duplicate of it
// and an event nobody consumes: the function answers a partial batch response and never panics (a panic
// would fail the whole batch, and every message in it would be redelivered).
func FuzzReservationEvents(f *testing.F) {
	handlers := newFuzzHandlers(f)
	apitest.AddEventSeeds(f, "reservation", reservationEvents)
	f.Add(uint8(2), []byte(`{"reservationId":"rsv-o-fuzz","taxiId":"taxi-1","taxiName":"T","attempt":1}`))
	f.Add(uint8(3), []byte(`{"reservationId":"rsv-o-fuzz","taxiId":"taxi-1","attempt":99999999999,"reason":"x"}`))
	f.Add(uint8(1), []byte(`{"orderId":"o-fuzz","customerId":"alice"}`))
	f.Fuzz(func(t *testing.T, name uint8, detail []byte) {
		apitest.CheckBatch(t, handlers, apitest.EventBatch(reservationEvents, name, detail), reservationEvents)
	})
}
