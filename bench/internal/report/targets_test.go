package report

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/calltaxi/call-taxi/bench/internal/api"
	"github.com/calltaxi/call-taxi/bench/internal/cloudproc"
	"github.com/calltaxi/call-taxi/bench/internal/load"
	"github.com/calltaxi/call-taxi/bench/internal/stats"
)

func TestTargetJudge(t *testing.T) {
	tests := []struct {
		name    string
		t       target
		v       float64
		met     bool
		verdict string
	}{
		{"throughput met", target{atLeast: true, limit: 1000, unit: "/s"}, 1500, true, "met, margin 500 /s (50 %)"},
		{"throughput missed", target{atLeast: true, limit: 1000, unit: "/s"}, 250, false, "missed by 750 /s (75 %)"},
		{"latency met", target{strict: true, limit: 50, unit: "ms"}, 12.5, true, "met, margin 37.5 ms"},
		{"latency equal is missed when strict", target{strict: true, limit: 50, unit: "ms"}, 50, false, "missed by 0.00 ms"},
		{"size equal is met", target{limit: 10, unit: "MB"}, 10, true, "met"},
		{"zero 5xx", target{limit: 0}, 0, true, "met"},
		{"some 5xx", target{limit: 0}, 3, false, "missed by 3.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			met, verdict := tt.t.judge(tt.v)
			if met != tt.met || !strings.HasPrefix(verdict, tt.verdict) {
				t.Errorf("judge(%v) = %v %q, want %v %q…", tt.v, met, verdict, tt.met, tt.verdict)
			}
		})
	}
}

func TestEvaluateTable(t *testing.T) {
	r := Run{Cores: 2, Concurrency: 255, DurationS: 60, ReadMix: 0.5,
		Routes: []stats.RouteReport{
			{Route: load.RoutePlaceOrder, Statuses: stats.StatusCounts{Total: 10, Server5xx: 2}, Latency: stats.Summary{P99: 80}},
			{Route: load.RouteGetMyPage, OKPerSecond: 6000},
		},
		OrdersPerSecond: 1200,
		ReadPhase:       &ReadPhase{Connections: 100, OK: 90_000, ReadsPerSec: 6000, P50Ms: 8, P99Ms: 30, LoopbackFloor: 0.15},
		Functions: []api.FunctionStats{
			{Name: "a", ColdStarts: 2, AvgColdStartMs: 4},
			{Name: "b", ColdStarts: 1, AvgColdStartMs: 12},
			{Name: "c", ColdStarts: 0, AvgColdStartMs: 99}, // never started: ignored
		},
		BootstrapBytes: map[string]int64{"OrderFunction": 9_000_000, "PaymentFunction": 11_000_000},
	}
	r.Evaluate()
	met := map[string]bool{}
	for _, row := range r.Targets {
		met[row.Metric] = row.Met
	}
	want := map[string]bool{
		"orders placed (201/s)":                          true,
		"POST /orders p99 (per attempt)":                 false,
		"POST /orders 5xx":                               false,
		"GET /mypages/{id} read phase (200/s, p99)":      true,
		"GET /mypages/{id} under the order load (200/s)": false, // informational, never met
		"arm64 bootstrap (largest)":                      false,
		"event → mypage p99":                             false, // no samples is never met
	}
	for metric, w := range want {
		if got, ok := met[metric]; !ok || got != w {
			t.Errorf("%s: met=%v (present %v), want %v", metric, got, ok, w)
		}
	}
	for _, frag := range []string{"(2 cores, c=255", "12.0 ms (b)", "11.00 MB (PaymentFunction)", "1.85 trans/s", "116.74 trans/s",
		"| event → mypage p99 | – | no samples | < 250 ms | not measured |",
		"6000 /s, p50 8.00 / p99 30.0 ms (c=100; non-200 0; loopback floor 0.150 ms)",
		"| GET /mypages/{id} under the order load (200/s) | – | 6000 /s (p99 0.00 ms, mix 0.50) | – | informational |"} {
		if !strings.Contains(r.Markdown, frag) {
			t.Errorf("markdown lacks %q:\n%s", frag, r.Markdown)
		}
	}
}

// Issue 11's CPU and memory rows: the CPU per order beside the loopback floor and its split (local cloud,
// the rest of the tree), the tree's peak RSS beside its PSS at the end of the load.
func TestEvaluateCPUAndMemoryRows(t *testing.T) {
	tests := []struct {
		name      string
		run       Run
		metric    string
		met       bool
		fragments []string
	}{
		{
			name: "cpu over the target, split shown",
			run: Run{CPUPerOrderMs: 27.5, LoopbackFloorMs: 0.133,
				CPUPerOrderByProcessMs: map[string]float64{"localcloud": 10.5, "OrderFunction": 9, "MyPageFunction": 6, exitedEnvironments: 2}},
			metric: "CPU per placed order (whole tree, idle subtracted)", met: false,
			fragments: []string{"27.5 ms (loopback floor 0.133 ms; local cloud 10.5, function environments 17.0)", "missed by 23.5 ms"},
		},
		{
			name: "cpu with the work an order made",
			run: Run{CPUPerOrderMs: 25, LoopbackFloorMs: 0.1,
				APICallsPerOrder:    map[string]float64{"dynamodb.PutItem": 6.5, "lambda.Invoke": 1},
				InvocationsPerOrder: map[string]float64{"OrderFunction": 2, "PaymentFunction": 1.25}},
			metric: "CPU per placed order (whole tree, idle subtracted)", met: false,
			fragments: []string{"25.0 ms (loopback floor 0.100 ms; per placed order: 7.5 AWS API calls to the local cloud, 3.2 function invocations)"},
		},
		{
			name:   "the settled figure is held to the target, the load window's shown beside it",
			run:    Run{CPUPerOrderMs: 3.5, CPUPerOrderSettledMs: 6, LoopbackFloorMs: 0.1},
			metric: "CPU per placed order (whole tree, idle subtracted)", met: false,
			fragments: []string{"6.00 ms until the deliveries settled, 3.50 ms within the load (loopback floor 0.100 ms)"},
		},
		{
			name: "cpu within the target", run: Run{CPUPerOrderMs: 3.5, LoopbackFloorMs: 0.1},
			metric: "CPU per placed order (whole tree, idle subtracted)", met: true,
			fragments: []string{"3.50 ms (loopback floor 0.100 ms)"},
		},
		{
			name: "cpu not measured (the bench did not start the cloud)", run: Run{},
			metric: "CPU per placed order (whole tree, idle subtracted)", met: false,
			fragments: []string{"| CPU per placed order (whole tree, idle subtracted) | – | no samples | ≤ 4.00 ms | not measured |"},
		},
		{
			name: "tree memory over 2 GiB",
			run: Run{PeakTreeRSSBytes: 5 << 30,
				EndOfLoadMemory: &cloudproc.TreeMemory{Processes: 330, RSSBytes: 4 << 30, PSSBytes: 3 << 29}},
			metric: "whole-tree RSS (peak)", met: false,
			fragments: []string{"5.00 GiB (end of load: 330 processes, RSS 4.00 GiB, PSS 1.50 GiB)"},
		},
		{
			name: "tree memory within", run: Run{PeakTreeRSSBytes: 1 << 30},
			metric: "whole-tree RSS (peak)", met: true, fragments: []string{"| 1.00 GiB | ≤ 2.00 GiB | met"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run.Evaluate()
			found := false
			for _, row := range tt.run.Targets {
				if row.Metric == tt.metric {
					found = true
					if row.Met != tt.met {
						t.Errorf("met = %v, want %v (%+v)", row.Met, tt.met, row)
					}
				}
			}
			if !found {
				t.Fatalf("no %q row:\n%s", tt.metric, tt.run.Markdown)
			}
			for _, f := range tt.fragments {
				if !strings.Contains(tt.run.Markdown, f) {
					t.Errorf("markdown lacks %q:\n%s", f, tt.run.Markdown)
				}
			}
		})
	}
}

func TestSetCPUByProcessAttributesTheRestToExitedEnvironments(t *testing.T) {
	var r Run
	r.SetCPUByProcess(map[string]time.Duration{"localcloud": 3 * time.Second, "OrderFunction": 5 * time.Second},
		10*time.Second, 1000)
	want := map[string]float64{"localcloud": 3, "OrderFunction": 5, exitedEnvironments: 2}
	if !reflect.DeepEqual(r.CPUPerOrderByProcessMs, want) {
		t.Fatalf("got %v, want %v", r.CPUPerOrderByProcessMs, want)
	}
}
