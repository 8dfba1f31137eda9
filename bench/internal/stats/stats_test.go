package stats

import (
	"math"
	"testing"
	"time"
)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = ms(i + 1) // 1..100 ms
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"single", []time.Duration{ms(7)}, 99, ms(7)},
		{"p50 of 1..100", hundred, 50, ms(50)},
		{"p90 of 1..100", hundred, 90, ms(90)},
		{"p99 of 1..100", hundred, 99, ms(99)},
		{"p100 is max", hundred, 100, ms(100)},
		{"p0 is min", hundred, 0, ms(1)},
		{"nearest rank rounds up", []time.Duration{ms(1), ms(2), ms(3)}, 50, ms(2)},
		{"p99 of 3 samples is the max", []time.Duration{ms(1), ms(2), ms(3)}, 99, ms(3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("Percentile(p%v) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

func TestSummarizeDoesNotAssumeSortedInput(t *testing.T) {
	in := []time.Duration{ms(30), ms(10), ms(20), ms(40)}
	got := Summarize(in)
	want := Summary{Count: 4, P50: 20, P90: 40, P99: 40, Max: 40, Mean: 25}
	if got != want {
		t.Errorf("Summarize = %+v, want %+v", got, want)
	}
	if in[0] != ms(30) {
		t.Error("Summarize reordered its input")
	}
}

func TestByRouteCountsAndAvailability(t *testing.T) {
	start := time.Unix(0, 0)
	samples := []Sample{
		{Route: "POST /orders", Status: 201, Start: start, Latency: ms(10)},
		{Route: "POST /orders", Status: 429, Start: start, Latency: ms(1)},
		{Route: "POST /orders", Status: 503, Start: start, Latency: ms(5)},
		{Route: "POST /orders", Status: 0, Start: start, Latency: ms(2)},
		{Route: "GET /mypages/{id}", Status: 200, Start: start, Latency: ms(3)},
		{Route: "GET /mypages/{id}", Status: 404, Start: start, Latency: ms(3)},
	}
	reports := ByRoute(samples, 2*time.Second)
	byName := map[string]RouteReport{}
	for _, r := range reports {
		byName[r.Route] = r
	}
	orders := byName["POST /orders"]
	wantCounts := StatusCounts{Total: 4, OK2xx: 1, Throttled: 1, Server5xx: 1, Transport: 1}
	if orders.Statuses != wantCounts {
		t.Errorf("orders counts = %+v, want %+v", orders.Statuses, wantCounts)
	}
	if orders.Availability != 50 {
		t.Errorf("orders availability = %v, want 50 (429 counts as available, 5xx and transport errors do not)", orders.Availability)
	}
	if orders.PerSecond != 2 || orders.OKPerSecond != 0.5 {
		t.Errorf("orders rates = %v/s, %v ok/s; want 2 and 0.5", orders.PerSecond, orders.OKPerSecond)
	}
	reads := byName["GET /mypages/{id}"].Statuses
	if reads.Client4xx != 1 || reads.OK2xx != 1 {
		t.Errorf("reads counts = %+v", reads)
	}
	if all := byName["ALL"].Statuses.Total; all != len(samples) {
		t.Errorf("ALL total = %d, want %d", all, len(samples))
	}
}

func TestTimelineKeepsEmptySeconds(t *testing.T) {
	start := time.Unix(100, 0)
	samples := []Sample{
		{Start: start.Add(100 * time.Millisecond), Latency: ms(4)},
		{Start: start.Add(900 * time.Millisecond), Latency: ms(8)},
		{Start: start.Add(2500 * time.Millisecond), Latency: ms(6)},
		{Start: start.Add(-time.Second), Latency: ms(99)},    // before the run: ignored
		{Start: start.Add(5 * time.Second), Latency: ms(99)}, // after: ignored
	}
	got := Timeline(samples, start, 3*time.Second)
	if len(got) != 3 {
		t.Fatalf("len = %d, want 3", len(got))
	}
	if got[0].Requests != 2 || got[0].P50 != 4 || got[0].P99 != 8 {
		t.Errorf("second 0 = %+v", got[0])
	}
	if got[1].Requests != 0 || got[1].P99 != 0 {
		t.Errorf("second 1 should be empty, got %+v", got[1])
	}
	if got[2].Requests != 1 || got[2].P50 != 6 {
		t.Errorf("second 2 = %+v", got[2])
	}
}

func TestAvailabilityOfNothingIsZero(t *testing.T) {
	if a := (StatusCounts{}).Availability(); a != 0 || math.IsNaN(a) {
		t.Errorf("Availability() = %v", a)
	}
}
