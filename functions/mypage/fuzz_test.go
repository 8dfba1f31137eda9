package main

import (
	"time"

	"context"
	"strings"
	"testing"

	"github.com/calltaxi/call-taxi/shared/apitest"
	"github.com/calltaxi/call-taxi/shared/ddbtest"
	"github.com/calltaxi/call-taxi/shared/lambdamux"
)

var mypageRoutes = []string{"GET /mypages", "GET /mypages/{orderId}"}

// newFuzzHandlers is the whole function on one embedded DynamoDB, with testCustomer's booking testOrderID.
func newFuzzHandlers(f *testing.F) lambdamux.Handlers {
	client := ddbtest.New(f, ddbtest.Table{
		Name: testTable, Hash: "orderId",
		Indexes: []ddbtest.Index{{Name: CustomerIndex, Hash: "customerId", Range: "createdAt"}},
	})
	store := NewDynamoStore(client, testTable)
	if _, err := NewService(store, nil).Project(context.Background(), orderRec(2, "PAID", 1), at(1)); err != nil {
		f.Fatalf("seed: %v", err)
	}
	return NewHandlers(NewService(store, time.UTC), quietLogger())
}

// FuzzMyPageAPI sends any request to every mypage route of the whole function.
func FuzzMyPageAPI(f *testing.F) {
	handlers := newFuzzHandlers(f)
	apitest.AddSampleSeeds(f, "mypage", mypageRoutes)
	for _, in := range []apitest.Input{
		{Route: 0, Query: "limit=1", Sub: testCustomer, Groups: "[customers]"},
		{Route: 0, Query: "limit=-1", Sub: testCustomer, Groups: "[customers]"},
		{Route: 0, Query: "limit=1e3", Sub: "mgr", Groups: "[managers]"},
		{Route: 1, ID: testOrderID, Sub: testCustomer, Groups: "[customers]"},
		{Route: 1, ID: testOrderID, Sub: "someone-else", Groups: "[customers]"},
		{Route: 1, ID: strings.Repeat("0", 129), Sub: testCustomer, Groups: "[customers]"},
	} {
		in.Add(f)
	}
	f.Fuzz(func(t *testing.T, route uint8, id, body string, base64 bool, query, headers, sub, groups string) {
		in := apitest.FromArgs(route, id, body, base64, query, headers, sub, groups)
		apitest.CheckAPI(t, handlers, in.Request(mypageRoutes))
	})
}

// FuzzMyPageStream feeds any Orders/Payments/Reservations stream image to the projection.
func FuzzMyPageStream(f *testing.F) {
	handlers := newFuzzHandlers(f)
	names, newImages, oldImages := apitest.StreamSeeds(f, "mypage")
	for i := range names {
		f.Add(names[i], newImages[i], oldImages[i])
	}
	for _, img := range []string{
		`{"entity":{"S":"order"},"id":{"S":"o-2"},"customerId":{"S":""},"status":{"S":"PAID"},"version":{"N":"1"}}`,
		`{"entity":{"S":"payment"},"orderId":{"S":"o-3"},"customerId":{"S":"c"},"status":{"S":"APPROVED"},"version":{"N":"x"}}`,
		`{"entity":{"S":"reservation"},"orderId":{"S":"o-4"},"customerId":{"S":"c"},"status":{"S":"CONFIRMED"},"version":{"N":"99999999999999999999"},"updatedAt":{"S":"not a time"}}`,
		`{"entity":{"S":"order"},"id":{"S":1}}`, `{"entity":{"N":"1"}}`, `{}`,
	} {
		f.Add(uint8(0), []byte(img), []byte(nil))
	}
	f.Fuzz(func(t *testing.T, name uint8, newImage, oldImage []byte) {
		if ev, ok := apitest.StreamEvent(name, newImage, oldImage); ok {
			apitest.CheckStream(t, handlers, ev)
		}
	})
}
