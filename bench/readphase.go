package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/calltaxi/call-taxi/bench/internal/api"
	"github.com/calltaxi/call-taxi/bench/internal/cloudproc"
	"github.com/calltaxi/call-taxi/bench/internal/load"
	"github.com/calltaxi/call-taxi/bench/internal/report"
)

// readPhase runs the read-only GET /mypages/{id} phase (after the order load has drained): first
// -read-warmup unmeasured, so environments the mixed load never needed are started, then -read-d
// measured, with the CPU each kind of process used over it. With -read-cpuprofile the local cloud's
// CPU profile of the measured part is saved too.
func readPhase(ctx context.Context, opts options, url string, cloud *cloudproc.Cloud, owned []load.OwnedOrder, floorMs float64, out io.Writer) *report.ReadPhase {
	if opts.readDuration <= 0 || opts.readConns <= 0 {
		return nil
	}
	if len(owned) == 0 {
		fmt.Fprintln(out, "warning: read phase skipped: no order was placed")
		return nil
	}
	client := api.New(url, opts.readConns)
	cfg := load.ReadConfig{Client: client, Conns: opts.readConns, Duration: opts.readWarmup, Request: load.MyPageReads(owned)}
	fmt.Fprintf(out, "read phase: %d connections, GET /mypages/{id} of %d orders, %s (+%s warm-up)\n",
		opts.readConns, len(owned), opts.readDuration, opts.readWarmup)
	if opts.readWarmup > 0 {
		load.Reads(ctx, cfg)
	}
	var profiled sync.WaitGroup
	if opts.readCPUProfile != "" {
		profiled.Go(func() {
			secs := int(opts.readDuration.Round(time.Second) / time.Second)
			if err := saveProfile(ctx, fmt.Sprintf("%s/_local/debug/pprof/profile?seconds=%d", url, max(secs, 1)), opts.readCPUProfile); err != nil {
				fmt.Fprintln(out, "warning: read phase profile:", err)
			}
		})
	}
	cpu := startCPUCount(cloud)
	cfg.Duration = opts.readDuration
	res := load.Reads(ctx, cfg)
	localCloud, functions, bench := cpu()
	profiled.Wait()
	phase := report.NewReadPhase(opts.readConns, len(owned), res, floorMs, localCloud, functions, bench)

	cpu = startCPUCount(cloud)
	health := load.Reads(ctx, load.ReadConfig{Client: client, Conns: opts.readConns, Duration: ceilingStretch,
		Request: func(int) api.Request { return api.Request{Method: http.MethodGet, Path: "/_local/health"} }})
	localCloud, _, bench = cpu()
	phase.Ceiling = report.NewHTTPCeiling(health, localCloud, bench)
	return phase
}

// ceilingStretch is how long the read phase's connections call GET /_local/health afterwards.
const ceilingStretch = 3 * time.Second

// startCPUCount returns a function reporting the CPU the local cloud process, its descendants (the
// function environments) and this process used since the call; zeros for what cannot be read.
func startCPUCount(cloud *cloudproc.Cloud) func() (localCloud, functions, bench time.Duration) {
	tree := func() cloudproc.CPU {
		if cloud == nil {
			return cloudproc.CPU{}
		}
		c, _ := cloudproc.TreeCPU("/proc", cloud.Pid)
		return c
	}
	self := func() time.Duration {
		c, _ := cloudproc.ProcessCPU("/proc", os.Getpid())
		return c
	}
	treeBefore, selfBefore := tree(), self()
	return func() (time.Duration, time.Duration, time.Duration) {
		treeAfter, selfAfter := tree(), self()
		lc := treeAfter.LocalCloud - treeBefore.LocalCloud
		return lc, treeAfter.Tree - treeBefore.Tree - lc, selfAfter - selfBefore
	}
}
