package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// options are the command's flags.
type options struct {
	url         string
	root        string
	concurrency int
	duration    time.Duration
	warmup      time.Duration
	drain       time.Duration
	readMix     float64
	cpuProfile  string
	params      paramList
	cloudArgs   argList
	outDir      string
	name        string
	chaos       bool
	auditOnly   bool
	dataDir     string
	sizes       string
	lagEvery    int
	quiesce     time.Duration
	// idleColdStarts: cold starts of every function on the idle local cloud before the load (0 = none)
	idleColdStarts int

	chaosEvery       time.Duration
	stopFor          time.Duration
	timeScale        float64
	giveUpShare      float64
	conflictRate     float64
	noKeyShare       float64
	putEventsFailure float64
	smsFailure       float64
	smsRate          float64 // SMS parts per wall second; 0 = the local cloud's default
	cancelShare      float64
	confirmShare     float64
	slowPaymentMs    int
	soak             int // bookings of a soak run (0 = none)
	soakHeapEvery    int
	latency          string        // the started local cloud's -latency profile
	traceOrders      int           // orders placed alone after the load to trace POST /orders's AWS calls
	readConns        int           // read-only phase: keep-alive connections
	readDuration     time.Duration // read-only phase: measured part (0 = no phase)
	readWarmup       time.Duration
	readCPUProfile   string // the local cloud's CPU profile of the read phase
}

// argList collects a repeatable flag's values verbatim.
type argList []string

func (a *argList) String() string     { return strings.Join(*a, " ") }
func (a *argList) Set(s string) error { *a = append(*a, s); return nil }

type paramList []string

func (p *paramList) String() string { return strings.Join(*p, " ") }
func (p *paramList) Set(s string) error {
	if k, _, ok := strings.Cut(s, "="); !ok || k == "" {
		return fmt.Errorf("want Key=Value, got %q", s)
	}
	*p = append(*p, s)
	return nil
}

func parseOptions(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&o.url, "url", "", "API base URL of a running local cloud (default: start one)")
	fs.StringVar(&o.root, "root", "", "repository root (default: the directory holding go.mod, upward from here)")
	fs.IntVar(&o.concurrency, "c", 255, "virtual customers (chaos default 32)")
	fs.DurationVar(&o.duration, "d", 60*time.Second, "measured duration (chaos default 30s)")
	fs.DurationVar(&o.warmup, "warmup", 5*time.Second, "unmeasured load first (chaos default 0)")
	fs.DurationVar(&o.drain, "drain", 30*time.Second, "after -d, orders still being retried are retried this long (0 = abandon them)")
	fs.Float64Var(&o.readMix, "mix", 0.5, "share of GET /mypages/{id} requests")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write the harness's CPU profile here")
	fs.Var(&o.params, "param", "template parameter override Key=Value for the local cloud (repeatable)")
	fs.Var(&o.cloudArgs, "cloud-arg", "extra argument for the started local cloud (repeatable), e.g. -cloud-arg=-cpuprofile=/tmp/lc.prof")
	fs.StringVar(&o.outDir, "out", "", "results directory (default <root>/bench/results)")
	fs.StringVar(&o.name, "name", "", "result file name without extension (default <date>-<mode>[-<params>])")
	fs.BoolVar(&o.chaos, "chaos", false, "inject faults during the run, then audit")
	fs.BoolVar(&o.auditOnly, "audit", false, "only run the invariant auditor against -url")
	fs.StringVar(&o.dataDir, "data", "", "local cloud data dir to scan for card numbers (with -audit or -url)")
	fs.StringVar(&o.sizes, "sizes", "auto", "arm64 bootstrap sizes: auto (bin/arm64 or build), build, skip (chaos default skip)")
	fs.IntVar(&o.lagEvery, "lag-every", 20, "poll every n-th order's mypage for the event → mypage lag (0 = off)")
	// Texts leave at the account's SMS rate (20 parts a second): after 8 users for 30 s ~2,500 are still
	// queued when the load ends, ~2 minutes of sending.
	fs.DurationVar(&o.quiesce, "quiesce-timeout", 5*time.Minute, "how long to wait for deliveries to settle before auditing (returns as soon as they have)")
	fs.IntVar(&o.idleColdStarts, "idle-cold-starts", 5, "before the load, cold-start every function this many times, one at a time, on the idle local cloud it started (0 = skip)")
	fs.DurationVar(&o.chaosEvery, "chaos-every", 3*time.Second, "one fault drill per interval")
	fs.DurationVar(&o.stopFor, "stop-for", 2*time.Second, "how long a stopped or failing function stays that way")
	fs.Float64Var(&o.timeScale, "time-scale", 1, "the started local cloud's AWS seconds per wall second (chaos default 60: a failed message's 120 s visibility timeout passes in 2 s)")
	fs.Float64Var(&o.putEventsFailure, "put-events-failure", 0.1, "PutEvents failure rate during chaos")
	fs.Float64Var(&o.smsFailure, "sms-failure", 0, "SNS publish failure rate during chaos")
	fs.Float64Var(&o.smsRate, "sms-rate", 0, "the started local cloud's SMS rate in message parts per wall second of the run (0: AWS's 20 per AWS second; chaos default 15, under the stack's 20, so SNS throttles)")
	fs.Float64Var(&o.cancelShare, "cancel", 0.2, "share of placed orders the customer cancels (chaos)")
	fs.Float64Var(&o.confirmShare, "confirm", 0.3, "share of placed orders a manager confirms (chaos)")
	fs.Float64Var(&o.conflictRate, "ddb-conflicts", 0, "the started local cloud's DynamoDB TransactionConflictException rate on items a recent transaction holds (chaos default 0.2)")
	fs.Float64Var(&o.giveUpShare, "give-up", 0.3, "share of customers who walk away after their first 503 (chaos)")
	fs.Float64Var(&o.noKeyShare, "no-key", 0.2, "share of order requests without an Idempotency-Key (chaos)")
	fs.IntVar(&o.slowPaymentMs, "slow-payment-ms", 0, "chaos: simulated gateway latency (PaymentGatewayLatencyMs); above ~12000 the order's payment call times out")
	fs.IntVar(&o.soak, "soak", 0, "soak run (make soak): place this many bookings at -c (default 8) concurrent, then report the local cloud's RSS, data dir vs a snapshot of the live tables, CPU per booking of the first vs the last 1,000, and restart time after a kill -9")
	fs.IntVar(&o.soakHeapEvery, "soak-every", 0, "soak: record RSS and data dir every n bookings (default N/10)")
	fs.StringVar(&o.latency, "latency", "none", "the started local cloud's latency profile (none, aws): with aws the reported latencies are modeled AWS latencies, and POST /orders's AWS calls are traced")
	fs.IntVar(&o.traceOrders, "trace-orders", 21, "with -latency: orders placed one at a time after the load, each traced for its AWS calls")
	fs.IntVar(&o.readConns, "read-conns", 100, "read-only phase after the load: keep-alive connections, each issuing GET /mypages/{id} back to back")
	fs.DurationVar(&o.readDuration, "read-d", 15*time.Second, "read-only phase: measured duration (0 = no phase; chaos default 0)")
	fs.DurationVar(&o.readWarmup, "read-warmup", 2*time.Second, "read-only phase: unmeasured reads first (environments the mixed load did not need start here)")
	fs.StringVar(&o.readCPUProfile, "read-cpuprofile", "", "save the local cloud's CPU profile of the read phase's measured part here")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if o.chaos {
		defaults := map[string]func(){
			"c": func() { o.concurrency = 32 }, "d": func() { o.duration = 30 * time.Second },
			"warmup": func() { o.warmup = 0 }, "sizes": func() { o.sizes = "skip" },
			"time-scale": func() { o.timeScale = 60 }, "ddb-conflicts": func() { o.conflictRate = 0.2 },
			"sms-rate": func() { o.smsRate = 15 }, "read-d": func() { o.readDuration = 0 },
		}
		for name, apply := range defaults {
			if !set[name] {
				apply()
			}
		}
	} else {
		o.cancelShare, o.confirmShare, o.giveUpShare, o.noKeyShare = 0, 0, 0, 0
	}
	if o.soak > 0 {
		if !set["c"] {
			o.concurrency = 8
		}
		o.readMix, o.lagEvery = 0, 0
		if o.soak < 3000 {
			return o, fmt.Errorf("-soak needs at least 3000 bookings (the first and last 1,000 are measured)")
		}
	}
	if o.slowPaymentMs > 0 {
		o.params = append(o.params, fmt.Sprintf("PaymentGatewayLatencyMs=%d", o.slowPaymentMs))
	}
	if o.auditOnly && o.url == "" {
		return o, fmt.Errorf("-audit needs -url")
	}
	if o.concurrency < 1 || o.duration <= 0 {
		return o, fmt.Errorf("-c must be ≥ 1 and -d > 0")
	}
	if o.root == "" {
		root, err := findRoot()
		if err != nil {
			return o, err
		}
		o.root = root
	}
	if o.outDir == "" {
		o.outDir = filepath.Join(o.root, "bench", "results")
	}
	return o, nil
}

func (o options) mode() string {
	if o.soak > 0 {
		return fmt.Sprintf("soak-%d", o.soak)
	}
	if o.chaos {
		return "chaos"
	}
	return "bench"
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9]+`)

// resultName is <date>-<mode>, plus the parameter overrides so differently configured runs of a day
// do not overwrite each other.
func (o options) resultName(now time.Time) string {
	if o.name != "" {
		return o.name
	}
	name := now.Format("2006-01-02") + "-" + o.mode()
	if o.latency != "" && o.latency != "none" {
		name += "-latency-" + o.latency
	}
	for _, p := range o.params {
		name += "-" + strings.Trim(unsafeName.ReplaceAllString(p, "-"), "-")
	}
	return name
}

func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working dir: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory: pass -root")
		}
		dir = parent
	}
}
