package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/calltaxi/call-taxi/bench/internal/api"
	"github.com/calltaxi/call-taxi/bench/internal/audit"
	"github.com/calltaxi/call-taxi/bench/internal/chaos"
	"github.com/calltaxi/call-taxi/bench/internal/cloudproc"
	"github.com/calltaxi/call-taxi/bench/internal/load"
)

// soakMeasured is how many bookings the first and the last CPU measurement each cover.
const soakMeasured = 1000

// soakSMSPartsPerSecond is the notify sender's SMS rate in a soak: above the texts 8 concurrent
// customers cause (two status changes per booking), so no SMS backlog builds up.
const soakSMSPartsPerSecond = 1000

// soakSettle bounds the waits for deliveries to settle before and after each measured window, so a
// window's CPU is its own bookings' work, their stream, event and SMS deliveries included, and none
// of an earlier backlog's: after 99,000 bookings at 8 concurrent the SMS queue holds ~1,500 texts,
// which took more than a minute to drain.
const soakSettle = 5 * time.Minute

// soakCPUProfile is how long the local cloud is CPU-profiled from the start of the first and of the
// last 1,000 bookings (which take ~20 s at 8 concurrent).
const soakCPUProfile = 15 * time.Second

// soakSample is the local cloud's state after some bookings.
type soakSample struct {
	Bookings      int     `json:"bookings"`
	ElapsedS      float64 `json:"elapsedS"`
	RSSBytes      int64   `json:"localCloudRssBytes"`
	DataDirBytes  int64   `json:"dataDirBytes"` // without the function builds
	TreeCPUS      float64 `json:"treeCpuS"`
	LocalCloudCPU float64 `json:"localCloudCpuS"`
}

// soakWindow is CPU per booking (ms) over a measured window of bookings.
type soakWindow struct {
	TreePlacing, LocalCloudPlacing float64 // from the window's start until its last booking was placed
	Tree, LocalCloud               float64 // from quiescence before to quiescence after
}

// soakResult is what `make soak` writes to bench/results.
type soakResult struct {
	Name        string    `json:"name"`
	StartedAt   time.Time `json:"startedAt"`
	Cores       int       `json:"cores"`
	GoVersion   string    `json:"goVersion"`
	Params      []string  `json:"params,omitempty"`
	CloudArgs   []string  `json:"cloudArgs"`
	Concurrency int       `json:"concurrency"`
	Target      int       `json:"targetBookings"`
	Placed      int       `json:"placed"`
	ElapsedS    float64   `json:"elapsedS"`

	Samples []soakSample `json:"samples"`

	// CPU per booking (ms) of the whole tree and of the local cloud alone, first and last 1,000:
	// settled (from quiescence before the window to quiescence after it) and, as earlier runs
	// measured it, while placing (what was in flight when the window started counted, what was
	// when it ended not).
	First, Last soakWindow         `json:"-"`
	CPU         map[string]float64 `json:"cpuPerBookingMs"`
	Settled     map[string]string  `json:"settled"` // each measured window's waits, e.g. "before: quiescent in 3.1 s"

	RSSEndBytes      int64            `json:"localCloudRssEndBytes"` // quiescent, after the run
	RSSPeakBytes     int64            `json:"localCloudRssPeakBytes"`
	DataDirBytes     int64            `json:"dataDirBytes"`      // quiescent, before the forced compaction
	DataDir          map[string]int64 `json:"dataDir"`           // by entry, bytes
	DynamoDBFiles    map[string]int64 `json:"dynamodbDir"`       // dynamodb/ by entry
	SnapshotBytes    int64            `json:"liveSnapshotBytes"` // POST /_local/dynamodb/compact
	SnapshotItems    int              `json:"liveItems"`
	CompactPausedMs  float64          `json:"compactWritesPausedMs"`
	CompactTookMs    float64          `json:"compactTookMs"`
	DataDirRatio     float64          `json:"dataDirToSnapshot"`
	DataDirAfterComp int64            `json:"dataDirAfterCompactBytes"`

	RestartStartedInMs float64 `json:"restartStartedInMs"` // the restarted local cloud's own start-up (health)
	RestartDynamoDBMs  float64 `json:"restartDynamoDBLoadMs"`
	RestartWallMs      float64 `json:"restartWallMs"` // exec → healthy, polled every 200 ms
	OrdersBefore       int     `json:"ordersBeforeKill"`
	OrdersAfter        int     `json:"ordersAfterRestart"`

	HeapProfile string `json:"heapProfile"` // file name, next to the JSON
	// The local cloud's CPU profiles while the first and the last 1,000 bookings are placed (file
	// names next to the JSON): what grows with the data shows in their difference.
	CPUProfileFirst string `json:"cpuProfileFirst,omitempty"`
	CPUProfileLast  string `json:"cpuProfileLast,omitempty"`
	HeapTop         string `json:"heapTop"`
	Violations      int    `json:"auditViolations"`
	Quiesced        string `json:"quiesced"`
}

func soak(ctx context.Context, opts options, logger *slog.Logger, out io.Writer) error {
	started := time.Now()
	res := &soakResult{
		Name: opts.resultName(started), StartedAt: started.UTC(), Cores: runtime.NumCPU(), GoVersion: runtime.Version(),
		Params: opts.params, Concurrency: opts.concurrency, Target: opts.soak,
	}
	// SMS unlimited: the account's rate would only build an SMS backlog that has nothing to do with memory.
	// Both sides of the rate: the local cloud's SNS quota and the notify sender's own limiter
	// (SmsPartsPerSecond, as for an account whose quota was raised), unless -param sets it.
	res.CloudArgs = append([]string{"-sms-rate=-1"}, opts.cloudArgs...)
	if !slices.ContainsFunc(opts.params, func(p string) bool { return strings.HasPrefix(p, "SmsPartsPerSecond=") }) {
		opts.params = append(opts.params, fmt.Sprintf("SmsPartsPerSecond=%d", soakSMSPartsPerSecond))
		res.Params = opts.params
	}
	fmt.Fprintf(out, "soak: %d bookings at %d concurrent; starting the local cloud…\n", opts.soak, opts.concurrency)
	cloud, err := cloudproc.Start(ctx, cloudproc.Options{RepoRoot: opts.root, Params: opts.params, ExtraArgs: res.CloudArgs})
	if err != nil {
		return err
	}
	defer cloud.Stop()
	client := api.New(cloud.URL, opts.concurrency+8)

	sample := func(bookings int) (soakSample, error) {
		s := soakSample{Bookings: bookings, ElapsedS: time.Since(started).Seconds()}
		procs, err := cloudproc.Memory("/proc", cloud.Pid)
		if err != nil {
			return s, err
		}
		s.RSSBytes = cloudproc.ByName(procs)["localcloud"].TotalRSSBytes
		res.RSSPeakBytes = max(res.RSSPeakBytes, s.RSSBytes)
		sizes, err := cloudproc.DirSizes(cloud.DataDir, "build")
		if err != nil {
			return s, err
		}
		for _, n := range sizes {
			s.DataDirBytes += n
		}
		cpu, err := cloudproc.TreeCPU("/proc", cloud.Pid)
		if err != nil {
			return s, err
		}
		s.TreeCPUS, s.LocalCloudCPU = cpu.Tree.Seconds(), cpu.LocalCloud.Seconds()
		return s, nil
	}
	place := func(n int) (int, error) {
		r, err := load.Run(ctx, load.Config{Client: client, Concurrency: opts.concurrency, Duration: 1000 * time.Hour,
			Drain: time.Minute, MaxOrders: n, Logger: logger})
		if err != nil {
			return r.Orders.Placed, fmt.Errorf("place bookings: %w", err)
		}
		if r.Orders.Failed > 0 || r.Orders.Abandoned > 0 {
			logger.Warn("bookings not placed", "failed", r.Orders.Failed, "abandoned", r.Orders.Abandoned)
		}
		return r.Orders.Placed, nil
	}
	every := opts.soakHeapEvery
	if every <= 0 {
		every = max(opts.soak/10, soakMeasured)
	}
	first, err := sample(0)
	if err != nil {
		return err
	}
	res.Samples = append(res.Samples, first)
	res.Settled = map[string]string{}
	settle := func(label string) {
		start := time.Now()
		if err := chaos.WaitQuiescent(ctx, client, soakSettle); err != nil {
			res.Settled[label] = err.Error()
			return
		}
		res.Settled[label] = fmt.Sprintf("quiescent in %.1f s", time.Since(start).Seconds())
	}
	perBooking := func(from, to soakSample, placed int) (tree, self float64) {
		return (to.TreeCPUS - from.TreeCPUS) * 1000 / float64(placed), (to.LocalCloudCPU - from.LocalCloudCPU) * 1000 / float64(placed)
	}
	measure := func(n int) (placed int, before, after soakSample, err error) {
		if before, err = sample(res.Placed); err != nil {
			return 0, before, after, err
		}
		placed, err = place(n)
		res.Placed += placed
		if err != nil {
			return placed, before, after, err
		}
		if after, err = sample(res.Placed); err != nil {
			return placed, before, after, err
		}
		res.Samples = append(res.Samples, after)
		fmt.Fprintf(out, "  %7d bookings  RSS %s  data %s  (%.0f s)\n", res.Placed, mib(after.RSSBytes), mib(after.DataDirBytes), after.ElapsedS)
		return placed, before, after, nil
	}
	if err := os.MkdirAll(opts.outDir, 0o755); err != nil {
		return fmt.Errorf("results dir: %w", err)
	}
	// measureWindow measures n bookings both ways, settled and while placing, and CPU-profiles the
	// local cloud from the window's first booking (after the wait for an earlier backlog to drain).
	measureWindow := func(name string, n int, profile string) (w soakWindow, err error) {
		settle(name + " before")
		done := profileCPU(ctx, cloud.URL, filepath.Join(opts.outDir, profile), soakCPUProfile, logger)
		defer func() { <-done }()
		placed, before, placing, err := measure(n)
		if err != nil {
			return w, err
		}
		settle(name + " after")
		settled, err := sample(res.Placed)
		if err != nil {
			return w, err
		}
		w.TreePlacing, w.LocalCloudPlacing = perBooking(before, placing, placed)
		w.Tree, w.LocalCloud = perBooking(before, settled, placed)
		return w, nil
	}
	res.CPUProfileFirst, res.CPUProfileLast = res.Name+"-cpu-first.pb.gz", res.Name+"-cpu-last.pb.gz"
	if res.First, err = measureWindow("first", soakMeasured, res.CPUProfileFirst); err != nil {
		return err
	}
	for res.Placed < opts.soak-soakMeasured {
		if _, _, _, err := measure(min(every, opts.soak-soakMeasured-res.Placed)); err != nil {
			return err
		}
	}
	if res.Last, err = measureWindow("last", soakMeasured, res.CPUProfileLast); err != nil {
		return err
	}
	res.CPU = map[string]float64{
		"firstTree": res.First.Tree, "lastTree": res.Last.Tree,
		"firstLocalCloud": res.First.LocalCloud, "lastLocalCloud": res.Last.LocalCloud,
		"firstTreePlacing": res.First.TreePlacing, "lastTreePlacing": res.Last.TreePlacing,
		"firstLocalCloudPlacing": res.First.LocalCloudPlacing, "lastLocalCloudPlacing": res.Last.LocalCloudPlacing,
	}
	res.ElapsedS = time.Since(started).Seconds()

	fmt.Fprintf(out, "waiting for deliveries to settle (≤ %s)…\n", opts.quiesce)
	res.Quiesced = "quiescent"
	if err := chaos.WaitQuiescent(ctx, client, opts.quiesce); err != nil {
		res.Quiesced = err.Error()
	}
	end, err := sample(res.Placed)
	if err != nil {
		return err
	}
	res.RSSEndBytes, res.DataDirBytes = end.RSSBytes, end.DataDirBytes
	if res.DataDir, err = cloudproc.DirSizes(cloud.DataDir, "build"); err != nil {
		return err
	}
	if res.DynamoDBFiles, err = cloudproc.DirSizes(filepath.Join(cloud.DataDir, "dynamodb")); err != nil {
		return err
	}
	if err := os.MkdirAll(opts.outDir, 0o755); err != nil {
		return fmt.Errorf("results dir: %w", err)
	}
	res.HeapProfile = res.Name + "-heap.pb.gz"
	if res.HeapTop, err = heapProfile(ctx, cloud.URL, filepath.Join(opts.outDir, res.HeapProfile)); err != nil {
		return err
	}
	var compact struct {
		Items  int   `json:"items"`
		Bytes  int64 `json:"snapshotBytes"`
		Paused int64 `json:"pausedNs"`
		Took   int64 `json:"tookNs"`
	}
	if err := postJSON(ctx, cloud.URL+"/_local/dynamodb/compact", &compact); err != nil {
		return err
	}
	res.SnapshotBytes, res.SnapshotItems = compact.Bytes, compact.Items
	res.CompactPausedMs, res.CompactTookMs = float64(compact.Paused)/1e6, float64(compact.Took)/1e6
	res.DataDirRatio = float64(res.DataDirBytes) / float64(max(res.SnapshotBytes, 1))
	after, err := sample(res.Placed)
	if err != nil {
		return err
	}
	res.DataDirAfterComp = after.DataDirBytes

	snap, err := audit.Fetch(ctx, client, os.DirFS(cloud.DataDir))
	if err != nil {
		return fmt.Errorf("audit snapshot: %w", err)
	}
	report := audit.Run(snap, audit.Expectations{})
	res.Violations = report.ViolationCount()
	orders, err := client.Table(ctx, "OrdersTable")
	if err != nil {
		return err
	}
	res.OrdersBefore = len(orders)

	// kill -9, then restart on the same data.
	fmt.Fprintln(out, "kill -9 and restart on the same data…")
	cloud.Kill()
	restartAt := time.Now()
	again, err := cloudproc.Start(ctx, cloudproc.Options{RepoRoot: opts.root, Params: opts.params, ExtraArgs: res.CloudArgs,
		DataDir: cloud.DataDir, Binary: cloud.Binary})
	if err != nil {
		return fmt.Errorf("restart: %w", err)
	}
	defer again.Stop()
	res.RestartWallMs = float64(time.Since(restartAt).Microseconds()) / 1000
	client2 := api.New(again.URL, 4)
	var health struct {
		StartedInMs float64 `json:"startedInMs"`
	}
	if err := getJSON(ctx, again.URL+"/_local/health", &health); err != nil {
		return err
	}
	res.RestartStartedInMs = health.StartedInMs
	res.RestartDynamoDBMs = loadTime(again.Log())
	if orders, err = client2.Table(ctx, "OrdersTable"); err != nil {
		return err
	}
	res.OrdersAfter = len(orders)

	path := filepath.Join(opts.outDir, res.Name+".json")
	body, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return fmt.Errorf("encode soak result: %w", err)
	}
	if err := os.WriteFile(path, append(body, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	printSoak(out, res)
	fmt.Fprintf(out, "\nwrote %s and %s\n", path, filepath.Join(opts.outDir, res.HeapProfile))
	if res.Violations > 0 {
		report.Print(out)
		return errViolations
	}
	return nil
}

func printSoak(out io.Writer, r *soakResult) {
	fmt.Fprintf(out, "\n| bookings | local cloud RSS | data dir (no builds) |\n|---|---|---|\n")
	for _, s := range r.Samples {
		fmt.Fprintf(out, "| %d | %s | %s |\n", s.Bookings, mib(s.RSSBytes), mib(s.DataDirBytes))
	}
	fmt.Fprintf(out, "\n| metric | value | target |\n|---|---|---|\n")
	fmt.Fprintf(out, "| bookings placed | %d in %.0f s (%.1f/s) at %d concurrent | %d |\n", r.Placed, r.ElapsedS, float64(r.Placed)/r.ElapsedS, r.Concurrency, r.Target)
	fmt.Fprintf(out, "| local cloud RSS, quiescent after the run (peak) | %s (%s) | ≤ 500 MiB |\n", mib(r.RSSEndBytes), mib(r.RSSPeakBytes))
	fmt.Fprintf(out, "| data dir / snapshot of the live tables | %s / %s = %.2f× (after compaction %s) | ≤ 3× |\n",
		mib(r.DataDirBytes), mib(r.SnapshotBytes), r.DataDirRatio, mib(r.DataDirAfterComp))
	growth := func(first, last float64) string {
		return fmt.Sprintf("%.1f / %.1f ms (%+.0f %%)", first, last, 100*(last/first-1))
	}
	fmt.Fprintf(out, "| CPU per booking, whole tree: first / last %d, settled | %s | within 10 %% |\n", soakMeasured, growth(r.First.Tree, r.Last.Tree))
	fmt.Fprintf(out, "| CPU per booking, local cloud alone: first / last %d, settled | %s | |\n", soakMeasured, growth(r.First.LocalCloud, r.Last.LocalCloud))
	fmt.Fprintf(out, "| CPU per booking, whole tree / local cloud, while placing | %s / %s | |\n",
		growth(r.First.TreePlacing, r.Last.TreePlacing), growth(r.First.LocalCloudPlacing, r.Last.LocalCloudPlacing))
	fmt.Fprintf(out, "| measured windows settled | first: %s, %s; last: %s, %s | |\n",
		r.Settled["first before"], r.Settled["first after"], r.Settled["last before"], r.Settled["last after"])
	fmt.Fprintf(out, "| restart after kill -9: start-up / DynamoDB load / exec→healthy | %.0f / %.0f / %.0f ms (%d live items) | < 1 s |\n",
		r.RestartStartedInMs, r.RestartDynamoDBMs, r.RestartWallMs, r.SnapshotItems)
	fmt.Fprintf(out, "| orders before kill / after restart | %d / %d | equal |\n", r.OrdersBefore, r.OrdersAfter)
	fmt.Fprintf(out, "| compaction: writes paused / took | %.0f / %.0f ms | |\n", r.CompactPausedMs, r.CompactTookMs)
	fmt.Fprintf(out, "| invariant violations | %d (%s) | 0 |\n", r.Violations, r.Quiesced)
	var names []string
	for name := range r.DataDir {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Fprint(out, "\ndata dir:")
	for _, name := range names {
		fmt.Fprintf(out, " %s %s;", name, mib(r.DataDir[name]))
	}
	fmt.Fprint(out, "\ndynamodb/:")
	names = names[:0]
	for name := range r.DynamoDBFiles {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(out, " %s %s;", name, mib(r.DynamoDBFiles[name]))
	}
	fmt.Fprintf(out, "\n\nheap (in use, after GC):\n%s\n", r.HeapTop)
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// heapProfile saves the local cloud's heap profile (after a GC) and returns pprof's top entries.
// profileCPU writes the local cloud's CPU profile over the next d to path, in the background; the
// channel closes when it is written (or failed: a missing profile is logged, not fatal).
func profileCPU(ctx context.Context, baseURL, path string, d time.Duration, logger *slog.Logger) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := saveProfile(ctx, fmt.Sprintf("%s/_local/debug/pprof/profile?seconds=%d", baseURL, int(d.Seconds())), path); err != nil {
			logger.Warn("cpu profile", "error", err)
		}
	}()
	return done
}

// saveProfile writes the profile a GET of url answers to path.
func saveProfile(ctx context.Context, url, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("profile: status %d: %v", resp.StatusCode, err)
	}
	if err := os.WriteFile(path, body, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func heapProfile(ctx context.Context, baseURL, path string) (string, error) {
	if err := saveProfile(ctx, baseURL+"/_local/debug/pprof/heap?gc=1", path); err != nil {
		return "", fmt.Errorf("heap %w", err)
	}
	top, err := exec.CommandContext(ctx, "go", "tool", "pprof", "-sample_index=inuse_space", "-top", "-nodecount=15", path).Output()
	if err != nil {
		return "", fmt.Errorf("go tool pprof: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(string(top)), "\n")
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "flat") {
			return strings.Join(lines[i-1:], "\n"), nil
		}
	}
	return string(top), nil
}

var loadedTook = regexp.MustCompile(`dynamodb data loaded.* took=([0-9.]+)(ms|s|µs)`)

// loadTime is how long the local cloud took to load its DynamoDB data, from its log (0 if not found).
func loadTime(log string) float64 {
	m := loadedTook.FindStringSubmatch(log)
	if m == nil {
		return 0
	}
	var v float64
	fmt.Sscanf(m[1], "%g", &v)
	switch m[2] {
	case "s":
		return v * 1000
	case "µs":
		return v / 1000
	}
	return v
}

func getJSON(ctx context.Context, url string, v any) error {
	return doJSON(ctx, http.MethodGet, url, v)
}

func postJSON(ctx context.Context, url string, v any) error {
	return doJSON(ctx, http.MethodPost, url, v)
}

func doJSON(ctx context.Context, method, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s %s: status %d: %s", method, url, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("%s %s: decode: %w", method, url, err)
	}
	return nil
}
