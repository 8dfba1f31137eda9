package cloud

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func TestAPICallsCountsEachOperationAndPassesItOn(t *testing.T) {
	var calls apiCalls
	served := 0
	h := calls.count(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served++ }))
	requests := []func() *http.Request{
		func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
			r.Header.Set("X-Amz-Target", "DynamoDB_20120810.PutItem")
			return r
		},
		func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
			r.Header.Set("X-Amz-Target", "DynamoDB_20120810.PutItem")
			return r
		},
		func() *http.Request {
			return httptest.NewRequest(http.MethodPost, "/2015-03-31/functions/pay/invocations", strings.NewReader("{}"))
		},
		func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("Action=Publish&Message=hi"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		},
	}
	for _, req := range requests {
		h.ServeHTTP(httptest.NewRecorder(), req())
	}
	want := map[string]int64{"dynamodb.PutItem": 2, "lambda.Invoke": 1, "sns.Publish": 1}
	if got := calls.snapshot(); !reflect.DeepEqual(got, want) {
		t.Fatalf("calls %v, want %v", got, want)
	}
	if served != len(requests) {
		t.Fatalf("%d requests reached the services, want %d", served, len(requests))
	}
}

func TestAPICallsCountsUnknownTargetsBeyondTheBoundAsOther(t *testing.T) {
	var calls apiCalls
	h := calls.count(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for i := range maxOperationsCounted + 10 {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
		r.Header.Set("X-Amz-Target", fmt.Sprintf("Invented_%d.Op", i))
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	got := calls.snapshot()
	if len(got) != maxOperationsCounted+1 || got["other"] != 10 {
		t.Fatalf("%d names, %d counted as other; want %d names and 10", len(got), got["other"], maxOperationsCounted+1)
	}
}
