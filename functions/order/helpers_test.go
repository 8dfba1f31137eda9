package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/calltaxi/call-taxi/shared/bus/bustest"
	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/ddbtest"
	"github.com/calltaxi/call-taxi/shared/idempotency"
	"github.com/calltaxi/call-taxi/shared/lambdamux"
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/metrics"
	"github.com/calltaxi/call-taxi/shared/outbox"
	"github.com/calltaxi/call-taxi/shared/outbox/outboxtest"
	"github.com/calltaxi/call-taxi/shared/runtimeconfig"
	"github.com/calltaxi/call-taxi/shared/runtimeconfig/ssmtest"
	"github.com/calltaxi/call-taxi/shared/validate"
)

const (
	testCard     = "4111 1111 1111 1111"
	declinedCard = "4000000000000002"
	ordersTable  = "orders"
	idemTable    = "order-idempotency"
)

// fakePayments answers like the payment function: declinedCard is declined, other cards approve; while
// failWith is set every call fails with it. gate, when set, holds each charge until it is closed.
type fakePayments struct {
	mu            sync.Mutex
	failWith      error
	invalidField  string
	refundFailure error
	charges       []contracts.PaymentRequest
	approved      int
	refunds       int
	entered       chan struct{}
	gate          chan struct{}
	results       map[string]contracts.PaymentResult // by order id: what Status answers
	statusFailure error
	calls         *callLog // when set, each charge is logged as "lambda.Invoke"
}

func (f *fakePayments) Charge(ctx context.Context, req contracts.PaymentRequest) (contracts.PaymentResult, error) {
	f.mu.Lock()
	f.charges = append(f.charges, req)
	gate, entered := f.gate, f.entered
	f.mu.Unlock()
	f.calls.add("lambda.Invoke")
	if gate != nil {
		entered <- struct{}{}
		<-gate
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case f.failWith != nil:
		return contracts.PaymentResult{}, f.failWith
	case f.invalidField != "":
		return contracts.PaymentResult{Status: contracts.PaymentInvalidStatus, Field: f.invalidField, Reason: "not acceptable"}, nil
	case req.CardNo == declinedCard:
		return contracts.PaymentResult{Status: contracts.PaymentDeclinedStatus, PaymentID: "pay-" + req.OrderID, Reason: "card_declined"}, nil
	}
	f.approved++
	res := contracts.PaymentResult{
		Status: contracts.PaymentApprovedStatus, PaymentID: "pay-" + req.OrderID,
		CardLast4: validate.Last4(req.CardNo), CardBrand: validate.CardBrand(req.CardNo),
	}
	if f.results == nil {
		f.results = map[string]contracts.PaymentResult{}
	}
	f.results[req.OrderID] = res
	return res, nil
}

func (f *fakePayments) Status(ctx context.Context, req contracts.PaymentRequest) (contracts.PaymentResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.statusFailure != nil {
		return contracts.PaymentResult{}, f.statusFailure
	}
	if res, ok := f.results[req.OrderID]; ok {
		return res, nil
	}
	return contracts.PaymentResult{Status: contracts.PaymentNotFoundStatus}, nil
}

func (f *fakePayments) Refund(ctx context.Context, req contracts.PaymentRequest) (contracts.PaymentResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.refundFailure != nil {
		return contracts.PaymentResult{}, f.refundFailure
	}
	f.refunds++
	return contracts.PaymentResult{Status: contracts.PaymentCanceledStatus, PaymentID: "pay-" + req.OrderID}, nil
}

func (f *fakePayments) counts() (charges, approved, refunds int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.charges), f.approved, f.refunds
}

func (f *fakePayments) set(fn func(f *fakePayments)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

const minTaxiPriceParameter = "/test/min-taxi-price"

// fixedFares is a FareConfig that never changes.
type fixedFares int64

func (f fixedFares) MinTaxiPrice(context.Context) (int64, error) { return int64(f), nil }

// testEnv is the whole function against an embedded DynamoDB, a fake payment function and a recording bus
// that the function's outbox publishes to when the test delivers the Orders stream (publish).
type testEnv struct {
	t        *testing.T
	db       *dynamodb.Client // the embedded DynamoDB itself: what the test reads and seeds
	aws      *recordingDB     // the same, as the function's adapters call it
	calls    *callLog
	store    *DynamoStore
	keys     *idempotency.Store
	keyed    *DynamoKeyedOrders
	flaky    *flakyStore // set its failGet to make reads fail
	stream   *outboxtest.Stream
	pay      *fakePayments
	bus      *bustest.Recorder
	logs     *bytes.Buffer
	metrics  *bytes.Buffer
	svc      *Service
	handlers lambdamux.Handlers
	ssm      *ssmtest.Store // the fare configuration; read on every order (TTL 0)
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	db := ddbtest.New(t,
		ddbtest.Table{Name: ordersTable, Hash: "id", Indexes: []ddbtest.Index{
			{Name: pendingIndex, Hash: attrPendingShard, Range: "createdAt"},
		}},
		ddbtest.Table{Name: idemTable, Hash: "key"},
	)
	calls := &callLog{}
	rec := &recordingDB{Client: db, calls: calls}
	e := &testEnv{
		t: t, db: db, aws: rec, calls: calls, store: NewDynamoStore(db, ordersTable), stream: outboxtest.NewStream(ordersTable),
		pay: &fakePayments{calls: calls}, bus: &bustest.Recorder{}, logs: &bytes.Buffer{}, metrics: &bytes.Buffer{},
		ssm: &ssmtest.Store{},
	}
	e.ssm.Put(minTaxiPriceParameter, "3800")
	e.flaky = &flakyStore{Store: NewDynamoStore(rec, ordersTable)}
	e.keys = idempotency.New(rec, idemTable, 24*time.Hour, 30*time.Second)
	e.keyed = NewDynamoKeyedOrders(rec, ordersTable, e.keys)
	logger := logging.New(&lockedWriter{w: e.logs}, "DEBUG")
	e.svc = NewService(&streamingStore{Store: e.flaky, raw: e.store, stream: e.stream}, &streamingKeyed{KeyedOrders: e.keyed, raw: e.store, stream: e.stream},
		e.pay, e.keys, metrics.New(&lockedWriter{w: e.metrics}, "order"),
		NewParameterFares(runtimeconfig.New(e.ssm, 0, logger), minTaxiPriceParameter))
	e.handlers = NewHandlers(e.svc, outbox.NewHandler(DeriveEvents, e.bus, logger), logger)
	return e
}

// publish delivers the stream's new records to the function's outbox; failed reports whether any record
// failed (it stays on the stream).
func (e *testEnv) publish() (failed bool) {
	e.t.Helper()
	resp, err := e.stream.Deliver(context.Background(), e.handlers.Stream)
	if err != nil {
		e.t.Fatalf("stream handler: %v", err)
	}
	return len(resp.BatchItemFailures) > 0
}

// streamingStore records every write of the Orders table on a stream, as DynamoDB Streams would (reading
// the images through raw, so the function's own calls are the only ones logged).
type streamingStore struct {
	Store
	raw    *DynamoStore
	stream *outboxtest.Stream
}

func (s *streamingStore) Create(ctx context.Context, o Order) error {
	err := s.Store.Create(ctx, o)
	if err == nil {
		err = s.stream.Add(nil, o)
	}
	return err
}

// changed records the change an update made: old is the row before it.
func (s *streamingStore) changed(old Order, new Order, err error) (Order, error) {
	if err == nil {
		err = s.stream.Add(old, new)
	}
	return new, err
}

func (s *streamingStore) before(ctx context.Context, id string) Order {
	o, _ := s.raw.Get(ctx, id)
	return o
}

func (s *streamingStore) MarkPaid(ctx context.Context, id string, p PaymentInfo, at time.Time) (Order, error) {
	old := s.before(ctx, id)
	o, err := s.Store.MarkPaid(ctx, id, p, at)
	return s.changed(old, o, err)
}

func (s *streamingStore) MarkDeclined(ctx context.Context, id, reason string, at time.Time) (Order, error) {
	old := s.before(ctx, id)
	o, err := s.Store.MarkDeclined(ctx, id, reason, at)
	return s.changed(old, o, err)
}

func (s *streamingStore) MarkCanceled(ctx context.Context, id string, at time.Time) (Order, error) {
	old := s.before(ctx, id)
	o, err := s.Store.MarkCanceled(ctx, id, at)
	return s.changed(old, o, err)
}

func (s *streamingStore) Park(ctx context.Context, id string, version int64, at time.Time) error {
	old := s.before(ctx, id)
	if err := s.Store.Park(ctx, id, version, at); err != nil {
		return err
	}
	_, err := s.changed(old, s.before(ctx, id), nil)
	return err
}

func (s *streamingStore) Unpark(ctx context.Context, id string, at time.Time) (Order, error) {
	old := s.before(ctx, id)
	o, err := s.Store.Unpark(ctx, id, at)
	return s.changed(old, o, err)
}

// callLog lists the AWS calls a request made, in order.
type callLog struct {
	mu    sync.Mutex
	calls []string
}

func (l *callLog) add(call string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, call)
}

// take returns the calls logged since the last take.
func (l *callLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	calls := l.calls
	l.calls = nil
	return calls
}

// recordingDB is the embedded DynamoDB as the function calls it: each call is logged, and txFault, when
// set, may answer the n-th TransactWriteItems (from 1) in DynamoDB's place.
type recordingDB struct {
	*dynamodb.Client
	calls *callLog

	mu      sync.Mutex
	txCalls int
	txFault func(n int, in *dynamodb.TransactWriteItemsInput) error
}

func (r *recordingDB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	r.calls.add("dynamodb.GetItem")
	return r.Client.GetItem(ctx, in, opts...)
}

func (r *recordingDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	r.calls.add("dynamodb.PutItem")
	return r.Client.PutItem(ctx, in, opts...)
}

func (r *recordingDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	r.calls.add("dynamodb.UpdateItem")
	return r.Client.UpdateItem(ctx, in, opts...)
}

func (r *recordingDB) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	r.calls.add("dynamodb.Query")
	return r.Client.Query(ctx, in, opts...)
}

func (r *recordingDB) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	r.calls.add("dynamodb.TransactWriteItems")
	r.mu.Lock()
	r.txCalls++
	n, fault := r.txCalls, r.txFault
	r.mu.Unlock()
	if fault != nil {
		if err := fault(n, in); err != nil {
			return nil, err
		}
	}
	return r.Client.TransactWriteItems(ctx, in, opts...)
}

func (r *recordingDB) faultTransactions(fault func(n int, in *dynamodb.TransactWriteItemsInput) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.txCalls, r.txFault = 0, fault
}

// streamingKeyed records the Orders table's change of every keyed transaction on the stream, as DynamoDB
// Streams would: the images are the item as read before and after it.
type streamingKeyed struct {
	KeyedOrders
	raw    *DynamoStore
	stream *outboxtest.Stream
}

func (s *streamingKeyed) CreateClaimed(ctx context.Context, o Order, key, fingerprint string) (idempotency.Record, bool, error) {
	rec, started, err := s.KeyedOrders.CreateClaimed(ctx, o, key, fingerprint)
	if err == nil && started && rec.Ref == o.ID {
		written, gerr := s.raw.Get(ctx, o.ID)
		if gerr != nil {
			return rec, started, gerr
		}
		err = s.stream.Add(nil, written)
	}
	return rec, started, err
}

func (s *streamingKeyed) MarkPaidAnswering(ctx context.Context, id string, p PaymentInfo, at time.Time, key string, result any) error {
	return s.changed(ctx, id, func() error { return s.KeyedOrders.MarkPaidAnswering(ctx, id, p, at, key, result) })
}

func (s *streamingKeyed) MarkDeclinedAnswering(ctx context.Context, id, reason string, at time.Time, key string, result any) error {
	return s.changed(ctx, id, func() error { return s.KeyedOrders.MarkDeclinedAnswering(ctx, id, reason, at, key, result) })
}

func (s *streamingKeyed) changed(ctx context.Context, id string, write func() error) error {
	old, _ := s.raw.Get(ctx, id)
	if err := write(); err != nil {
		return err
	}
	now, err := s.raw.Get(ctx, id)
	if err != nil {
		return err
	}
	return s.stream.Add(old, now)
}

var errStoreDown = errors.New("store down")

// flakyStore fails the reads failGet picks, as a throttled or unreachable table would.
type flakyStore struct {
	Store
	failGet func(id string) bool
}

func (s *flakyStore) Get(ctx context.Context, id string) (Order, error) {
	if s.failGet != nil && s.failGet(id) {
		return Order{}, errStoreDown
	}
	return s.Store.Get(ctx, id)
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

// caller is a JWT subject and its Cognito group.
type caller struct{ sub, group string }

var (
	alice   = caller{"alice", "customers"}
	bob     = caller{"bob", "customers"}
	manager = caller{"mgr", "managers"}
	driver  = caller{"drv", "drivers"}
)

func apiRequest(routeKey string, who caller, id, body string, headers map[string]string) events.APIGatewayV2HTTPRequest {
	req := events.APIGatewayV2HTTPRequest{RouteKey: routeKey, Body: body, Headers: headers}
	req.RequestContext.RequestID = "req-1"
	if id != "" {
		req.PathParameters = map[string]string{"id": id}
	}
	if who.sub != "" {
		req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
				Claims: map[string]string{"sub": who.sub, "cognito:groups": "[" + who.group + "]"},
			},
		}
	}
	return req
}

func (e *testEnv) call(req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	e.t.Helper()
	resp, err := e.handlers.API(context.Background(), req)
	if err != nil {
		e.t.Fatalf("%s: handler error %v", req.RouteKey, err)
	}
	return resp
}

func orderBody(orderType, card string) string {
	return fmt.Sprintf(`{"name":"Kim Minji","phone":"+821012345678","orderType":%q,"cardNo":%q,"pickup":"Gangnam Station","destination":"Incheon Airport"}`, orderType, card)
}

func (e *testEnv) place(who caller, body, key string) events.APIGatewayV2HTTPResponse {
	var headers map[string]string
	if key != "" {
		headers = map[string]string{"idempotency-key": key}
	}
	return e.call(apiRequest("POST /orders", who, "", body, headers))
}

// placePaid places an approved order for who and returns it.
func (e *testEnv) placePaid(who caller) OrderView {
	e.t.Helper()
	resp := e.place(who, orderBody("basic", testCard), "")
	if resp.StatusCode != 201 {
		e.t.Fatalf("place = %d %s", resp.StatusCode, resp.Body)
	}
	return decodeView(e.t, resp)
}

func decodeView(t *testing.T, resp events.APIGatewayV2HTTPResponse) OrderView {
	t.Helper()
	var v OrderView
	if err := json.Unmarshal([]byte(resp.Body), &v); err != nil {
		t.Fatalf("decode %s: %v", resp.Body, err)
	}
	return v
}

type errorResponse struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

func decodeError(t *testing.T, resp events.APIGatewayV2HTTPResponse) errorResponse {
	t.Helper()
	var e errorResponse
	if err := json.Unmarshal([]byte(resp.Body), &e); err != nil {
		t.Fatalf("decode error %s: %v", resp.Body, err)
	}
	return e
}

func (e *testEnv) order(id string) Order {
	e.t.Helper()
	o, err := e.store.Get(context.Background(), id)
	if err != nil {
		e.t.Fatalf("get order %s: %v", id, err)
	}
	return o
}

// seed puts an order row as it would be in the given state.
func (e *testEnv) seed(id, customer, status string) {
	e.t.Helper()
	req := PlaceOrderRequest{Name: "Lee", Phone: "+821099998888", OrderType: "prime"}
	o := NewOrder(id, customer, req, Fare("prime", 3800), "corr-"+id, time.Now())
	o.Status = status
	if status != StatusPendingPayment {
		o.PendingShard = ""
	}
	if status == StatusPaid || status == StatusCanceled {
		o.PaymentID, o.CardLast4, o.CardBrand = "pay-"+id, "1111", "visa"
	}
	if err := e.store.Create(context.Background(), o); err != nil {
		e.t.Fatalf("seed %s: %v", id, err)
	}
}
