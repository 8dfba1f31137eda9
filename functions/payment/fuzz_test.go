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
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/metrics"
	"github.com/calltaxi/call-taxi/shared/outbox"
)

var paymentRoutes = []string{"GET /paymentHistories"}

// FuzzPaymentAPI sends any request to the payment history route of the whole function.
func FuzzPaymentAPI(f *testing.F) {
	db := ddbtest.New(f, ddbtest.Table{Name: paymentsTable, Hash: "id", Indexes: []ddbtest.Index{{Name: "orderId-index", Hash: "orderId"}}})
	store := NewDynamoStore(db, paymentsTable)
	logger := logging.New(io.Discard, "ERROR")
	svc := NewService(store, nil, metrics.New(io.Discard, "payment"))
	handlers := NewRecordsHandlers(svc, outbox.NewHandler(DeriveEvents, &bustest.Recorder{}, logger), logger)
	cmd := ChargeCommand{OrderID: "o-fuzz", CustomerID: "alice", OrderType: "basic", Amount: 3800, CardNo: testCard}
	if err := store.Create(context.Background(), NewPayment(cmd, "corr", time.Now())); err != nil {
		f.Fatalf("seed: %v", err)
	}

	apitest.AddSampleSeeds(f, "payment", paymentRoutes)
	for _, in := range []apitest.Input{
		{Query: "orderId=o-fuzz", Sub: "alice", Groups: "[customers]"},
		{Query: "orderId=o-fuzz", Sub: "bob", Groups: "[customers]"},
		{Query: "orderId=o-fuzz", Sub: "mgr", Groups: "[managers]"},
		{Query: "orderId=o-fuzz", Sub: "drv", Groups: "[drivers]"},
		{Query: "orderId=" + strings.Repeat("9", 300), Sub: "alice", Groups: "[customers]"},
		{Query: "orderId=%00&orderId=", Sub: "alice", Groups: "customers,managers"},
		{Query: "orderId=o-fuzz", Groups: "[customers]"},
	} {
		in.Add(f)
	}
	f.Fuzz(func(t *testing.T, route uint8, id, body string, base64 bool, query, headers, sub, groups string) {
		in := apitest.FromArgs(route, id, body, base64, query, headers, sub, groups)
		apitest.CheckAPI(t, handlers, in.Request(paymentRoutes))
	})
}
