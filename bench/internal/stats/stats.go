// Package stats turns raw latency samples into percentiles, per-route summaries and a per-second timeline.
// Samples are kept exactly (a minute at a few thousand requests per second is a few hundred thousand
// durations), so percentiles are exact nearest-rank values rather than histogram estimates.
package stats

import (
	"math"
	"slices"
	"time"
)

// Percentile returns the nearest-rank p-th percentile (0 < p ≤ 100) of sorted, or 0 for no samples.
// Nearest rank never interpolates: the result is always a latency that was actually observed.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	if p <= 0 {
		return sorted[0]
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// Summary is the latency distribution of a set of samples, in milliseconds for JSON readers.
type Summary struct {
	Count int     `json:"count"`
	P50   float64 `json:"p50Ms"`
	P90   float64 `json:"p90Ms"`
	P99   float64 `json:"p99Ms"`
	Max   float64 `json:"maxMs"`
	Mean  float64 `json:"meanMs"`
}

// Summarize sorts a copy of samples and reports its percentiles.
func Summarize(samples []time.Duration) Summary {
	if len(samples) == 0 {
		return Summary{}
	}
	sorted := slices.Clone(samples)
	slices.Sort(sorted)
	var sum time.Duration
	for _, d := range sorted {
		sum += d
	}
	return Summary{
		Count: len(sorted),
		P50:   Millis(Percentile(sorted, 50)),
		P90:   Millis(Percentile(sorted, 90)),
		P99:   Millis(Percentile(sorted, 99)),
		Max:   Millis(sorted[len(sorted)-1]),
		Mean:  Millis(sum / time.Duration(len(sorted))),
	}
}

// Millis is d in milliseconds with microsecond precision.
func Millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
