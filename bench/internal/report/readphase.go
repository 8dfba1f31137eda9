package report

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/calltaxi/call-taxi/bench/internal/load"
	"github.com/calltaxi/call-taxi/bench/internal/stats"
)

// ReadPhase is the read-only phase after the order load: Connections keep-alive connections each issuing
// GET /mypages/{id} back to back, for orders placed earlier in the run, with the owner's token.
type ReadPhase struct {
	Connections   int            `json:"connections"`
	Orders        int            `json:"orders"` // placed orders the connections cycle through
	ElapsedS      float64        `json:"elapsedSeconds"`
	OK            int            `json:"ok"`
	ReadsPerSec   float64        `json:"okPerSecond"` // 200s only
	P50Ms         float64        `json:"p50Ms"`       // latencies of the 200s
	P95Ms         float64        `json:"p95Ms"`
	P99Ms         float64        `json:"p99Ms"`
	MaxMs         float64        `json:"maxMs"`
	NonOK         map[string]int `json:"nonOk,omitempty"` // status → count; "0" = transport error
	LoopbackFloor float64        `json:"loopbackFloorMs"` // the same run's, as Run.LoopbackFloorMs
	// CPU per 200 read over the phase, in microseconds: the local cloud process, the function
	// environments (its descendants), and the bench process itself (the client). 0 = not measured.
	CPUPerReadUs ReadCPU `json:"cpuPerReadUs"`
	// Ceiling is GET /_local/health at the same connections right after: the local cloud's HTTP server
	// with no work behind it, so CPU per round trip here × round trips per read is a read's floor.
	Ceiling *HTTPCeiling `json:"loopbackCeiling,omitempty"`
}

// HTTPCeiling is a plain HTTP round trip's rate and CPU at the read phase's connections.
type HTTPCeiling struct {
	PerSecond    float64 `json:"perSecond"`
	CPUPerCallUs ReadCPU `json:"cpuPerCallUs"` // Functions stays 0: no function runs
}

// NewHTTPCeiling summarizes the health-check stretch.
func NewHTTPCeiling(res load.ReadResult, localCloud, bench time.Duration) *HTTPCeiling {
	n := len(res.OK)
	if n == 0 || res.Elapsed <= 0 {
		return nil
	}
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(n) }
	return &HTTPCeiling{PerSecond: float64(n) / res.Elapsed.Seconds(), CPUPerCallUs: ReadCPU{LocalCloud: per(localCloud), Bench: per(bench)}}
}

// ReadCPU splits a read's CPU by process.
type ReadCPU struct {
	LocalCloud float64 `json:"localCloud"`
	Functions  float64 `json:"functions"`
	Bench      float64 `json:"bench"`
}

// NewReadPhase summarizes a read-only phase; cpu is the CPU each kind of process used over it.
func NewReadPhase(conns, orders int, res load.ReadResult, loopbackFloorMs float64, localCloud, functions, bench time.Duration) *ReadPhase {
	p := &ReadPhase{Connections: conns, Orders: orders, ElapsedS: res.Elapsed.Seconds(), OK: len(res.OK), LoopbackFloor: loopbackFloorMs}
	if p.ElapsedS > 0 {
		p.ReadsPerSec = float64(p.OK) / p.ElapsedS
	}
	sorted := slices.Clone(res.OK)
	slices.Sort(sorted)
	p.P50Ms = stats.Millis(stats.Percentile(sorted, 50))
	p.P95Ms = stats.Millis(stats.Percentile(sorted, 95))
	p.P99Ms = stats.Millis(stats.Percentile(sorted, 99))
	p.MaxMs = stats.Millis(stats.Percentile(sorted, 100))
	for status, n := range res.NonOK {
		if p.NonOK == nil {
			p.NonOK = map[string]int{}
		}
		p.NonOK[strconv.Itoa(status)] = n
	}
	if p.OK > 0 {
		perRead := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(p.OK) }
		p.CPUPerReadUs = ReadCPU{LocalCloud: perRead(localCloud), Functions: perRead(functions), Bench: perRead(bench)}
	}
	return p
}

// NonOKCount is the number of answers other than 200.
func (p *ReadPhase) NonOKCount() int {
	n := 0
	for _, c := range p.NonOK {
		n += c
	}
	return n
}

// The read phase's targets (issue 11): throughput of 200s and their p99, judged together.
var (
	readRateTarget = target{atLeast: true, limit: 5000, unit: "/s"}
	readP99Target  = target{strict: true, limit: 50, unit: "ms"}
)

// row judges the phase against both targets; a phase not run (nil) is never met.
func (p *ReadPhase) row() Row {
	row := Row{Metric: "GET /mypages/{id} read phase (200/s, p99)", Seed: "116.74 trans/s",
		Target: readRateTarget.String() + " and p99 " + readP99Target.String()}
	if p == nil || p.OK == 0 {
		row.Measured, row.Verdict = noData, "not measured"
		return row
	}
	row.Measured = fmt.Sprintf("%s /s, p50 %s / p99 %s ms (c=%d; non-200 %d; loopback floor %.3f ms)",
		trim(p.ReadsPerSec), trim(p.P50Ms), trim(p.P99Ms), p.Connections, p.NonOKCount(), p.LoopbackFloor)
	rateMet, rateVerdict := readRateTarget.judge(p.ReadsPerSec)
	p99Met, p99Verdict := readP99Target.judge(p.P99Ms)
	row.Met = rateMet && p99Met
	row.Verdict = "rate " + rateVerdict + "; p99 " + p99Verdict
	return row
}
