package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/calltaxi/call-taxi/bench/internal/api"
)

// stableFor must exceed the stream pollers' longest retry backoff (2 s locally), or a batch waiting to be
// retried would look like silence.
const stableFor = 3 * time.Second

// WaitQuiescent polls the bus, stream, queue and function counters until nothing is queued, retrying or running
// and no counter has moved for stableFor, or timeout passes (then it returns an error naming what moved).
func WaitQuiescent(ctx context.Context, c *api.Client, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last []byte
	stableSince := time.Now()
	for {
		snap, busy, err := counters(ctx, c)
		if err != nil {
			return err
		}
		now := time.Now()
		if busy != "" || !bytes.Equal(snap, last) {
			stableSince = now
		}
		last = snap
		if busy == "" && now.Sub(stableSince) >= stableFor {
			return nil
		}
		if now.After(deadline) {
			if busy == "" {
				busy = "counters still moving"
			}
			return fmt.Errorf("not quiescent after %s: %s", timeout, busy)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// counters returns every counter as one comparable document, and what is still busy ("" = nothing).
func counters(ctx context.Context, c *api.Client) ([]byte, string, error) {
	bus, err := c.EventStats(ctx)
	if err != nil {
		return nil, "", err
	}
	streams, err := c.StreamStats(ctx)
	if err != nil {
		return nil, "", err
	}
	fns, err := c.Functions(ctx)
	if err != nil {
		return nil, "", err
	}
	queues, queueMappings, err := c.Queues(ctx)
	if err != nil {
		return nil, "", err
	}
	busy := ""
	if pending := bus.Queued + bus.Retrying + bus.InFlight; pending > 0 {
		busy = fmt.Sprintf("%d event deliveries pending", pending)
	}
	for _, name := range slices.Sorted(maps.Keys(queues)) {
		// Dead-letter queues hold what the auditor explains; every other queue must drain.
		if q := queues[name]; !strings.HasSuffix(name, "-dlq") && q.Visible+q.NotVisible+q.Delayed > 0 && busy == "" {
			busy = fmt.Sprintf("queue %s holds %d message(s)", name, q.Visible+q.NotVisible+q.Delayed)
		}
	}
	for _, f := range fns {
		if f.ConcurrentInvokes > 0 && busy == "" {
			busy = fmt.Sprintf("%s has %d invocations running", f.Name, f.ConcurrentInvokes)
		}
	}
	// What moves while work is left: stream and queue mappings' deliveries and queue depths. Function
	// invocation and bus delivery totals are not compared: a scheduled rule (the order sweep) invokes
	// its function every minute of AWS time, forever.
	delivered := map[string]int64{}
	for name, raw := range queueMappings {
		var st struct{ Invocations int64 }
		if err := json.Unmarshal(raw, &st); err != nil {
			return nil, "", fmt.Errorf("queue mapping %s stats: %w", name, err)
		}
		delivered[name] = st.Invocations
	}
	doc, err := json.Marshal(map[string]any{"streams": streams, "queues": queues, "queueMappings": delivered})
	return doc, busy, err
}
