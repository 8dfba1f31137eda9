package main

import (
	"fmt"
	"io"
	"sort"

	"github.com/calltaxi/call-taxi/bench/internal/load"
	"github.com/calltaxi/call-taxi/bench/internal/report"
)

func printSummary(out io.Writer, r *report.Run, res load.Result) {
	fmt.Fprintf(out, "\n## %s (%d cores, %s)\n\n", r.Name, r.Cores, r.GoVersion)
	fmt.Fprintf(out, "| route | requests | req/s | 2xx | 4xx | 429 | 5xx | avail %% | p50 ms | p90 ms | p99 ms | max ms |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, rr := range r.Routes {
		s := rr.Statuses
		fmt.Fprintf(out, "| %s | %d | %.1f | %d | %d | %d | %d | %.2f | %.1f | %.1f | %.1f | %.1f |\n", rr.Route, s.Total, rr.PerSecond,
			s.OK2xx, s.Client4xx, s.Throttled, s.Server5xx+s.Transport, rr.Availability, rr.Latency.P50, rr.Latency.P90, rr.Latency.P99, rr.Latency.Max)
	}
	o := r.Orders
	fmt.Fprintf(out, "\norders: %d placed (201) of %d attempts; retried after 429 %d, after 503 %d; declined %d, failed %d, abandoned at the end %d, gave up after a 503 %d, without Idempotency-Key %d\n",
		o.Placed, o.Attempts, o.Retried429, o.Retried503, o.Declined, o.Failed, o.Abandoned, o.GaveUp, o.Keyless)
	fmt.Fprintf(out, "customer-facing order latency (first attempt → 201): p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
		r.OrderLatency.P50, r.OrderLatency.P99, r.OrderLatency.Max)
	fmt.Fprintf(out, "event → mypage: p50 %.1f ms, p99 %.1f ms, n=%d, timeouts %d\n", r.MyPageLag.P50, r.MyPageLag.P99, r.MyPageLag.Count, res.LagTimeouts)
	fmt.Fprintf(out, "status → SMS:   p50 %.1f ms, p99 %.1f ms, n=%d\n", r.SMSLag.P50, r.SMSLag.P99, r.SMSLag.Count)
	if r.LatencyProfile != "" && r.LatencyProfile != "none" {
		fmt.Fprintf(out, "(latency profile %q: the latencies above are modeled AWS latencies plus this machine's processing)\n", r.LatencyProfile)
	}
	if t := r.OrderTrace; t != nil {
		fmt.Fprintf(out, "POST /orders synchronous path (median of %d traced orders placed alone): %d AWS calls, %d sequential, %.1f ms of modeled AWS latency; p50 %.1f ms, p99 %.1f ms\n  %v\n",
			t.Orders, t.Calls, t.Sequential, t.ModeledMs, t.Latency.P50, t.Latency.P99, t.Operations)
	}
	if r.CPUPerOrderMs > 0 { // the bench started the cloud, so it could read the tree's CPU
		fmt.Fprintf(out, "CPU per placed order (whole tree, idle subtracted): %.2f ms until the deliveries settled, %.2f ms within the load; loopback floor (one HTTP round trip, p50): %.3f ms\n",
			r.CPUPerOrderSettledMs, r.CPUPerOrderMs, r.LoopbackFloorMs)
	}
	if work := r.WorkText(); work != "" {
		fmt.Fprintln(out, work)
	}
	if p := r.ReadPhase; p != nil {
		fmt.Fprintf(out, "read phase (GET /mypages/{id}, %d keep-alive connections, %d orders, %.1f s): %.0f reads/s (200s), p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.1f ms; non-200 %v; loopback floor %.3f ms\n",
			p.Connections, p.Orders, p.ElapsedS, p.ReadsPerSec, p.P50Ms, p.P95Ms, p.P99Ms, p.MaxMs, p.NonOK, p.LoopbackFloor)
		fmt.Fprintf(out, "  CPU per read: local cloud %.0f µs, function environments %.0f µs, bench client %.0f µs\n",
			p.CPUPerReadUs.LocalCloud, p.CPUPerReadUs.Functions, p.CPUPerReadUs.Bench)
		if c := p.Ceiling; c != nil {
			fmt.Fprintf(out, "  loopback ceiling (GET /_local/health, same connections): %.0f/s, CPU per call: local cloud %.0f µs, bench client %.0f µs\n",
				c.PerSecond, c.CPUPerCallUs.LocalCloud, c.CPUPerCallUs.Bench)
		}
	}
	if len(r.Cancels) > 0 || len(r.Confirms) > 0 {
		fmt.Fprintf(out, "cancels %v; manager confirms %v; driver rides %v\n", r.Cancels, r.Confirms, r.Rides)
	}

	fmt.Fprintf(out, "\n| function | invocations | errors | throttles | cold starts | avg cold ms | peak envs | peak RSS MiB | arm64 bootstrap MB |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, f := range r.Functions {
		mem := r.PeakMemory[logicalID(f.Name)]
		fmt.Fprintf(out, "| %s | %d | %d | %d | %d | %.2f | %d | %.1f | %.2f |\n", f.Name, f.Invocations, f.Errors, f.Throttles, f.ColdStarts,
			f.AvgColdStartMs, mem.Environments, float64(mem.TotalRSSBytes)/(1<<20), float64(r.BootstrapBytes[logicalID(f.Name)])/1e6)
	}
	if lc, ok := r.PeakMemory["localcloud"]; ok {
		fmt.Fprintf(out, "local cloud process itself: peak RSS %.1f MiB\n", float64(lc.TotalRSSBytes)/(1<<20))
	}
	if len(r.Faults) > 0 {
		kinds := map[string]int{}
		for _, f := range r.Faults {
			kinds[f.Kind]++
		}
		names := make([]string, 0, len(kinds))
		for k := range kinds {
			names = append(names, k)
		}
		sort.Strings(names)
		fmt.Fprintf(out, "\nfaults injected:")
		for _, k := range names {
			fmt.Fprintf(out, " %s×%d", k, kinds[k])
		}
		fmt.Fprintln(out)
	}
	fmt.Fprintf(out, "\n%s\n", r.Markdown)
	if r.Audit != nil {
		fmt.Fprintf(out, "invariant audit (%s):\n", r.Quiesced)
		r.Audit.Print(out)
	}
}

// logicalID maps a deployed function name (call-taxi-OrderFunction) to its logical id (OrderFunction).
func logicalID(name string) string {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '-' {
			return name[i+1:]
		}
	}
	return name
}
