package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/calltaxi/call-taxi/shared/apitest"
	"github.com/calltaxi/call-taxi/shared/bus/bustest"
	"github.com/calltaxi/call-taxi/shared/ddbtest"
	"github.com/calltaxi/call-taxi/shared/idempotency"
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/metrics"
	"github.com/calltaxi/call-taxi/shared/outbox"
)

var orderRoutes = []string{"GET /orders/{id}", "POST /orders", "POST /orders/{id}/cancel"}

// FuzzOrderAPI sends any request to every order route of the whole function (one embedded DynamoDB and
// a fake payment function for the run).
func FuzzOrderAPI(f *testing.F) {
	db := ddbtest.New(f,
		ddbtest.Table{Name: ordersTable, Hash: "id", Indexes: []ddbtest.Index{{Name: pendingIndex, Hash: attrPendingShard, Range: "createdAt"}}},
		ddbtest.Table{Name: idemTable, Hash: "key"},
	)
	store := NewDynamoStore(db, ordersTable)
	keys := idempotency.New(db, idemTable, 24*time.Hour, 30*time.Second)
	svc := NewService(store, NewDynamoKeyedOrders(db, ordersTable, keys), &fakePayments{}, keys, metrics.New(io.Discard, "order"), fixedFares(3800))
	logger := logging.New(io.Discard, "ERROR")
	handlers := NewHandlers(svc, outbox.NewHandler(DeriveEvents, &bustest.Recorder{}, logger), logger)
	for _, status := range []string{StatusPaid, StatusCanceled, StatusDeclined} {
		o := NewOrder("fuzz-"+status, "alice", PlaceOrderRequest{Name: "Lee", Phone: "+821099998888", OrderType: "prime"}, Fare("prime", 3800), "corr", time.Now())
		o.Status = status
		if err := store.Create(context.Background(), o); err != nil {
			f.Fatalf("seed: %v", err)
		}
	}

	apitest.AddSampleSeeds(f, "order", orderRoutes)
	const customer = "[customers]"
	for _, in := range []apitest.Input{
		{Route: 1, Body: orderBody("basic", testCard), Headers: "idempotency-key: k-1", Sub: "alice", Groups: customer},
		{Route: 1, Body: orderBody("platinum", declinedCard), Sub: "alice", Groups: customer},
		{Route: 1, Body: orderBody("gold", "1234"), Sub: "alice", Groups: customer},
		{Route: 1, Body: `{"name":"","phone":"010","orderType":"basic","cardNo":"4111111111111111","pickup":"a","destination":"a","extra":1}`, Sub: "alice", Groups: customer},
		{Route: 1, Body: `{"name":"a","phone":"+821012345678","orderType":"basic","cardNo":"４１１１１１１１１１１１１１１１","pickup":"` + strings.Repeat("p", 300) + `","destination":"b"}`, Sub: "alice", Groups: customer},
		{Route: 1, Body: "eyJuYW1lIjoxfQ==", Base64: true, Headers: "Idempotency-Key: \x01", Sub: "alice", Groups: `["customers"]`},
		{Route: 1, Body: orderBody("basic", testCard), Sub: "mgr", Groups: "[managers]"},
		{Route: 0, ID: "fuzz-PAID", Sub: "alice", Groups: customer},
		{Route: 0, ID: "fuzz-PAID", Sub: "bob", Groups: customer},
		{Route: 0, ID: "fuzz-PAID", Sub: "mgr", Groups: "[managers]"},
		{Route: 0, ID: strings.Repeat("x", 200), Sub: "alice", Groups: customer},
		{Route: 2, ID: "fuzz-PAID", Body: "{}", Sub: "alice", Groups: customer},
		{Route: 2, ID: "fuzz-DECLINED", Sub: "alice", Groups: customer},
		{Route: 2, ID: "fuzz-CANCELED", Sub: "alice", Groups: customer},
		{Route: 2, ID: "fuzz-CANCELED", Sub: "", Groups: customer},
		{Route: 2, ID: "nope", Body: strings.Repeat("{", 70<<10), Sub: "alice", Groups: customer},
	} {
		in.Add(f)
	}
	f.Fuzz(func(t *testing.T, route uint8, id, body string, base64 bool, query, headers, sub, groups string) {
		in := apitest.FromArgs(route, id, body, base64, query, headers, sub, groups)
		apitest.CheckAPI(t, handlers, in.Request(orderRoutes))
	})
}
