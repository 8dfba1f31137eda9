// Package report turns a run into the committed JSON result, the SVG chart and the Markdown table that
// compares it with the seed system and the targets.
package report

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/calltaxi/call-taxi/bench/internal/api"
	"github.com/calltaxi/call-taxi/bench/internal/audit"
	"github.com/calltaxi/call-taxi/bench/internal/cloudproc"
	"github.com/calltaxi/call-taxi/bench/internal/coldstart"
	"github.com/calltaxi/call-taxi/bench/internal/load"
	"github.com/calltaxi/call-taxi/bench/internal/stats"
	"github.com/calltaxi/call-taxi/bench/internal/svgchart"
)

// Run is the JSON document of one benchmark or chaos run.
type Run struct {
	Name        string    `json:"name"`
	Mode        string    `json:"mode"` // bench | chaos
	StartedAt   time.Time `json:"startedAt"`
	Cores       int       `json:"cores"`
	GoVersion   string    `json:"goVersion"`
	Params      []string  `json:"params,omitempty"`
	Concurrency int       `json:"concurrency"`
	DurationS   float64   `json:"durationSeconds"`
	WarmupS     float64   `json:"warmupSeconds"`
	ReadMix     float64   `json:"readMix"`

	Routes          []stats.RouteReport `json:"routes"`
	Orders          load.OrderOutcomes  `json:"orders"`
	OrdersPerSecond float64             `json:"ordersPlacedPerSecond"` // eventual 201s
	OrderLatency    stats.Summary       `json:"orderLatencyCustomerFacing"`
	MyPageLag       stats.Summary       `json:"eventToMyPageLag"`
	LagTimeouts     int                 `json:"eventToMyPageTimeouts"`
	SMSLag          stats.Summary       `json:"statusToSmsLag"`
	Cancels         map[string]int      `json:"cancels,omitempty"`
	Confirms        map[string]int      `json:"confirms,omitempty"`
	Rides           map[string]int      `json:"rides,omitempty"`

	// IdleColdStarts are each function's cold starts on the idle local cloud before the load.
	IdleColdStarts []coldstart.Function                `json:"idleColdStarts,omitempty"`
	Functions      []api.FunctionStats                 `json:"functions"`
	PeakMemory     map[string]cloudproc.FunctionMemory `json:"peakMemory,omitempty"`
	BootstrapBytes map[string]int64                    `json:"arm64BootstrapBytes,omitempty"`
	SizesSource    string                              `json:"arm64BootstrapSource,omitempty"`

	Timeline []stats.Second `json:"timeline"`
	Faults   []audit.Fault  `json:"faults,omitempty"`
	Audit    *audit.Report  `json:"audit,omitempty"`
	Quiesced string         `json:"quiescence,omitempty"`

	// LatencyProfile is the local cloud's -latency ("" = none); under "aws" the latencies above are
	// modeled AWS latencies plus this machine's own processing.
	LatencyProfile string      `json:"latencyProfile,omitempty"`
	OrderTrace     *OrderTrace `json:"orderTrace,omitempty"`
	// CPU per placed order of the whole process tree (local cloud + function environments) over the
	// load, the idle CPU of an equally long stretch subtracted; 0 when the bench did not start the cloud.
	CPUPerOrderMs float64 `json:"cpuPerPlacedOrderMs,omitempty"`
	// CPUPerOrderSettledMs is the same from the load's start until its deliveries settled (the audit's
	// quiescence wait): the orders' whole work, what the asynchronous paths had queued at the end of the
	// load included. The split by process and the calls and invocations per order below cover this span.
	CPUPerOrderSettledMs float64 `json:"cpuPerPlacedOrderSettledMs,omitempty"`
	// CPUPerOrderByProcessMs splits the tree's CPU until the deliveries settled per placed order by
	// process name (the local cloud, each function's environments, "exited environments" for those that
	// ended meanwhile), idle CPU not subtracted.
	CPUPerOrderByProcessMs map[string]float64 `json:"cpuPerPlacedOrderByProcessMs,omitempty"`
	// APICallsPerOrder is the AWS API requests the local cloud answered until the deliveries settled per
	// placed order, by "service.Operation"; InvocationsPerOrder each function's invocations per placed order.
	APICallsPerOrder    map[string]float64 `json:"apiCallsPerPlacedOrder,omitempty"`
	InvocationsPerOrder map[string]float64 `json:"invocationsPerPlacedOrder,omitempty"`
	// PeakTreeRSSBytes is the largest sum of the tree's RSS in one reading (every second of the load).
	PeakTreeRSSBytes int64 `json:"peakTreeRssBytes,omitempty"`
	// EndOfLoadMemory is the tree's RSS and PSS when the load ended (every environment still there).
	EndOfLoadMemory *cloudproc.TreeMemory `json:"endOfLoadMemory,omitempty"`
	// LoopbackFloorMs is the median wall time of one HTTP round trip to the local cloud on loopback
	// (GET /_local/health, sequential): what any call costs here before any work.
	LoopbackFloorMs float64 `json:"loopbackFloorMs,omitempty"`
	// ReadPhase is the read-only GET /mypages/{id} phase after the order load (nil = not run).
	ReadPhase *ReadPhase `json:"readPhase,omitempty"`

	Targets  []Row  `json:"targets"`
	Markdown string `json:"markdown"`
}

// FromLoad fills the load-derived fields.
func (r *Run) FromLoad(res load.Result) {
	r.Routes = stats.ByRoute(res.Samples, res.Duration)
	r.Orders = res.Orders
	placedInWindow := 0
	for _, s := range res.Samples {
		if s.Route == load.RoutePlaceOrder && s.Status == 201 {
			placedInWindow++
		}
	}
	if secs := res.Duration.Seconds(); secs > 0 {
		r.OrdersPerSecond = float64(placedInWindow) / secs
	}
	r.OrderLatency = stats.Summarize(res.OrderLatency)
	r.MyPageLag = stats.Summarize(res.MyPageLag)
	r.LagTimeouts = res.LagTimeouts
	r.Cancels, r.Confirms, r.Rides = res.Cancels, res.Confirms, res.Rides
	r.Timeline = stats.Timeline(res.Samples, res.MeasureStart, res.Duration)
}

// exitedEnvironments names the CPU of environments that ended during the load (reaped by the cloud).
const exitedEnvironments = "exited environments"

// SetCPUByProcess records the CPU per placed order of each process name over the load; what the tree
// used beyond the live processes' sum is the exited environments'.
func (r *Run) SetCPUByProcess(byName map[string]time.Duration, tree time.Duration, placed int) {
	if placed <= 0 {
		return
	}
	perOrder := func(d time.Duration) float64 { return d.Seconds() * 1000 / float64(placed) }
	r.CPUPerOrderByProcessMs = map[string]float64{}
	var live time.Duration
	for name, d := range byName {
		r.CPUPerOrderByProcessMs[name] = perOrder(d)
		live += d
	}
	if exited := tree - live; exited > 0 {
		r.CPUPerOrderByProcessMs[exitedEnvironments] = perOrder(exited)
	}
}

// SetWorkPerOrder records the API calls and invocations per placed order.
func (r *Run) SetWorkPerOrder(calls, invocations map[string]float64) {
	r.APICallsPerOrder, r.InvocationsPerOrder = calls, invocations
}

// WorkText sums the API calls and invocations per placed order for the summary ("" if not measured).
func (r *Run) WorkText() string {
	if r.APICallsPerOrder == nil {
		return ""
	}
	sum := func(m map[string]float64) (total float64) {
		for _, v := range m {
			total += v
		}
		return total
	}
	return fmt.Sprintf("per placed order: %.1f AWS API calls to the local cloud, %.1f function invocations", sum(r.APICallsPerOrder), sum(r.InvocationsPerOrder))
}

// SMSLagFrom measures history entry → SMS for every paired status change.
func (r *Run) SMSLagFrom(s audit.Snapshot) {
	pairs, _, _ := audit.PairSMS(s)
	lags := make([]time.Duration, 0, len(pairs))
	for _, p := range pairs {
		if !p.ChangedAt.IsZero() {
			lags = append(lags, p.SentAt.Sub(p.ChangedAt))
		}
	}
	r.SMSLag = stats.Summarize(lags)
}

// Route returns the named route's report (zero when the route saw no traffic).
func (r *Run) Route(name string) stats.RouteReport {
	for _, rr := range r.Routes {
		if rr.Route == name {
			return rr
		}
	}
	return stats.RouteReport{Route: name}
}

// Write saves <dir>/<name>.json and <dir>/<name>.svg.
func (r *Run) Write(dir string) (jsonPath, svgPath string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", fmt.Errorf("results dir: %w", err)
	}
	raw, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", "", fmt.Errorf("encode result: %w", err)
	}
	jsonPath = filepath.Join(dir, r.Name+".json")
	if err := os.WriteFile(jsonPath, append(raw, '\n'), 0o644); err != nil {
		return "", "", fmt.Errorf("write result: %w", err)
	}
	svgPath = filepath.Join(dir, r.Name+".svg")
	f, err := os.Create(svgPath)
	if err != nil {
		return "", "", fmt.Errorf("create chart: %w", err)
	}
	points := make([]svgchart.Point, len(r.Timeline))
	for i, s := range r.Timeline {
		points[i] = svgchart.Point{Second: s.Second, P50Ms: s.P50, P99Ms: s.P99, Throughput: float64(s.Requests)}
	}
	title := fmt.Sprintf("call-taxi %s — %d clients, %d cores, all routes", r.Mode, r.Concurrency, r.Cores)
	werr := svgchart.Write(f, title, points)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return "", "", fmt.Errorf("write chart: %w", werr)
	}
	return jsonPath, svgPath, nil
}

// OrderTrace is POST /orders's synchronous path as the local cloud's tracer saw it: each order placed
// alone (concurrency 1, after the load) with its own X-Amzn-Trace-Id, which the order function's SDK calls
// and the synchronous payment invoke carry.
type OrderTrace struct {
	Orders int `json:"orders"`
	// Calls and Sequential are those of the median order: all its AWS calls, and those that did not
	// overlap an earlier call they were not nested in (a call made inside the payment Invoke counts,
	// since it runs while the order waits).
	Calls      int            `json:"calls"`
	Sequential int            `json:"sequentialCalls"`
	Operations []string       `json:"operations"` // the median order's calls in start order
	ModeledMs  float64        `json:"modeledAwsMsOfCalls"`
	Latency    stats.Summary  `json:"latency"` // POST /orders → 201 of these orders
	ByOp       map[string]int `json:"callsByOperation"`
}
