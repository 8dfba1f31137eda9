package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/calltaxi/call-taxi/bench/internal/load"
	"github.com/calltaxi/call-taxi/bench/internal/stats"
)

// Row is one line of the comparison table.
type Row struct {
	Metric   string `json:"metric"`
	Seed     string `json:"seed"`
	Measured string `json:"measured"`
	Target   string `json:"target"`
	Verdict  string `json:"verdict"`
	Met      bool   `json:"met"`
	// Informational rows are shown beside a target without being held to one.
	Informational bool `json:"informational,omitempty"`
}

// target is a threshold a measured value is held to.
type target struct {
	atLeast bool // else at most / below
	strict  bool // < rather than ≤
	limit   float64
	unit    string
}

func (t target) String() string {
	op := "≤"
	switch {
	case t.atLeast:
		op = "≥"
	case t.strict:
		op = "<"
	}
	return fmt.Sprintf("%s %s %s", op, trim(t.limit), t.unit)
}

func (t target) judge(v float64) (bool, string) {
	met := v <= t.limit
	switch {
	case t.atLeast:
		met = v >= t.limit
	case t.strict:
		met = v < t.limit
	}
	diff := v - t.limit
	if diff < 0 {
		diff = -diff
	}
	by := ""
	if t.limit != 0 {
		by = fmt.Sprintf("%s %s (%.0f %%)", trim(diff), t.unit, 100*diff/t.limit)
	} else {
		by = fmt.Sprintf("%s %s", trim(diff), t.unit)
	}
	if met {
		return true, "met, margin " + by
	}
	return false, "missed by " + by
}

func trim(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// Evaluate fills r.Targets and r.Markdown.
func (r *Run) Evaluate() {
	orders := r.Route(load.RoutePlaceOrder)
	reads := r.Route(load.RouteGetMyPage)
	var rows []Row
	add := func(metric, seed string, measured float64, shown string, t target) {
		met, verdict := t.judge(measured)
		if shown == noData {
			met, verdict = false, "not measured"
		}
		if shown == "" {
			shown = trim(measured) + " " + t.unit
		}
		rows = append(rows, Row{Metric: metric, Seed: seed, Measured: shown, Target: t.String(), Verdict: verdict, Met: met})
	}
	// Issue 11's targets (orders/s, the lags and the tree's RSS are set at 255 users, the CPU at 8).
	add("orders placed (201/s)", "1.85 trans/s", r.OrdersPerSecond, "", target{atLeast: true, limit: 400, unit: "/s"})
	add("CPU per placed order (whole tree, idle subtracted)", "–", r.cpuPerOrder(), r.cpuText(), target{limit: 4, unit: "ms"})
	if r.PeakTreeRSSBytes > 0 {
		gib := float64(r.PeakTreeRSSBytes) / (1 << 30)
		add("whole-tree RSS (peak)", "–", gib, r.memoryText(gib), target{limit: 2, unit: "GiB"})
	}
	add("POST /orders p99 (per attempt)", "–", orders.Latency.P99, "", target{strict: true, limit: 50, unit: "ms"})
	add("POST /orders 5xx", "availability 42.31 %", float64(orders.Statuses.Server5xx),
		fmt.Sprintf("%d (availability %.2f %%; 429s %d)", orders.Statuses.Server5xx, orders.Availability, orders.Statuses.Throttled),
		target{limit: 0, unit: "responses"})
	rows = append(rows, r.ReadPhase.row())
	// The closed-loop customers' reads between their orders: beside the read phase, not held to its target.
	rows = append(rows, Row{Metric: "GET /mypages/{id} under the order load (200/s)", Seed: "–",
		Measured: fmt.Sprintf("%s /s (p99 %s ms, mix %.2f)", trim(reads.OKPerSecond), trim(reads.Latency.P99), r.ReadMix),
		Target:   "–", Verdict: "informational", Informational: true})
	add("event → mypage p99", "–", r.MyPageLag.P99, lagText(r.MyPageLag), target{strict: true, limit: 250, unit: "ms"})
	add("status → SMS p99", "–", r.SMSLag.P99, lagText(r.SMSLag), target{strict: true, limit: 1000, unit: "ms"})
	rows = append(rows, r.coldStartRows()...)
	if name, size := r.largestBootstrap(); name != "" {
		mb := float64(size) / 1e6
		add("arm64 bootstrap (largest)", "–", mb, fmt.Sprintf("%.2f MB (%s)", mb, name), target{limit: 10, unit: "MB"})
	}
	r.Targets = rows
	r.Markdown = r.markdown() + r.idleColdStartTable()
}

// noData marks a metric the run could not measure: it is never "met".
const noData = "no samples"

// cpuPerOrder is the figure held to the target: the orders' whole work when the run measured it.
func (r *Run) cpuPerOrder() float64 {
	if r.CPUPerOrderSettledMs > 0 {
		return r.CPUPerOrderSettledMs
	}
	return r.CPUPerOrderMs
}

// cpuText shows the CPU per order with the same run's loopback floor and its split by process.
func (r *Run) cpuText() string {
	if r.cpuPerOrder() <= 0 {
		return noData
	}
	text := trim(r.cpuPerOrder()) + " ms"
	if r.CPUPerOrderSettledMs > 0 && r.CPUPerOrderMs > 0 {
		text += fmt.Sprintf(" until the deliveries settled, %s ms within the load", trim(r.CPUPerOrderMs))
	}
	text += fmt.Sprintf(" (loopback floor %.3f ms", r.LoopbackFloorMs)
	if cloud, ok := r.CPUPerOrderByProcessMs["localcloud"]; ok {
		text += fmt.Sprintf("; local cloud %s, function environments %s", trim(cloud), trim(r.functionsCPUPerOrder()))
	}
	if work := r.WorkText(); work != "" {
		text += "; " + work
	}
	return text + ")"
}

// functionsCPUPerOrder sums the CPU per order of everything in the tree but the local cloud itself.
func (r *Run) functionsCPUPerOrder() float64 {
	var sum float64
	for name, ms := range r.CPUPerOrderByProcessMs {
		if name != "localcloud" {
			sum += ms
		}
	}
	return sum
}

func (r *Run) memoryText(peakGiB float64) string {
	text := fmt.Sprintf("%.2f GiB", peakGiB)
	if m := r.EndOfLoadMemory; m != nil {
		text += fmt.Sprintf(" (end of load: %d processes, RSS %.2f GiB, PSS %.2f GiB)", m.Processes,
			float64(m.RSSBytes)/(1<<30), float64(m.PSSBytes)/(1<<30))
	}
	return text
}

func lagText(s stats.Summary) string {
	if s.Count == 0 {
		return noData
	}
	return fmt.Sprintf("%s ms (n=%d)", trim(s.P99), s.Count)
}

func (r *Run) slowestColdStart() (string, float64) {
	name, worst := "", -1.0
	for _, f := range r.Functions {
		if f.ColdStarts > 0 && f.AvgColdStartMs > worst {
			name, worst = f.Name, f.AvgColdStartMs
		}
	}
	return name, worst
}

func (r *Run) largestBootstrap() (string, int64) {
	names := make([]string, 0, len(r.BootstrapBytes))
	for n := range r.BootstrapBytes {
		names = append(names, n)
	}
	sort.Strings(names)
	best, size := "", int64(-1)
	for _, n := range names {
		if r.BootstrapBytes[n] > size {
			best, size = n, r.BootstrapBytes[n]
		}
	}
	return best, size
}

func (r *Run) markdown() string {
	var b strings.Builder
	params := "defaults"
	if len(r.Params) > 0 {
		params = strings.Join(r.Params, " ")
	}
	fmt.Fprintf(&b, "| metric | seed (siege, 255 users, 60 s) | this run (%d cores, c=%d, %.0f s, mix %.2f, %s) | target | verdict |\n",
		r.Cores, r.Concurrency, r.DurationS, r.ReadMix, params)
	b.WriteString("|---|---|---|---|---|\n")
	for _, row := range r.Targets {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", row.Metric, row.Seed, row.Measured, row.Target, row.Verdict)
	}
	return b.String()
}
