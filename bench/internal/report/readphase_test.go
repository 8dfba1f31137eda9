package report

import (
	"strings"
	"testing"
	"time"

	"github.com/calltaxi/call-taxi/bench/internal/load"
)

// latencies returns n 200-latencies of 1..n ms, so p50 of 100 is 50 ms and p99 is 99 ms.
func latencies(n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[n-1-i] = time.Duration(i+1) * time.Millisecond // reversed: NewReadPhase must sort
	}
	return out
}

func TestNewReadPhase(t *testing.T) {
	res := load.ReadResult{Elapsed: 2 * time.Second, OK: latencies(100), NonOK: map[int]int{404: 3, 0: 1}}
	p := NewReadPhase(100, 40, res, 0.15, 200*time.Millisecond, 300*time.Millisecond, 50*time.Millisecond)
	checks := []struct {
		name      string
		got, want float64
	}{
		{"reads/s counts 200s over the elapsed time", p.ReadsPerSec, 50},
		{"p50", p.P50Ms, 50},
		{"p95", p.P95Ms, 95},
		{"p99", p.P99Ms, 99},
		{"max", p.MaxMs, 100},
		{"non-200 answers", float64(p.NonOKCount()), 4},
		{"transport errors under status 0", float64(p.NonOK["0"]), 1},
		{"local cloud µs per read", p.CPUPerReadUs.LocalCloud, 2000},
		{"function µs per read", p.CPUPerReadUs.Functions, 3000},
		{"bench µs per read", p.CPUPerReadUs.Bench, 500},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestReadPhaseRow(t *testing.T) {
	tests := []struct {
		name    string
		phase   *ReadPhase
		met     bool
		verdict string
	}{
		{"not run", nil, false, "not measured"},
		{"no 200 at all", &ReadPhase{Connections: 100, NonOK: map[string]int{"500": 9}}, false, "not measured"},
		{"both met", &ReadPhase{OK: 1, ReadsPerSec: 6000, P99Ms: 20}, true, "rate met, margin 1000 /s (20 %); p99 met"},
		{"rate missed", &ReadPhase{OK: 1, ReadsPerSec: 1150, P99Ms: 20}, false, "rate missed by 3850 /s (77 %); p99 met"},
		{"p99 missed", &ReadPhase{OK: 1, ReadsPerSec: 6000, P99Ms: 766}, false, "rate met, margin 1000 /s (20 %); p99 missed by 716 ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := tt.phase.row()
			if row.Met != tt.met || !strings.HasPrefix(row.Verdict, tt.verdict) {
				t.Errorf("row = met %v %q, want met %v %q…", row.Met, row.Verdict, tt.met, tt.verdict)
			}
			if row.Target != "≥ 5000 /s and p99 < 50.0 ms" {
				t.Errorf("target %q", row.Target)
			}
		})
	}
}

func TestNewHTTPCeiling(t *testing.T) {
	tests := []struct {
		name string
		res  load.ReadResult
		want *HTTPCeiling
	}{
		{"no answer", load.ReadResult{Elapsed: time.Second}, nil},
		{"rate and CPU per call", load.ReadResult{Elapsed: 2 * time.Second, OK: latencies(1000)},
			&HTTPCeiling{PerSecond: 500, CPUPerCallUs: ReadCPU{LocalCloud: 40, Bench: 20}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NewHTTPCeiling(tt.res, 40*time.Millisecond, 20*time.Millisecond)
			if (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
				t.Errorf("NewHTTPCeiling = %+v, want %+v", got, tt.want)
			}
		})
	}
}
