package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/calltaxi/call-taxi/shared/apitest"
	"github.com/calltaxi/call-taxi/shared/bus/bustest"
	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/ddbitem"
	"github.com/calltaxi/call-taxi/shared/ddbtest"
	"github.com/calltaxi/call-taxi/shared/lambdamux"
	"github.com/calltaxi/call-taxi/shared/logging"
)

var (
	taxiRoutes = []string{"GET /taxis", "PATCH /taxis/{id}", "POST /taxis"}
	taxiEvents = []string{contracts.NameReservationConfirmed, contracts.NameReservationCanceled}
)

// newFuzzHandlers is the whole function on one embedded DynamoDB, with driver-1's prime taxi taxi-fuzz.
func newFuzzHandlers(f *testing.F) lambdamux.Handlers {
	client := ddbtest.New(f,
		ddbtest.Table{Name: testTaxisTable, Hash: "id", Indexes: []ddbtest.Index{{Name: gradeIndex, Hash: "grade"}}},
		ddbtest.Table{Name: testAssignmentsTable, Hash: "reservationId"},
	)
	store := NewDynamoStore(client, testTaxisTable, testAssignmentsTable)
	at := time.Now().UTC().Format(ddbitem.TimeLayout)
	taxi := Taxi{ID: "taxi-fuzz", DriverID: driverSub, TaxiName: "Fuzz", CompanyName: "Seoul Cabs", Grade: GradePrime,
		StockCnt: 3, ItemPrice: 5700, SuppliedCnt: 3, Version: 1, CreatedAt: at, UpdatedAt: at}
	if err := store.CreateTaxi(context.Background(), taxi); err != nil {
		f.Fatalf("seed: %v", err)
	}
	return NewHandlers(NewService(store, nil), &bustest.Recorder{}, logging.New(io.Discard, "ERROR"))
}

// FuzzTaxiAPI sends any request to every taxi route of the whole function.
func FuzzTaxiAPI(f *testing.F) {
	handlers := newFuzzHandlers(f)
	apitest.AddSampleSeeds(f, "taxi", taxiRoutes)
	const driver = "[drivers]"
	for _, in := range []apitest.Input{
		{Route: 0, Query: "grade=prime", Sub: "alice", Groups: "[customers]"},
		{Route: 0, Query: "grade=Prime", Sub: "alice", Groups: "[customers]"},
		{Route: 1, ID: "taxi-fuzz", Body: `{"stockCnt":5,"itemPrice":6000}`, Sub: driverSub, Groups: driver},
		{Route: 1, ID: "taxi-fuzz", Body: `{"stockCnt":-1}`, Sub: driverSub, Groups: driver},
		{Route: 1, ID: "taxi-fuzz", Body: `{"stockCnt":9223372036854775807}`, Sub: driverSub, Groups: driver},
		{Route: 1, ID: "taxi-fuzz", Body: `{}`, Sub: driverSub, Groups: driver},
		{Route: 1, ID: "taxi-fuzz", Body: `{"stockCnt":1}`, Sub: "driver-2", Groups: driver},
		{Route: 1, ID: "taxi-missing", Body: `{"itemPrice":1}`, Sub: driverSub, Groups: driver},
		{Route: 2, Body: `{"taxiName":"Sonata","companyName":"Seoul Cab","grade":"basic","stockCnt":2,"itemPrice":3800}`, Sub: driverSub, Groups: driver},
		{Route: 2, Body: `{"taxiName":"` + strings.Repeat("n", 500) + `","companyName":"","grade":"gold","stockCnt":1.5,"itemPrice":null}`, Sub: driverSub, Groups: driver},
		{Route: 2, Body: `{"taxiName":"x","colour":"red"}`, Sub: driverSub, Groups: driver},
	} {
		in.Add(f)
	}
	f.Fuzz(func(t *testing.T, route uint8, id, body string, base64 bool, query, headers, sub, groups string) {
		in := apitest.FromArgs(route, id, body, base64, query, headers, sub, groups)
		apitest.CheckAPI(t, handlers, in.Request(taxiRoutes))
	})
}

// FuzzTaxiEvents feeds any detail to each consumed event, in an SQS batch with a duplicate of it and an
// event nobody consumes: the function answers a partial batch response and never panics.
func FuzzTaxiEvents(f *testing.F) {
	handlers := newFuzzHandlers(f)
	apitest.AddEventSeeds(f, "taxi", taxiEvents)
	f.Add(uint8(0), []byte(`{"reservationId":"rsv-1","orderId":"o-1","orderType":"prime","taxiId":"taxi-fuzz","attempt":1}`))
	f.Add(uint8(0), []byte(`{"reservationId":"rsv-2","orderType":"basic","taxiId":"taxi-fuzz","attempt":2}`))
	f.Add(uint8(0), []byte(`{"reservationId":"rsv-3","orderType":"prime","taxiId":"taxi-missing","attempt":1}`))
	f.Add(uint8(1), []byte(`{"reservationId":"rsv-1","orderId":"o-1"}`))
	f.Fuzz(func(t *testing.T, name uint8, detail []byte) {
		apitest.CheckBatch(t, handlers, apitest.EventBatch(taxiEvents, name, detail), taxiEvents)
	})
}
