package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/calltaxi/call-taxi/shared/apitest"
	"github.com/calltaxi/call-taxi/shared/bus/bustest"
	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/ddbitem"
	"github.com/calltaxi/call-taxi/shared/ddbtest"
	"github.com/calltaxi/call-taxi/shared/lambdamux"
	"github.com/calltaxi/call-taxi/shared/logging"
)

const testTable = "reservations"

type testEnv struct {
	client   *dynamodb.Client
	stream   *ddbtest.Stream // the Reservations table's stream: publish hands its records to the function
	store    *DynamoStore
	flaky    *flakyStore // the service's store: set its failGet to make reads fail
	bus      *bustest.Recorder
	service  *Service
	handlers lambdamux.Handlers
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	client := ddbtest.New(t, ddbtest.Table{
		Name: testTable, Hash: "id",
		Indexes: []ddbtest.Index{{Name: statusIndex, Hash: "status", Range: "pickupKey"}, {Name: driverIndex, Hash: "driverId", Range: "pickupKey"}},
	})
	store := NewDynamoStore(client, testTable)
	rec := &bustest.Recorder{}
	flaky := &flakyStore{Store: store}
	service := NewService(flaky, seoul)
	return &testEnv{
		client: client, stream: ddbtest.NewStream(t, client, testTable, "id"), store: store, flaky: flaky, bus: rec,
		service: service, handlers: NewHandlers(service, rec, logging.New(io.Discard, "ERROR")),
	}
}

// publish hands the table's stream records since the last call to the function, as the stream's event
// source mapping would, and fails the test when the function reports any of them.
func (e *testEnv) publish(t *testing.T) {
	t.Helper()
	batch := e.stream.Next(t)
	if len(batch.Records) == 0 {
		return
	}
	if failed := streamInvoke(t, e.handlers, batch); len(failed) > 0 {
		t.Fatalf("stream records reported as failed: %v", failed)
	}
}

// streamInvoke sends a stream batch through the function's top-level handler and returns the sequence
// numbers it reported as failed.
func streamInvoke(t *testing.T, handlers lambdamux.Handlers, batch events.DynamoDBEvent) []string {
	t.Helper()
	failed, err := apitest.SubmitStream(handlers, batch)
	if err != nil {
		t.Fatalf("stream invocation: %v", err)
	}
	return failed
}

// deliver hands the events to the function as one SQS batch, then publishes what the writes recorded.
func (e *testEnv) deliver(t *testing.T, evs ...events.EventBridgeEvent) error {
	t.Helper()
	err := apitest.Deliver(t, e.handlers, evs...)
	e.publish(t)
	return err
}

var errStoreDown = errors.New("store down")

// flakyStore fails the reads failGet picks, as a throttled or unreachable table would.
type flakyStore struct {
	Store
	failGet func(id string) bool
}

func (s *flakyStore) Get(ctx context.Context, id string) (*Reservation, error) {
	if s.failGet != nil && s.failGet(id) {
		return nil, errStoreDown
	}
	return s.Store.Get(ctx, id)
}

// seed writes a reservation row as it would be after some history, whose stream records were published.
func (e *testEnv) seed(t *testing.T, r Reservation) {
	t.Helper()
	if r.Entity == "" {
		r.Entity = entityReservation
	}
	if r.CreatedAt == "" {
		r.CreatedAt = time.Now().UTC().Format(ddbitem.TimeLayout)
		r.UpdatedAt = r.CreatedAt
	}
	if r.Version == 0 {
		r.Version = 1
	}
	item, err := attributevalue.MarshalMap(r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(testTable), Item: item}); err != nil {
		t.Fatalf("seed %s: %v", r.ID, err)
	}
	e.stream.Next(t)
}

func (e *testEnv) row(t *testing.T, id string) *Reservation {
	t.Helper()
	r, err := e.store.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("get %s: %v", id, err)
	}
	return r
}

func ebEvent(t *testing.T, ev contracts.Event) events.EventBridgeEvent {
	t.Helper()
	detail, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return events.EventBridgeEvent{DetailType: ev.EventName(), Source: ev.EventSource(), Detail: detail}
}

func apiRequest(routeKey, groups string, path, query map[string]string, body string) events.APIGatewayV2HTTPRequest {
	req := events.APIGatewayV2HTTPRequest{RouteKey: routeKey, PathParameters: path, QueryStringParameters: query, Body: body}
	req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
			Claims: map[string]string{"sub": "user-1", "cognito:groups": groups},
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

// seoul is the company's time zone in the tests (the template's default).
var seoul = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		panic(err)
	}
	return loc
}()
