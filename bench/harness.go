package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/calltaxi/call-taxi/bench/internal/api"
	"github.com/calltaxi/call-taxi/bench/internal/audit"
	"github.com/calltaxi/call-taxi/bench/internal/chaos"
	"github.com/calltaxi/call-taxi/bench/internal/cloudproc"
	"github.com/calltaxi/call-taxi/bench/internal/load"
	"github.com/calltaxi/call-taxi/bench/internal/report"
	"github.com/calltaxi/call-taxi/bench/internal/stats"
)

// harness runs one benchmark or chaos run end to end and writes its results.
func harness(ctx context.Context, opts options, logger *slog.Logger, out io.Writer) (*report.Run, error) {
	started := time.Now()
	result := &report.Run{
		Name: opts.resultName(started), Mode: opts.mode(), StartedAt: started.UTC(), Cores: runtime.NumCPU(),
		GoVersion: runtime.Version(), Params: opts.params, Concurrency: opts.concurrency,
		DurationS: opts.duration.Seconds(), WarmupS: opts.warmup.Seconds(), ReadMix: opts.readMix,
	}
	url, dataDir := opts.url, opts.dataDir
	var cloud *cloudproc.Cloud
	if url == "" {
		fmt.Fprintf(out, "starting the local cloud (build + start; params %v)…\n", opts.params)
		var err error
		// Lazy TTL is on in every local cloud; chaos adds transaction conflicts.
		args := append([]string{fmt.Sprintf("-time-scale=%g", opts.timeScale), fmt.Sprintf("-ddb-transaction-conflicts=%g", opts.conflictRate),
			"-latency=" + opts.latency}, opts.cloudArgs...)
		if opts.smsRate > 0 {
			// The SNS emulator's rate is per AWS second; the sender's own limit is per wall second.
			args = append(args, fmt.Sprintf("-sms-rate=%g", opts.smsRate/max(opts.timeScale, 1)))
		}
		cloud, err = cloudproc.Start(ctx, cloudproc.Options{RepoRoot: opts.root, Params: opts.params, ExtraArgs: args})
		if err != nil {
			return nil, err
		}
		defer cloud.Stop()
		url, dataDir = cloud.URL, cloud.DataDir
	}
	client := api.New(url, opts.concurrency+32)
	result.LatencyProfile = opts.latency
	var err error
	if result.LoopbackFloorMs, err = loopbackFloor(ctx, client); err != nil {
		return nil, err
	}
	if result.IdleColdStarts, err = idleColdStarts(ctx, cloud, client, opts.idleColdStarts, out); err != nil {
		return nil, err
	}
	var idleCPU func() time.Duration // the tree's idle CPU over a stretch as long as the load
	if cloud != nil {
		idleCPU = measureIdleCPU(cloud.Pid)
	}
	workBefore := readWork(ctx, client, cloud)

	stopSampling := func() (map[string]cloudproc.FunctionMemory, int64) { return nil, 0 }
	if cloud != nil {
		stopSampling = sampleMemory(cloud.Pid)
	}

	var injector *chaos.Injector
	loadCtx, endLoad := context.WithCancel(ctx)
	defer endLoad()
	var chaosDone sync.WaitGroup
	if opts.chaos {
		injector = chaos.New(client, chaos.Plan{Every: opts.chaosEvery, StopFor: opts.stopFor,
			PutEventsFailureRate: opts.putEventsFailure, SMSFailureRate: opts.smsFailure, DuplicateDelivery: true}, logger)
		chaosCtx, endChaos := context.WithTimeout(loadCtx, opts.warmup+opts.duration)
		defer endChaos()
		chaosDone.Go(func() {
			if err := injector.Run(chaosCtx); err != nil {
				logger.Error("chaos", "error", err.Error())
			}
		})
	}

	fmt.Fprintf(out, "load: %d customers, %s (+%s warm-up), read mix %.2f\n", opts.concurrency, opts.duration, opts.warmup, opts.readMix)
	res, err := load.Run(loadCtx, load.Config{
		Client: client, Concurrency: opts.concurrency, Duration: opts.duration, Warmup: opts.warmup, Drain: opts.drain,
		ReadMix: opts.readMix, CancelShare: opts.cancelShare, ConfirmShare: opts.confirmShare,
		GiveUpShare: opts.giveUpShare, NoKeyShare: opts.noKeyShare,
		TaxiStock: taxiStock(opts), LagSampleEvery: opts.lagEvery, Logger: logger,
	})
	chaosDone.Wait()
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	result.FromLoad(res)
	result.CPUPerOrderMs = cpuPerOrder(workBefore, readCPU(cloud), idleCPU, res.Orders.Placed)
	if cloud != nil {
		if m, err := cloudproc.TreeMemoryOf("/proc", cloud.Pid); err == nil {
			result.EndOfLoadMemory = &m
		}
	}
	result.PeakMemory, result.PeakTreeRSSBytes = stopSampling()
	if injector != nil {
		res.Expect.Faults = injector.Faults()
		result.Faults = res.Expect.Faults
	}
	if opts.slowPaymentMs > 0 {
		res.Expect.Faults = append(res.Expect.Faults, audit.Fault{At: started, Kind: audit.FaultSlowPayment, Function: "PaymentFunction",
			Detail: fmt.Sprintf("%d ms", opts.slowPaymentMs)})
	}

	fmt.Fprintf(out, "waiting for deliveries to settle (≤ %s)…\n", opts.quiesce)
	if err := chaos.WaitQuiescent(ctx, client, opts.quiesce); err != nil {
		result.Quiesced = err.Error()
		fmt.Fprintln(out, "warning:", err)
	} else {
		result.Quiesced = "quiescent"
	}
	// The orders' whole work: what the asynchronous paths still had queued when the load ended included.
	settled := readWork(ctx, client, cloud)
	result.CPUPerOrderSettledMs = cpuPerOrder(workBefore, settled, idleCPU, res.Orders.Placed)
	result.SetCPUByProcess(cloudproc.CPUByName(workBefore.procs, settled.procs), settled.cpu.Tree-workBefore.cpu.Tree, res.Orders.Placed)
	result.SetWorkPerOrder(perOrder(workBefore.calls, settled.calls, res.Orders.Placed), perOrder(workBefore.invocations, settled.invocations, res.Orders.Placed))
	if settled.functionsErr != nil {
		return nil, settled.functionsErr
	}
	result.Functions = settled.functions
	snap, err := audit.Fetch(ctx, client, dirFS(dataDir))
	if err != nil {
		return nil, fmt.Errorf("audit snapshot: %w", err)
	}
	result.SMSLagFrom(snap)
	auditReport := audit.Run(snap, res.Expect)
	result.Audit = &auditReport
	result.ReadPhase = readPhase(ctx, opts, url, cloud, res.Owned, result.LoopbackFloorMs, out)
	if opts.latency != "" && opts.latency != "none" && opts.traceOrders > 0 {
		// After the audit snapshot: these orders are not part of the audited load.
		if result.OrderTrace, err = traceOrders(ctx, client, opts.traceOrders); err != nil {
			fmt.Fprintln(out, "warning: order trace:", err)
		}
	}

	if opts.sizes != "skip" {
		sizes, source, err := cloudproc.BootstrapSizes(ctx, opts.root, opts.sizes == "build")
		if err != nil {
			fmt.Fprintln(out, "warning: arm64 bootstrap sizes:", err)
		}
		result.BootstrapBytes, result.SizesSource = sizes, source
	}
	result.Evaluate()
	jsonPath, svgPath, err := result.Write(opts.outDir)
	if err != nil {
		return nil, err
	}
	printSummary(out, result, res)
	fmt.Fprintf(out, "\nwrote %s and %s\n", jsonPath, svgPath)
	return result, nil
}

// taxiStock: plenty for a benchmark; in chaos, small enough that some confirms are rejected for lack of
// taxis and releases matter.
func taxiStock(opts options) int {
	if opts.chaos {
		return 40
	}
	return 10_000 // the API's maximum
}

func dirFS(dir string) fs.FS {
	if dir == "" {
		return nil
	}
	return os.DirFS(dir)
}

// workReading is what the local cloud's tree has done so far: its CPU (total and per live process), the
// AWS API calls it answered and its functions' counters (nil or zero where it cannot say).
type workReading struct {
	at                 time.Time
	cpu                cloudproc.CPU
	cpuOK              bool
	procs              map[int]cloudproc.NamedCPU
	calls, invocations map[string]int64
	functions          []api.FunctionStats
	functionsErr       error
}

// readCPU reads the tree's CPU only.
func readCPU(cloud *cloudproc.Cloud) workReading {
	w := workReading{at: time.Now()}
	if cloud != nil {
		var err error
		w.cpu, err = cloudproc.TreeCPU("/proc", cloud.Pid)
		w.cpuOK = err == nil
		w.procs, _ = cloudproc.ProcessCPUs("/proc", cloud.Pid)
	}
	return w
}

// readWork reads the tree's CPU and the cloud's counts of calls and invocations.
func readWork(ctx context.Context, client *api.Client, cloud *cloudproc.Cloud) workReading {
	w := readCPU(cloud)
	w.calls, _ = client.Calls(ctx)
	if w.functions, w.functionsErr = client.Functions(ctx); w.functionsErr == nil {
		w.invocations = map[string]int64{}
		for _, f := range w.functions {
			w.invocations[f.Name] = f.Invocations
		}
	}
	return w
}

// cpuPerOrder is the tree's CPU between two readings per placed order, the idle tree's CPU over as long a
// stretch subtracted (0 when not measured).
func cpuPerOrder(before, after workReading, idleCPU func() time.Duration, placed int) float64 {
	if !before.cpuOK || !after.cpuOK || idleCPU == nil || placed <= 0 {
		return 0
	}
	idle := time.Duration(float64(idleCPU()) * after.at.Sub(before.at).Seconds())
	used := after.cpu.Tree - before.cpu.Tree - idle
	return max(used, 0).Seconds() * 1000 / float64(placed)
}

// perOrder is each count's growth between two readings per placed order.
func perOrder(before, after map[string]int64, placed int) map[string]float64 {
	if after == nil || placed <= 0 {
		return nil
	}
	out := map[string]float64{}
	for name, n := range after {
		if d := n - before[name]; d > 0 {
			out[name] = float64(d) / float64(placed)
		}
	}
	return out
}

// sampleMemory reads the local cloud's process tree every second until the returned function is called,
// which returns each name's peak total RSS (with the environment count at that moment) and the whole
// tree's peak RSS (one reading's sum).
func sampleMemory(pid int) func() (map[string]cloudproc.FunctionMemory, int64) {
	var mu sync.Mutex
	peak := map[string]cloudproc.FunctionMemory{}
	var treePeak int64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		ticker := time.NewTicker(time.Second)
		defer ticker.Stop()
		for {
			procs, err := cloudproc.Memory("/proc", pid)
			if err == nil {
				mu.Lock()
				var total int64
				for name, m := range cloudproc.ByName(procs) {
					total += m.TotalRSSBytes
					if m.TotalRSSBytes > peak[name].TotalRSSBytes {
						peak[name] = m
					}
				}
				treePeak = max(treePeak, total)
				mu.Unlock()
			}
			select {
			case <-done:
				return
			case <-ticker.C:
			}
		}
	})
	return func() (map[string]cloudproc.FunctionMemory, int64) {
		close(done)
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		if len(peak) == 0 {
			return nil, 0
		}
		return peak, treePeak
	}
}

func auditOnly(ctx context.Context, opts options, out io.Writer) error {
	client := api.New(opts.url, 4)
	snap, err := audit.Fetch(ctx, client, dirFS(opts.dataDir))
	if err != nil {
		return err
	}
	r := audit.Run(snap, audit.Expectations{})
	r.Print(out)
	if r.ViolationCount() > 0 {
		return errViolations
	}
	return nil
}

// loopbackFloor is the median wall time of one sequential GET /_local/health round trip.
func loopbackFloor(ctx context.Context, client *api.Client) (float64, error) {
	const n = 200
	lat := make([]time.Duration, 0, n)
	for range n {
		resp, err := client.Do(ctx, api.Request{Method: http.MethodGet, Path: "/_local/health"})
		if err != nil {
			return 0, fmt.Errorf("loopback floor: %w", err)
		}
		lat = append(lat, resp.Latency)
	}
	return stats.Summarize(lat).P50, nil
}

// measureIdleCPU samples the idle tree's CPU over 3 s before the load and returns its rate per second.
func measureIdleCPU(pid int) func() time.Duration {
	const stretch = 3 * time.Second
	before, err := cloudproc.TreeCPU("/proc", pid)
	if err != nil {
		return func() time.Duration { return 0 }
	}
	time.Sleep(stretch)
	after, err := cloudproc.TreeCPU("/proc", pid)
	if err != nil {
		return func() time.Duration { return 0 }
	}
	rate := (after.Tree - before.Tree) / time.Duration(stretch/time.Second)
	return func() time.Duration { return rate }
}
