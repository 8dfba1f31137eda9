package cloud

import (
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
