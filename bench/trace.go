package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"time"

	"github.com/calltaxi/call-taxi/bench/internal/api"
	"github.com/calltaxi/call-taxi/bench/internal/report"
	"github.com/calltaxi/call-taxi/bench/internal/stats"
)

type tracedCall struct {
	Service   string        `json:"service"`
	Operation string        `json:"operation"`
	Start     time.Time     `json:"start"`
	End       time.Time     `json:"end"`
	Modeled   time.Duration `json:"modeledNs"`
}

// traceOrders places n orders one at a time with a trace header and reads back their AWS calls.
func traceOrders(ctx context.Context, client *api.Client, n int) (*report.OrderTrace, error) {
	token, err := client.Token(ctx, "bench-trace", []string{"customers"}, time.Hour)
	if err != nil {
		return nil, fmt.Errorf("trace token: %w", err)
	}
	type one struct {
		calls   []tracedCall
		latency time.Duration
	}
	var traced []one
	for i := range n {
		root := newTraceRoot()
		phone, _ := rand.Int(rand.Reader, big.NewInt(100_000_000))
		body := map[string]string{"name": "Trace Rider", "phone": fmt.Sprintf("+8219%08d", phone.Int64()), "orderType": "basic",
			"cardNo": "4242424242424242", "pickup": "Seoul Station"}
		resp, err := client.Do(ctx, api.Request{Method: http.MethodPost, Path: "/orders", Token: token, Body: body,
			Headers: map[string]string{"Idempotency-Key": fmt.Sprintf("trace-%s-%d", root, i), "X-Amzn-Trace-Id": "Root=" + root + ";Sampled=0"}})
		if err != nil {
			return nil, fmt.Errorf("traced order: %w", err)
		}
		if resp.Status != http.StatusCreated {
			continue // a 429 or decline tells nothing about the full path
		}
		var page struct {
			Calls []tracedCall `json:"calls"`
		}
		tr, err := client.Do(ctx, api.Request{Method: http.MethodGet, Path: "/_local/trace/" + root})
		if err != nil {
			return nil, fmt.Errorf("read trace: %w", err)
		}
		if tr.Status != http.StatusOK {
			return nil, fmt.Errorf("read trace: %d %s (is the local cloud running with -latency?)", tr.Status, tr.Body)
		}
		if err := json.Unmarshal(tr.Body, &page); err != nil {
			return nil, fmt.Errorf("decode trace: %w", err)
		}
		traced = append(traced, one{calls: page.Calls, latency: resp.Latency})
	}
	if len(traced) == 0 {
		return nil, fmt.Errorf("no traced order was placed")
	}
	lat := make([]time.Duration, len(traced))
	for i, t := range traced {
		lat[i] = t.latency
	}
	slices.SortFunc(traced, func(a, b one) int { return len(a.calls) - len(b.calls) })
	med := traced[len(traced)/2].calls
	out := &report.OrderTrace{Orders: len(traced), Calls: len(med), Sequential: sequentialCalls(med), Latency: stats.Summarize(lat), ByOp: map[string]int{}}
	slices.SortFunc(med, func(a, b tracedCall) int { return a.Start.Compare(b.Start) })
	for _, c := range med {
		name := c.Service + "." + c.Operation
		out.Operations = append(out.Operations, name)
		out.ByOp[name]++
		out.ModeledMs += float64(c.Modeled) / float64(time.Millisecond)
	}
	return out, nil
}

// sequentialCalls counts calls that started after every earlier call had ended, or inside a synchronous
// lambda Invoke that encloses them (the invoked function's calls): calls running beside each other count once.
func sequentialCalls(calls []tracedCall) int {
	sorted := slices.Clone(calls)
	slices.SortFunc(sorted, func(a, b tracedCall) int { return a.Start.Compare(b.Start) })
	n := 0
	var open []tracedCall // enclosing calls still running, outermost first
	var lastEnd time.Time
	for _, c := range sorted {
		for len(open) > 0 && !open[len(open)-1].End.After(c.Start) {
			open = open[:len(open)-1]
		}
		nested := false
		for _, o := range open {
			if o.Service == "lambda" && o.Operation == "Invoke" && !c.End.After(o.End) {
				nested = true
			}
		}
		if nested || !c.Start.Before(lastEnd) {
			n++
		}
		open = append(open, c)
		if c.End.After(lastEnd) {
			lastEnd = c.End
		}
	}
	return n
}

func newTraceRoot() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("1-%08x-%s", time.Now().Unix(), hex.EncodeToString(b[:]))
}
