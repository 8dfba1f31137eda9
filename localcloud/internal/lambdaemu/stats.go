package lambdaemu

import (
	"sort"
	"time"
)

// counters accumulate per function; guarded by Service.mu.
type counters struct {
	invocations   int64
	errors        int64
	throttles     int64
	timeouts      int64
	coldStarts    int64
	coldStartLast time.Duration
	coldStartSum  time.Duration
}

// FunctionStats is a snapshot of one function, for the local cloud's dashboard.
type FunctionStats struct {
	Name                string        `json:"name"`
	Environments        int           `json:"environments"`
	IdleEnvironments    int           `json:"idleEnvironments"`
	BusyEnvironments    int           `json:"busyEnvironments"` // running or starting
	ConcurrentInvokes   int           `json:"concurrentInvokes"`
	ReservedConcurrency *int          `json:"reservedConcurrency,omitempty"`
	Invocations         int64         `json:"invocations"` // admitted invokes, throttles excluded (as the AWS metric)
	Errors              int64         `json:"errors"`      // function errors, timeouts and crashes included
	Throttles           int64         `json:"throttles"`
	Timeouts            int64         `json:"timeouts"`
	ColdStarts          int64         `json:"coldStarts"`
	LastColdStartMs     float64       `json:"lastColdStartMs"`
	AvgColdStartMs      float64       `json:"avgColdStartMs"`
	State               FunctionState `json:"state"` // running, throttled (Stop) or failing (Fail)
}

// Stats returns one snapshot per registered function, sorted by name.
func (s *Service) Stats() []FunctionStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]FunctionStats, 0, len(s.functions))
	for _, fn := range s.functions {
		c := fn.stats
		st := FunctionStats{
			Name:              fn.cfg.Name,
			Environments:      len(fn.envs),
			IdleEnvironments:  len(fn.idle),
			BusyEnvironments:  len(fn.envs) - len(fn.idle),
			ConcurrentInvokes: fn.inFlight,
			Invocations:       c.invocations,
			Errors:            c.errors,
			Throttles:         c.throttles,
			Timeouts:          c.timeouts,
			ColdStarts:        c.coldStarts,
			LastColdStartMs:   millis(c.coldStartLast),
			State:             fn.state,
		}
		if fn.cfg.ReservedConcurrency != nil {
			reserved := *fn.cfg.ReservedConcurrency
			st.ReservedConcurrency = &reserved
		}
		if c.coldStarts > 0 {
			st.AvgColdStartMs = millis(c.coldStartSum / time.Duration(c.coldStarts))
		}
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (s *Service) recordColdStart(fn *function, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn.stats.coldStarts++
	fn.stats.coldStartLast = d
	fn.stats.coldStartSum += d
	s.logger.Debug("cold start", "function", fn.cfg.Name, "ms", millis(d))
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
