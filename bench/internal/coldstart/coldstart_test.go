package coldstart

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/calltaxi/call-taxi/bench/internal/api"
)

// fakeFunction is what the fake local cloud knows of one function.
type fakeFunction struct {
	stats    api.FunctionStats
	initMs   []float64 // the cold start each new environment takes, in turn
	accepts  string    // the one payload it answers without a function error ("" = any)
	extra    int       // invokes during which another invoke also cold-starts an environment
	stuck    bool      // an environment that Reclaim cannot end (a busy one)
	payloads []string
}

type fakeCloud struct{ fns []*fakeFunction }

func (c *fakeCloud) Functions(context.Context) ([]api.FunctionStats, error) {
	out := make([]api.FunctionStats, len(c.fns))
	for i, f := range c.fns {
		out[i] = f.stats
	}
	return out, nil
}

func (c *fakeCloud) find(name string) *fakeFunction {
	for _, f := range c.fns {
		if f.stats.Name == name {
			return f
		}
	}
	return nil
}

func (c *fakeCloud) Reclaim(_ context.Context, name string) error {
	if f := c.find(name); !f.stuck {
		f.stats.Environments = 0
	}
	return nil
}

func (c *fakeCloud) coldStart(f *fakeFunction) {
	f.stats.ColdStarts++
	f.stats.LastColdStartMs, f.initMs = f.initMs[0], f.initMs[1:]
	f.stats.Environments++
}

func (c *fakeCloud) Invoke(_ context.Context, name string, payload []byte) (string, error) {
	f := c.find(name)
	f.payloads = append(f.payloads, string(payload))
	if f.stats.Environments == 0 {
		c.coldStart(f)
	}
	if f.extra > 0 {
		f.extra--
		c.coldStart(f)
	}
	if f.accepts != "" && string(payload) != f.accepts {
		return "Unhandled", nil
	}
	return "", nil
}

func TestMeasure(t *testing.T) {
	cloud := &fakeCloud{fns: []*fakeFunction{
		{stats: api.FunctionStats{Name: "consumer", Environments: 2, ColdStarts: 40}, initMs: []float64{7, 5, 6}},
		{stats: api.FunctionStats{Name: "direct"}, initMs: []float64{9, 8, 12}, accepts: `{}`},
		{stats: api.FunctionStats{Name: "scheduled"}, initMs: []float64{3, 50, 4, 5, 4}, extra: 1},
	}}
	got, err := Measure(context.Background(), cloud, 3)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		starts      []float64
		p50, max    float64
		fnErrors    int
		skipped     int
		payloadsRun []string
	}{
		{"consumer", []float64{7, 5, 6}, 6, 7, 0, 0, []string{`{"Records":[]}`, `{"Records":[]}`, `{"Records":[]}`}},
		// The first payload is refused once (its cold start still counts), then {} is used.
		{"direct", []float64{9, 8, 12}, 9, 12, 1, 0, []string{`{"Records":[]}`, `{}`, `{}`}},
		// The first invoke overlapped another cold start (3 and 50): discarded, not averaged in.
		{"scheduled", []float64{4, 5, 4}, 4, 5, 0, 1, nil},
	}
	if len(got) != len(tests) {
		t.Fatalf("got %d functions, want %d: %+v", len(got), len(tests), got)
	}
	for i, tt := range tests {
		g := got[i]
		if g.Name != tt.name || g.Starts.P50 != tt.p50 || g.Starts.Max != tt.max || g.Starts.Count != len(tt.starts) ||
			g.FunctionErrors != tt.fnErrors || g.Skipped != tt.skipped {
			t.Errorf("%s: got %+v, want starts %v p50 %v max %v, %d function errors, %d skipped", tt.name, g, tt.starts, tt.p50, tt.max, tt.fnErrors, tt.skipped)
		}
		if !reflect.DeepEqual(g.StartsMs, tt.starts) {
			t.Errorf("%s: starts %v, want %v", tt.name, g.StartsMs, tt.starts)
		}
		if tt.payloadsRun != nil && !reflect.DeepEqual(cloud.fns[i].payloads, tt.payloadsRun) {
			t.Errorf("%s: payloads %q, want %q", tt.name, cloud.fns[i].payloads, tt.payloadsRun)
		}
	}
}

func TestMeasureGivesUpOnAnEnvironmentItCannotReclaim(t *testing.T) {
	cloud := &fakeCloud{fns: []*fakeFunction{{stats: api.FunctionStats{Name: "busy", Environments: 1}, stuck: true}}}
	_, err := Measure(context.Background(), cloud, 2)
	if !errors.Is(err, errBusy) {
		t.Fatalf("err = %v, want errBusy", err)
	}
	if n := len(cloud.fns[0].payloads); n != 0 {
		t.Errorf("invoked %d times a function whose environment was never reclaimed", n)
	}
}
