package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		header string
		want   time.Duration
	}{
		{"2", 2 * time.Second},
		{"0", 0},
		{"", 500 * time.Millisecond},
		{"soon", 500 * time.Millisecond},
		{"-1", 500 * time.Millisecond},
	}
	for _, tt := range tests {
		r := Response{Header: http.Header{}}
		if tt.header != "" {
			r.Header.Set("Retry-After", tt.header)
		}
		if got := r.RetryAfter(500 * time.Millisecond); got != tt.want {
			t.Errorf("RetryAfter(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestDoSendsTokenAndBodyAndReadsErrorCode(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" || r.Header.Get("Idempotency-Key") != "k1" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"error":{"code":"PAYMENT_BUSY","message":"busy"}}`))
	}))
	defer srv.Close()
	c := New(srv.URL, 4)
	resp, err := c.Do(context.Background(), Request{Method: http.MethodPost, Path: "/orders", Token: "tok",
		Body: map[string]string{"a": "b"}, Headers: map[string]string{"Idempotency-Key": "k1"}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusTooManyRequests || resp.ErrorCode() != "PAYMENT_BUSY" || resp.RetryAfter(0) != time.Second {
		t.Errorf("got %d %q retry %v", resp.Status, resp.ErrorCode(), resp.RetryAfter(0))
	}
}

func TestTableDecodesItems(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/_local/tables/OrdersTable" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(`{"table":"t","items":[{"id":"o1","version":2}]}`))
	}))
	defer srv.Close()
	items, err := New(srv.URL, 1).Table(context.Background(), "OrdersTable")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0]["id"] != "o1" {
		t.Errorf("items = %v", items)
	}
	if _, err := New(srv.URL, 1).Table(context.Background(), "Nope"); err == nil {
		t.Error("a 404 table read should fail")
	}
}
