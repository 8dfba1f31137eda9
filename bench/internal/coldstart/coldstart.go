// Package coldstart measures each function's cold start on an idle local cloud: the Init phase alone
// (process start to the runtime's first request for work), one start at a time, so the figure is the
// function's own and not the contention of a loaded machine.
package coldstart

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/calltaxi/call-taxi/bench/internal/api"
	"github.com/calltaxi/call-taxi/bench/internal/stats"
)

// Cloud is what the measurement needs of the local cloud.
type Cloud interface {
	Functions(ctx context.Context) ([]api.FunctionStats, error)
	Reclaim(ctx context.Context, function string) error
	Invoke(ctx context.Context, function string, payload []byte) (functionError string, err error)
}

// Function is one function's idle cold starts.
type Function struct {
	Name string `json:"name"`
	// StartsMs are the measured cold starts in order: spawn → the first GET /runtime/invocation/next, as
	// the local cloud timed each one (its lastColdStartMs right after the invoke that caused it).
	StartsMs []float64     `json:"startsMs"`
	Starts   stats.Summary `json:"starts"`
	// FunctionErrors counts invokes the function answered with a function error (a payload it does not
	// take); the cold start before it is measured all the same.
	FunctionErrors int `json:"functionErrors,omitempty"`
	// Skipped counts attempts discarded because another invoke started an environment meanwhile.
	Skipped int `json:"skipped,omitempty"`
}

// payloads are tried in turn until a function takes one without a function error: an empty batch, which
// every queue and stream consumer answers with no work, then an empty object (a direct invoke naming no
// action, or a trigger event with no fields).
var payloads = [][]byte{[]byte(`{"Records":[]}`), []byte(`{}`)}

// maxAttempts bounds the tries for one clean sample (no other environment started meanwhile).
const maxAttempts = 5

// errBusy: the function had a live environment after it was reclaimed, or started more than one.
var errBusy = errors.New("another invoke started an environment meanwhile")

// Measure cold-starts every function perFunction times, one at a time, and returns them by name.
func Measure(ctx context.Context, cloud Cloud, perFunction int) ([]Function, error) {
	fns, err := cloud.Functions(ctx)
	if err != nil {
		return nil, fmt.Errorf("idle cold starts: %w", err)
	}
	out := make([]Function, 0, len(fns))
	for _, f := range fns {
		m := measurer{cloud: cloud, name: f.Name}
		res, err := m.run(ctx, perFunction)
		if err != nil {
			return nil, fmt.Errorf("idle cold starts of %s: %w", f.Name, err)
		}
		out = append(out, res)
	}
	return out, nil
}

type measurer struct {
	cloud   Cloud
	name    string
	payload int // index into payloads
}

func (m *measurer) run(ctx context.Context, n int) (Function, error) {
	res := Function{Name: m.name, StartsMs: make([]float64, 0, n)}
	for len(res.StartsMs) < n {
		ms, err := m.sample(ctx, &res)
		if errors.Is(err, errBusy) {
			res.Skipped++
			if res.Skipped >= maxAttempts*n {
				return res, fmt.Errorf("%d attempts: %w", res.Skipped, err)
			}
			continue
		}
		if err != nil {
			return res, err
		}
		res.StartsMs = append(res.StartsMs, ms)
	}
	lat := make([]time.Duration, len(res.StartsMs))
	for i, ms := range res.StartsMs {
		lat[i] = time.Duration(ms * float64(time.Millisecond))
	}
	res.Starts = stats.Summarize(lat)
	return res, nil
}

// sample reclaims the function's idle environments, invokes it once and returns the cold start that invoke
// caused.
func (m *measurer) sample(ctx context.Context, res *Function) (float64, error) {
	if err := m.cloud.Reclaim(ctx, m.name); err != nil {
		return 0, err
	}
	before, err := m.stats(ctx)
	if err != nil {
		return 0, err
	}
	if before.Environments != 0 {
		return 0, errBusy
	}
	fnErr, err := m.cloud.Invoke(ctx, m.name, payloads[m.payload])
	if err != nil {
		return 0, err
	}
	if fnErr != "" {
		res.FunctionErrors++
		m.payload = min(m.payload+1, len(payloads)-1)
	}
	after, err := m.stats(ctx)
	if err != nil {
		return 0, err
	}
	if after.ColdStarts != before.ColdStarts+1 {
		return 0, errBusy
	}
	return after.LastColdStartMs, nil
}

func (m *measurer) stats(ctx context.Context) (api.FunctionStats, error) {
	fns, err := m.cloud.Functions(ctx)
	if err != nil {
		return api.FunctionStats{}, err
	}
	for _, f := range fns {
		if f.Name == m.name {
			return f, nil
		}
	}
	return api.FunctionStats{}, fmt.Errorf("function %s is no longer listed", m.name)
}
