package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/apitest"
	"github.com/calltaxi/call-taxi/shared/bus/bustest"
	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/ddbitem"
	"github.com/calltaxi/call-taxi/shared/ddbtest"
	"github.com/calltaxi/call-taxi/shared/lambdamux"
	"github.com/calltaxi/call-taxi/shared/logging"
)

const (
	testTaxisTable       = "taxis"
	testAssignmentsTable = "taxi-assignments"
	driverSub            = "driver-1"
)

type testEnv struct {
	stream   *ddbtest.Stream // the TaxiAssignments table's stream: publish hands its records to the function
	store    *DynamoStore
	flaky    *flakyStore // the service's store: set its failGetTaxi to make taxi reads fail
	bus      *bustest.Recorder
	service  *Service
	handlers lambdamux.Handlers
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	client := ddbtest.New(t,
		ddbtest.Table{Name: testTaxisTable, Hash: "id", Indexes: []ddbtest.Index{{Name: gradeIndex, Hash: "grade"}}},
		ddbtest.Table{Name: testAssignmentsTable, Hash: "reservationId"},
	)
	store := NewDynamoStore(client, testTaxisTable, testAssignmentsTable)
	rec := &bustest.Recorder{}
	flaky := &flakyStore{Store: store}
	service := NewService(flaky, nil)
	return &testEnv{
		stream: ddbtest.NewStream(t, client, testAssignmentsTable, "reservationId"), store: store, flaky: flaky, bus: rec,
		service: service, handlers: NewHandlers(service, rec, logging.New(io.Discard, "ERROR")),
	}
}

// publish hands the assignments stream's records since the last call to the function, as the stream's
// event source mapping would, and fails the test when the function reports any of them.
func (e *testEnv) publish(t *testing.T) {
	t.Helper()
	batch := e.stream.Next(t)
	if len(batch.Records) == 0 {
		return
	}
	failed, err := apitest.SubmitStream(e.handlers, batch)
	if err != nil || len(failed) > 0 {
		t.Fatalf("stream records reported as failed: %v %v", failed, err)
	}
}

// deliver hands the events to the function as one SQS batch, then publishes what the writes recorded.
func (e *testEnv) deliver(t *testing.T, evs ...events.EventBridgeEvent) error {
	t.Helper()
	err := apitest.Deliver(t, e.handlers, evs...)
	e.publish(t)
	return err
}

var errStoreDown = errors.New("store down")

// flakyStore fails the taxi reads failGetTaxi picks, as a throttled or unreachable table would.
type flakyStore struct {
	Store
	failGetTaxi func(id string) bool
}

func (s *flakyStore) GetTaxi(ctx context.Context, id string) (*Taxi, error) {
	if s.failGetTaxi != nil && s.failGetTaxi(id) {
		return nil, errStoreDown
	}
	return s.Store.GetTaxi(ctx, id)
}

// seedTaxi registers a taxi with the given stock, all of it supplied.
func (e *testEnv) seedTaxi(t *testing.T, id, grade string, stock int64) Taxi {
	t.Helper()
	at := time.Now().UTC().Format(ddbitem.TimeLayout)
	taxi := Taxi{ID: id, DriverID: driverSub, TaxiName: "Taxi " + id, CompanyName: "Seoul Cabs", Grade: grade,
		StockCnt: stock, ItemPrice: 5700, SuppliedCnt: stock, Version: 1, CreatedAt: at, UpdatedAt: at}
	if err := e.store.CreateTaxi(context.Background(), taxi); err != nil {
		t.Fatalf("seed taxi: %v", err)
	}
	return taxi
}

func (e *testEnv) taxi(t *testing.T, id string) Taxi {
	t.Helper()
	taxi, err := e.store.GetTaxi(context.Background(), id)
	if err != nil || taxi == nil {
		t.Fatalf("get taxi %s: %v %v", id, taxi, err)
	}
	return *taxi
}

func (e *testEnv) assignment(t *testing.T, reservationID string) *Assignment {
	t.Helper()
	a, err := e.store.GetAssignment(context.Background(), reservationID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func ebEvent(t *testing.T, ev contracts.Event) events.EventBridgeEvent {
	t.Helper()
	detail, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return events.EventBridgeEvent{DetailType: ev.EventName(), Source: ev.EventSource(), Detail: detail}
}

func confirmed(reservationID, taxiID, grade string, attempt int) *contracts.ReservationConfirmed {
	return &contracts.ReservationConfirmed{ReservationID: reservationID, OrderID: "o-" + reservationID, OrderType: grade, TaxiID: taxiID, Attempt: attempt}
}

func canceled(reservationID string) *contracts.ReservationCanceled {
	return &contracts.ReservationCanceled{ReservationID: reservationID, OrderID: "o-" + reservationID}
}

func apiRequest(routeKey, sub, groups string, path, query map[string]string, body string) events.APIGatewayV2HTTPRequest {
	req := events.APIGatewayV2HTTPRequest{RouteKey: routeKey, PathParameters: path, QueryStringParameters: query, Body: body}
	req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
			Claims: map[string]string{"sub": sub, "cognito:groups": groups},
		},
	}
	return req
}

type errorResponse struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

func decodeBody[T any](t *testing.T, resp events.APIGatewayV2HTTPResponse) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(resp.Body), &v); err != nil {
		t.Fatalf("decode %q: %v", resp.Body, err)
	}
	return v
}
