package report

import (
	"fmt"
	"strings"

	"github.com/calltaxi/call-taxi/bench/internal/coldstart"
)

// coldStartTarget: issue 11's "idle cold start < 10 ms for every function", held to each function's p50.
var coldStartTarget = target{strict: true, limit: 10, unit: "ms"}

// coldStartRows judges the idle cold starts (the function's own Init phase) and shows the average under
// load beside them for information only: under load it measures the machine's contention.
func (r *Run) coldStartRows() []Row {
	row := Row{Metric: "cold start, idle (slowest function's p50)", Seed: "–", Measured: noData,
		Target: coldStartTarget.String(), Verdict: "not measured"}
	if f, ok := r.slowestIdleColdStart(); ok {
		row.Met, row.Verdict = coldStartTarget.judge(f.Starts.P50)
		row.Measured = fmt.Sprintf("%s ms (%s; max %s ms, n=%d)", trim(f.Starts.P50), f.Name, trim(f.Starts.Max), f.Starts.Count)
	}
	rows := []Row{row}
	if name, ms := r.slowestColdStart(); name != "" {
		rows = append(rows, Row{Metric: "cold start under load (slowest function's average)", Seed: "–",
			Measured: fmt.Sprintf("%s ms (%s)", trim(ms), name), Target: "–", Verdict: "informational", Informational: true})
	}
	return rows
}

// slowestIdleColdStart is the function with the highest idle p50 (the first of equals).
func (r *Run) slowestIdleColdStart() (coldstart.Function, bool) {
	var worst coldstart.Function
	found := false
	for _, f := range r.IdleColdStarts {
		if f.Starts.Count > 0 && (!found || f.Starts.P50 > worst.Starts.P50) {
			worst, found = f, true
		}
	}
	return worst, found
}

// idleColdStartTable lists every function's idle cold starts, or nothing when none were measured.
func (r *Run) idleColdStartTable() string {
	if len(r.IdleColdStarts) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n| function | idle cold starts | p50 ms | max ms | each ms |\n|---|---|---|---|---|\n")
	for _, f := range r.IdleColdStarts {
		each := make([]string, len(f.StartsMs))
		for i, ms := range f.StartsMs {
			each[i] = trim(ms)
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s |\n", f.Name, f.Starts.Count, trim(f.Starts.P50), trim(f.Starts.Max), strings.Join(each, ", "))
	}
	return b.String()
}
