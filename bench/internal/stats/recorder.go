package stats

import (
	"sort"
	"sync"
	"time"
)

// Sample is one HTTP attempt as the load generator saw it.
type Sample struct {
	Route   string        // e.g. "POST /orders"
	Status  int           // HTTP status; 0 = transport error
	Start   time.Time     // when the request was sent
	Latency time.Duration // until the response body was read
}

// Recorder collects samples from many goroutines.
type Recorder struct {
	mu      sync.Mutex
	samples []Sample
}

// Add records one sample.
func (r *Recorder) Add(s Sample) {
	r.mu.Lock()
	r.samples = append(r.samples, s)
	r.mu.Unlock()
}

// Samples returns a copy of everything recorded so far.
func (r *Recorder) Samples() []Sample {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Sample(nil), r.samples...)
}

// StatusCounts classifies responses the way the report prints them.
type StatusCounts struct {
	Total     int `json:"total"`
	OK2xx     int `json:"2xx"`
	Client4xx int `json:"4xx"` // 429 excluded
	Throttled int `json:"429"`
	Server5xx int `json:"5xx"`
	Transport int `json:"transportErrors"`
}

// Availability is the share of requests answered with anything but a 5xx (siege's definition: 5xx and
// socket failures are the failed transactions), in percent.
func (c StatusCounts) Availability() float64 {
	if c.Total == 0 {
		return 0
	}
	return 100 * float64(c.Total-c.Transport-c.Server5xx) / float64(c.Total)
}

func (c *StatusCounts) add(status int) {
	c.Total++
	switch {
	case status == 0:
		c.Transport++
	case status == 429:
		c.Throttled++
	case status >= 500:
		c.Server5xx++
	case status >= 400:
		c.Client4xx++
	case status >= 200 && status < 300:
		c.OK2xx++
	}
}

// RouteReport is one route's totals over a run.
type RouteReport struct {
	Route        string       `json:"route"`
	Statuses     StatusCounts `json:"statuses"`
	Availability float64      `json:"availabilityPct"`
	PerSecond    float64      `json:"requestsPerSecond"`
	OKPerSecond  float64      `json:"okPerSecond"`
	Latency      Summary      `json:"latency"`
}

// ByRoute summarizes samples per route (plus "ALL"), over a run of the given duration, sorted by route.
func ByRoute(samples []Sample, duration time.Duration) []RouteReport {
	groups := map[string][]Sample{"ALL": samples}
	for _, s := range samples {
		groups[s.Route] = append(groups[s.Route], s)
	}
	secs := duration.Seconds()
	out := make([]RouteReport, 0, len(groups))
	for route, group := range groups {
		var counts StatusCounts
		lat := make([]time.Duration, 0, len(group))
		for _, s := range group {
			counts.add(s.Status)
			lat = append(lat, s.Latency)
		}
		rr := RouteReport{Route: route, Statuses: counts, Availability: counts.Availability(), Latency: Summarize(lat)}
		if secs > 0 {
			rr.PerSecond = float64(counts.Total) / secs
			rr.OKPerSecond = float64(counts.OK2xx) / secs
		}
		out = append(out, rr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Route < out[j].Route })
	return out
}

// Second is one point of the timeline.
type Second struct {
	Second   int     `json:"second"` // since the run started
	Requests int     `json:"requests"`
	P50      float64 `json:"p50Ms"`
	P99      float64 `json:"p99Ms"`
}

// Timeline buckets samples by the second they started in, from start; empty seconds are kept (zero) so the
// chart shows stalls.
func Timeline(samples []Sample, start time.Time, duration time.Duration) []Second {
	n := int(duration.Round(time.Second) / time.Second)
	buckets := make([][]time.Duration, max(n, 0))
	for _, s := range samples {
		i := int(s.Start.Sub(start) / time.Second)
		if i < 0 || i >= len(buckets) {
			continue
		}
		buckets[i] = append(buckets[i], s.Latency)
	}
	out := make([]Second, len(buckets))
	for i, b := range buckets {
		sum := Summarize(b)
		out[i] = Second{Second: i, Requests: len(b), P50: sum.P50, P99: sum.P99}
	}
	return out
}
