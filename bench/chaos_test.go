package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/calltaxi/call-taxi/bench/internal/audit"
)

// TestChaosRunKeepsEveryInvariant runs the whole harness in-process against a freshly built local cloud:
// every function cold-started twice on the idle cloud, then 10 s of low-concurrency load with environments
// killed, reservation and taxi throttled and failing, duplicate event and stream deliveries, failing PutEvents and SMS publishes, DynamoDB transaction
// conflicts and lazy TTL, cancels and confirms, customers who walk away after a 503 and requests without
// an Idempotency-Key; then the auditor must find nothing.
func TestChaosRunKeepsEveryInvariant(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos run: skipped in -short mode")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	opts, err := parseOptions([]string{"-chaos", "-root", root, "-out", t.TempDir(), "-c", "6", "-d", "10s",
		"-chaos-every", "2s", "-stop-for", "1s", "-sms-failure", "0.1", "-lag-every", "10", "-quiesce-timeout", "45s",
		"-idle-cold-starts", "2"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out bytes.Buffer
	result, err := harness(ctx, opts, slog.New(slog.DiscardHandler), &out)
	if err != nil {
		t.Fatalf("harness: %v\n%s", err, out.String())
	}
	if result.Orders.Placed == 0 {
		t.Fatalf("no order was placed:\n%s", out.String())
	}
	if len(result.IdleColdStarts) != len(result.Functions) {
		t.Errorf("idle cold starts of %d functions, want all %d: %+v", len(result.IdleColdStarts), len(result.Functions), result.IdleColdStarts)
	}
	for _, f := range result.IdleColdStarts {
		if f.Starts.Count != 2 || f.Starts.P50 <= 0 {
			t.Errorf("%s: idle cold starts %+v, want 2 timed starts", f.Name, f.Starts)
		}
	}
	if len(result.Faults) < 4 {
		t.Errorf("only %d faults injected: %v", len(result.Faults), result.Faults)
	}
	kinds := map[string]bool{}
	for _, f := range result.Faults {
		kinds[f.Kind] = true
	}
	for _, kind := range []string{audit.FaultKill, audit.FaultStop, audit.FaultFail, audit.FaultPutEventsFailure} {
		if !kinds[kind] {
			t.Errorf("no %s fault was injected: %v", kind, result.Faults)
		}
	}
	if result.Rides["completed"] == 0 {
		t.Errorf("no ride was picked up and completed, so giving taxis back went unexercised: %v", result.Rides)
	}
	if result.Orders.Keyless == 0 {
		t.Errorf("no order request went without an Idempotency-Key: %+v", result.Orders)
	}
	if result.Audit == nil || result.Audit.ViolationCount() > 0 {
		t.Errorf("auditor found violations:\n%s", out.String())
	}
	if result.Quiesced != "quiescent" {
		t.Errorf("did not settle: %s", result.Quiesced)
	}
}

func TestResultNameCarriesModeAndParams(t *testing.T) {
	day := time.Date(2025, 11, 25, 23, 0, 0, 0, time.UTC)
	tests := []struct {
		args []string
		want string
	}{
		{nil, "2025-11-25-bench"},
		{[]string{"-chaos"}, "2025-11-25-chaos"},
		{[]string{"-param", "PaymentConcurrency=64"}, "2025-11-25-bench-PaymentConcurrency-64"},
		{[]string{"-chaos", "-slow-payment-ms", "13000"}, "2025-11-25-chaos-PaymentGatewayLatencyMs-13000"},
		{[]string{"-name", "custom"}, "custom"},
	}
	for _, tt := range tests {
		opts, err := parseOptions(append([]string{"-root", "/tmp"}, tt.args...))
		if err != nil {
			t.Fatal(err)
		}
		if got := opts.resultName(day); got != tt.want {
			t.Errorf("%v → %q, want %q", tt.args, got, tt.want)
		}
	}
}

func TestChaosDefaultsYieldToExplicitFlags(t *testing.T) {
	opts, err := parseOptions([]string{"-root", "/tmp", "-chaos", "-c", "4"})
	if err != nil {
		t.Fatal(err)
	}
	if opts.concurrency != 4 || opts.duration != 30*time.Second || opts.sizes != "skip" || opts.warmup != 0 {
		t.Errorf("chaos options = c %d d %s sizes %s warmup %s", opts.concurrency, opts.duration, opts.sizes, opts.warmup)
	}
	bench, err := parseOptions([]string{"-root", "/tmp"})
	if err != nil {
		t.Fatal(err)
	}
	if bench.concurrency != 255 || bench.cancelShare != 0 || bench.confirmShare != 0 {
		t.Errorf("bench options = c %d cancel %v confirm %v", bench.concurrency, bench.cancelShare, bench.confirmShare)
	}
	if _, err := parseOptions([]string{"-audit"}); err == nil {
		t.Error("-audit without -url must be refused")
	}
}
