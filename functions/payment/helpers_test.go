package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/calltaxi/call-taxi/shared/bus/bustest"
	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/ddbtest"
	"github.com/calltaxi/call-taxi/shared/lambdamux"
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/metrics"
	"github.com/calltaxi/call-taxi/shared/outbox"
	"github.com/calltaxi/call-taxi/shared/outbox/outboxtest"
)

const (
	paymentsTable = "payments"
	testCard      = "4111111111111111"
)

var errGatewayDown = errors.New("gateway down")

// countingGateway counts the calls reaching the simulated gateway and the distinct keys it approved and
// refunded; while fail is set the calls fail.
type countingGateway struct {
	sim      *SimulatedGateway
	mu       sync.Mutex
	charges  int
	refunds  int
	approved map[string]bool
	refunded map[string]bool
	fail     bool
}

func (g *countingGateway) Charge(ctx context.Context, req ChargeRequest) (Outcome, error) {
	g.mu.Lock()
	g.charges++
	fail := g.fail
	g.mu.Unlock()
	if fail {
		return Outcome{}, errGatewayDown
	}
	out, err := g.sim.Charge(ctx, req)
	if err == nil && out.Approved {
		g.mu.Lock()
		if g.approved == nil {
			g.approved = map[string]bool{}
		}
		g.approved[req.IdempotencyKey] = true
		g.mu.Unlock()
	}
	return out, err
}

// approvals counts the distinct charges the gateway approved.
func (g *countingGateway) approvals() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.approved)
}

func (g *countingGateway) Refund(ctx context.Context, key string, amount int64) error {
	g.mu.Lock()
	g.refunds++
	fail := g.fail
	g.mu.Unlock()
	if fail {
		return errGatewayDown
	}
	if err := g.sim.Refund(ctx, key, amount); err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.refunded == nil {
		g.refunded = map[string]bool{}
	}
	g.refunded[key] = true
	return nil
}

func (g *countingGateway) calls() (charges, refunds int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.charges, g.refunds
}

func (g *countingGateway) setFail(fail bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.fail = fail
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// streamingStore records every write of the Payments table on a stream, as DynamoDB Streams would.
type streamingStore struct {
	Store
	stream *outboxtest.Stream
}

func (s *streamingStore) Create(ctx context.Context, p Payment) error {
	err := s.Store.Create(ctx, p)
	if err == nil {
		err = s.stream.Add(nil, p)
	}
	return err
}

func (s *streamingStore) Transition(ctx context.Context, id, from, to, reason string, at time.Time) (Payment, error) {
	p, err := s.Store.Transition(ctx, id, from, to, reason, at)
	if err == nil {
		old := p
		old.Status, old.Version = from, p.Version-1
		if reason != "" {
			old.DeclineReason = ""
		}
		err = s.stream.Add(old, p)
	}
	return p, err
}

// testEnv is the context's two functions against an embedded DynamoDB, the simulated gateway and a
// recording bus: charges is PaymentFunction, records PaymentRecordsFunction, whose outbox publishes what
// the Payments table's stream carries when the test calls publish.
type testEnv struct {
	t        *testing.T
	db       *dynamodb.Client
	store    *DynamoStore
	stream   *outboxtest.Stream
	gateway  *countingGateway
	bus      *bustest.Recorder
	logs     *bytes.Buffer
	charges  lambdamux.Handlers
	records  lambdamux.Handlers
	handlers lambdamux.Handlers // both functions' triggers, for the sample events
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	db := ddbtest.New(t, ddbtest.Table{Name: paymentsTable, Hash: "id", Indexes: []ddbtest.Index{{Name: "orderId-index", Hash: "orderId"}}})
	e := &testEnv{
		t: t, db: db, store: NewDynamoStore(db, paymentsTable), stream: outboxtest.NewStream(paymentsTable),
		gateway: &countingGateway{sim: &SimulatedGateway{}}, bus: &bustest.Recorder{}, logs: &bytes.Buffer{},
	}
	store := &streamingStore{Store: e.store, stream: e.stream}
	logger := logging.New(&lockedWriter{w: e.logs}, "DEBUG")
	rec := metrics.New(io.Discard, "payment")
	e.charges = NewChargeHandlers(NewService(store, e.gateway, rec), logger)
	e.records = NewRecordsHandlers(NewService(store, nil, rec), outbox.NewHandler(DeriveEvents, e.bus, logger), logger)
	e.handlers = lambdamux.Handlers{API: e.records.API, Stream: e.records.Stream, Direct: func(ctx context.Context, payload json.RawMessage) (any, error) {
		var req contracts.PaymentRequest
		_ = json.Unmarshal(payload, &req)
		if req.Action == contracts.PaymentActionStatus {
			return e.records.Direct(ctx, payload)
		}
		return e.charges.Direct(ctx, payload)
	}}
	return e
}

// publish delivers the stream's new records to the records function's outbox; failed reports whether
// any record failed (it stays on the stream).
func (e *testEnv) publish() (failed bool) {
	e.t.Helper()
	resp, err := e.stream.Deliver(context.Background(), e.records.Stream)
	if err != nil {
		e.t.Fatalf("stream handler: %v", err)
	}
	return len(resp.BatchItemFailures) > 0
}

func chargeRequest(orderID, card string) contracts.PaymentRequest {
	return contracts.PaymentRequest{
		Action: contracts.PaymentActionCharge, OrderID: orderID, CustomerID: "alice", OrderType: "prime",
		Amount: 5700, CardNo: card, CorrelationID: "corr-" + orderID,
	}
}

func refundRequest(orderID string) contracts.PaymentRequest {
	return contracts.PaymentRequest{Action: contracts.PaymentActionRefund, OrderID: orderID, CustomerID: "alice", CorrelationID: "corr-refund"}
}

// invoke sends req the way Lambda Invoke does: JSON bytes through the top-level handler of the function
// order invokes for that action.
func (e *testEnv) invoke(req contracts.PaymentRequest) (contracts.PaymentResult, error) {
	e.t.Helper()
	payload, err := json.Marshal(req)
	if err != nil {
		e.t.Fatal(err)
	}
	out, err := e.handlers.Invoke(context.Background(), payload)
	if err != nil {
		return contracts.PaymentResult{}, err
	}
	var res contracts.PaymentResult
	if err := json.Unmarshal(out, &res); err != nil {
		e.t.Fatalf("decode result %s: %v", out, err)
	}
	return res, nil
}

func (e *testEnv) mustInvoke(req contracts.PaymentRequest) contracts.PaymentResult {
	e.t.Helper()
	res, err := e.invoke(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Action, req.OrderID, err)
	}
	return res
}

func (e *testEnv) payment(orderID string) Payment {
	e.t.Helper()
	p, err := e.store.Get(context.Background(), PaymentID(orderID))
	if err != nil {
		e.t.Fatalf("get payment of %s: %v", orderID, err)
	}
	return p
}

// seed puts a payment row in the given state for customer (not on the stream).
func (e *testEnv) seed(orderID, customer, status string) {
	e.t.Helper()
	cmd := ChargeCommand{OrderID: orderID, CustomerID: customer, OrderType: "basic", Amount: 3800, CardNo: testCard}
	p := NewPayment(cmd, "corr-"+orderID, time.Now())
	p.Status = status
	if err := e.store.Create(context.Background(), p); err != nil {
		e.t.Fatalf("seed %s: %v", orderID, err)
	}
}

type caller struct{ sub, group string }

func historyRequest(who caller, query map[string]string) events.APIGatewayV2HTTPRequest {
	req := events.APIGatewayV2HTTPRequest{RouteKey: "GET /paymentHistories", QueryStringParameters: query}
	req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
			Claims: map[string]string{"sub": who.sub, "cognito:groups": "[" + who.group + "]"},
		},
	}
	return req
}
