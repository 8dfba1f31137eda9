package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

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
	if _, err := NewService(store).Project(context.Background(), orderRec(2, "PAID", 1), at(1)); err != nil {
		f.Fatalf("seed: %v", err)
	}
	return NewHandlers(store, quietLogger())
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
	names, newImages, oldImages := streamSeeds(f, "mypage")
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
		if ev, ok := streamEvent(name, newImage, oldImage); ok {
			checkStream(t, handlers, ev)
		}
	})
}

var streamEventNames = []string{"INSERT", "MODIFY", "REMOVE"}

// streamSample is the part of a stream sample the seeds take: each record's name and raw images.
type streamSample struct {
	Records []struct {
		EventName string `json:"eventName"`
		DynamoDB  struct {
			NewImage json.RawMessage `json:"NewImage"`
			OldImage json.RawMessage `json:"OldImage"`
		} `json:"dynamodb"`
	} `json:"Records"`
}

// streamSeeds returns the records of the stream samples events/<prefix>-*stream.json.
func streamSeeds(f *testing.F, prefix string) (names []uint8, newImages, oldImages [][]byte) {
	files, _ := filepath.Glob("../../events/" + prefix + "-*stream.json")
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var sample streamSample
		if err := json.Unmarshal(raw, &sample); err != nil {
			f.Fatalf("%s: %v", file, err)
		}
		for _, rec := range sample.Records {
			names = append(names, uint8(max(0, slices.Index(streamEventNames, rec.EventName))))
			newImages = append(newImages, rec.DynamoDB.NewImage)
			oldImages = append(oldImages, rec.DynamoDB.OldImage)
		}
	}
	if len(names) == 0 {
		f.Fatalf("no %s stream samples", prefix)
	}
	return names, newImages, oldImages
}

// streamEvent decodes a one-record batch the way Lambda's runtime would; ok is false when the images are
// not even JSON of attribute values (Lambda would never deliver that).
func streamEvent(name uint8, newImage, oldImage []byte) (events.DynamoDBEvent, bool) {
	change := map[string]any{"SequenceNumber": "100", "StreamViewType": "NEW_AND_OLD_IMAGES"}
	if len(newImage) > 0 {
		change["NewImage"] = json.RawMessage(newImage)
	}
	if len(oldImage) > 0 {
		change["OldImage"] = json.RawMessage(oldImage)
	}
	rec := map[string]any{"eventName": streamEventNames[int(name)%len(streamEventNames)], "eventSource": "aws:dynamodb", "dynamodb": change}
	raw, err := json.Marshal(map[string]any{"Records": []any{rec}})
	if err != nil {
		return events.DynamoDBEvent{}, false
	}
	var ev events.DynamoDBEvent
	if json.Unmarshal(raw, &ev) != nil {
		return events.DynamoDBEvent{}, false
	}
	return ev, true
}

// checkStream runs the stream handler: it must not panic, and must not fail the invocation (a function
// error retries the whole batch); record-level failures are reported in the response instead.
func checkStream(t *testing.T, handlers lambdamux.Handlers, ev events.DynamoDBEvent) {
	t.Helper()
	resp, err := handlers.Stream(context.Background(), ev)
	if err != nil {
		t.Fatalf("stream handler error: %v", err)
	}
	if resp.BatchItemFailures == nil {
		t.Fatal("response without a batchItemFailures list")
	}
}
