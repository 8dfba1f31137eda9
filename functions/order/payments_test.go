package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/calltaxi/call-taxi/shared/contracts"
)

// lambdaInvokeServer speaks the Lambda Invoke HTTP API with a canned answer and records what it got.
type lambdaInvokeServer struct {
	mu       sync.Mutex
	paths    []string
	payloads []contracts.PaymentRequest
	respond  func(w http.ResponseWriter)
}

func (s *lambdaInvokeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req contracts.PaymentRequest
	_ = json.Unmarshal(body, &req)
	s.mu.Lock()
	s.paths = append(s.paths, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
	s.payloads = append(s.payloads, req)
	s.mu.Unlock()
	s.respond(w)
}

func newLambdaClient(t *testing.T, h http.Handler) *awslambda.Client {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return awslambda.New(awslambda.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 1,
	})
}

func TestLambdaPaymentsMapsInvokeOutcomes(t *testing.T) {
	tests := []struct {
		name    string
		respond func(w http.ResponseWriter)
		wantErr error
		want    contracts.PaymentResult
	}{
		{
			name: "throttled",
			respond: func(w http.ResponseWriter) {
				w.Header().Set("X-Amzn-ErrorType", "TooManyRequestsException")
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = io.WriteString(w, `{"Type":"User","message":"Rate Exceeded.","Reason":"ReservedFunctionConcurrentInvocationLimitExceeded"}`)
			},
			wantErr: ErrPaymentThrottled,
		},
		{
			name: "function error",
			respond: func(w http.ResponseWriter) {
				w.Header().Set("X-Amz-Function-Error", "Unhandled")
				_, _ = io.WriteString(w, `{"errorType":"Sandbox.Timedout","errorMessage":"Task timed out after 10.00 seconds"}`)
			},
			wantErr: ErrPaymentUnavailable,
		},
		{
			name: "service error",
			respond: func(w http.ResponseWriter) {
				w.Header().Set("X-Amzn-ErrorType", "ServiceException")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = io.WriteString(w, `{"message":"internal"}`)
			},
			wantErr: ErrPaymentUnavailable,
		},
		{
			name: "unreadable result",
			respond: func(w http.ResponseWriter) {
				_, _ = io.WriteString(w, `"not a result"`)
			},
			wantErr: ErrPaymentUnavailable,
		},
		{
			name: "approved",
			respond: func(w http.ResponseWriter) {
				_, _ = io.WriteString(w, `{"status":"APPROVED","paymentId":"pay-o1","cardLast4":"1111","cardBrand":"visa"}`)
			},
			want: contracts.PaymentResult{Status: "APPROVED", PaymentID: "pay-o1", CardLast4: "1111", CardBrand: "visa"},
		},
		{
			name: "declined",
			respond: func(w http.ResponseWriter) {
				_, _ = io.WriteString(w, `{"status":"DECLINED","paymentId":"pay-o1","reason":"card_declined"}`)
			},
			want: contracts.PaymentResult{Status: "DECLINED", PaymentID: "pay-o1", Reason: "card_declined"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &lambdaInvokeServer{respond: tt.respond}
			payments := NewLambdaPayments(newLambdaClient(t, srv), "payment-fn", "payment-records-fn", "live")
			got, err := payments.Charge(context.Background(), contracts.PaymentRequest{OrderID: "o1", CustomerID: "alice", Amount: 3800, CardNo: "4111111111111111"})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "4111111111111111") {
					t.Errorf("error text carries the card number: %v", err)
				}
			} else if err != nil || got != tt.want {
				t.Fatalf("Charge = %+v, %v; want %+v", got, err, tt.want)
			}
			if len(srv.paths) != 1 {
				t.Fatalf("invoked %d times, want exactly 1 (no SDK retries)", len(srv.paths))
			}
			if srv.paths[0] != "POST /2015-03-31/functions/payment-fn/invocations?Qualifier=live" {
				t.Errorf("request = %s", srv.paths[0])
			}
			if p := srv.payloads[0]; p.Action != contracts.PaymentActionCharge || p.OrderID != "o1" || p.Amount != 3800 {
				t.Errorf("payload = %+v", p)
			}
		})
	}
}

func TestLambdaPaymentsRefundSendsRefundAction(t *testing.T) {
	srv := &lambdaInvokeServer{respond: func(w http.ResponseWriter) {
		_, _ = io.WriteString(w, `{"status":"CANCELED","paymentId":"pay-o1"}`)
	}}
	payments := NewLambdaPayments(newLambdaClient(t, srv), "payment-fn", "payment-records-fn", "live")
	got, err := payments.Refund(context.Background(), contracts.PaymentRequest{OrderID: "o1", CustomerID: "alice"})
	if err != nil || got.Status != contracts.PaymentCanceledStatus {
		t.Fatalf("Refund = %+v, %v", got, err)
	}
	if srv.payloads[0].Action != contracts.PaymentActionRefund {
		t.Errorf("action = %q", srv.payloads[0].Action)
	}
}

func TestLambdaPaymentsTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := &lambdaInvokeServer{respond: func(w http.ResponseWriter) { <-release }}
	payments := NewLambdaPayments(newLambdaClient(t, srv), "payment-fn", "payment-records-fn", "live")
	defer close(release)
	// A Lambda deadline 1.2 s away leaves the invoke 0.2 s.
	ctx, cancel := context.WithTimeout(context.Background(), 1200*time.Millisecond)
	defer cancel()
	started := time.Now()
	_, err := payments.Charge(ctx, contracts.PaymentRequest{OrderID: "o1"})
	if !errors.Is(err, ErrPaymentUnavailable) {
		t.Fatalf("err = %v", err)
	}
	if elapsed := time.Since(started); elapsed > time.Second {
		t.Errorf("invoke took %v; it must give up a second before the Lambda deadline", elapsed)
	}
}

func TestInvokeTimeout(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		deadline time.Duration // 0: none
		want     time.Duration
	}{
		{"no deadline", 0, 12 * time.Second},
		{"far deadline", 15 * time.Second, 12 * time.Second},
		{"near deadline", 5 * time.Second, 4 * time.Second},
		{"past margin", 500 * time.Millisecond, -500 * time.Millisecond},
	}
	for _, tt := range tests {
		ctx := context.Background()
		if tt.deadline > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, now.Add(tt.deadline))
			defer cancel()
		}
		if got := invokeTimeout(ctx, now); got != tt.want {
			t.Errorf("%s: invokeTimeout = %v, want %v", tt.name, got, tt.want)
		}
	}
}
