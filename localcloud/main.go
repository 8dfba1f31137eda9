// Command localcloud runs call-taxi on one machine with no AWS account and no Docker: it reads
// template.yaml, builds the functions with the same Makefile targets `sam build` uses, and serves the
// HTTP API (with its JWT authorizer), Lambda, DynamoDB with Streams, EventBridge and SNS locally.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/cloud"
	"github.com/calltaxi/call-taxi/localcloud/internal/samtemplate"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "localcloud:", err)
		os.Exit(1)
	}
}

type paramFlags map[string]string

func (p paramFlags) String() string { return "" }
func (p paramFlags) Set(s string) error {
	kv, err := samtemplate.ParseParameterOverrides(s)
	if err != nil {
		return err
	}
	for k, v := range kv {
		p[k] = v
	}
	return nil
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("localcloud", flag.ContinueOnError)
	cfg := cloud.Config{ParameterOverrides: paramFlags{}}
	fs.StringVar(&cfg.RepoRoot, "root", ".", "repository root (template.yaml, samconfig.toml, Makefile)")
	fs.StringVar(&cfg.APIAddr, "api", "127.0.0.1:3000", "address of the HTTP API")
	fs.StringVar(&cfg.ServicesAddr, "services", "127.0.0.1:4566", "address of the AWS endpoints (Lambda, DynamoDB + Streams, EventBridge, SQS, SNS)")
	fs.StringVar(&cfg.DataDir, "data", "", "data directory (default <root>/.localcloud)")
	fs.BoolVar(&cfg.Reset, "reset", false, "wipe the data directory first")
	fs.BoolVar(&cfg.SkipBuild, "no-build", false, "reuse the built functions")
	fs.StringVar(&cfg.SamconfigEnv, "config-env", "default", "samconfig.toml environment for parameter_overrides")
	fs.IntVar(&cfg.AccountConcurrency, "concurrency", 1000, "account concurrency limit for unreserved functions")
	fs.Var(paramFlags(cfg.ParameterOverrides), "param", "parameter override Key=Value (repeatable), e.g. -param PaymentConcurrency=1")
	fs.Float64Var(&cfg.TimeScale, "time-scale", 1, "AWS seconds per wall second for every AWS-defined wait (visibility timeouts, retry delays, event ages); e.g. 600 runs ten minutes a second")
	fs.Float64Var(&cfg.TransactionConflictRate, "ddb-transaction-conflicts", 0, "probability (0-1) that a DynamoDB write to an item a recent transaction holds fails with a transaction conflict, as on AWS")
	fs.DurationVar(&cfg.TTLDeletionDelay, "ddb-ttl-delay", 0, "AWS time an expired DynamoDB item stays readable before TTL deletes it (default 5m; negative: at the next sweep)")
	fs.Float64Var(&cfg.SMSPartsPerSecond, "sms-rate", cloud.DefaultSMSPartsPerSecond, "the account's SMS rate in message parts per AWS second; beyond it SNS answers ThrottlingException (AWS default 20; negative: unlimited)")
	fs.StringVar(&cfg.Latency, "latency", "none", "add modeled AWS latency to every AWS call and delivery, in AWS time: none or aws (typical in-region figures; README \"AWS latency profile\")")
	quiet := fs.Bool("quiet", false, "do not print function logs")
	token := fs.String("token", "", "print a token for SUB:group1,group2 and exit (needs a running local cloud's data dir)")
	fs.StringVar(&cfg.StaticDir, "web", "", "web console directory served at / (default <root>/web; - for none)")
	cpuProfile := fs.String("cpuprofile", "", "write the local cloud's CPU profile to this file (until shutdown)")
	memProfile := fs.String("memprofile", "", "write the local cloud's heap profile to this file at shutdown (while running: GET /_local/debug/pprof/heap)")
	memLimit := fs.String("memlimit", defaultMemoryLimit, "soft memory limit of the local cloud's Go heap (e.g. 256MiB, 1GiB; off = none); the GOMEMLIMIT environment variable wins")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := applyMemoryLimit(*memLimit); err != nil {
		return err
	}
	stopProfiles, err := startProfiles(*cpuProfile, *memProfile)
	if err != nil {
		return err
	}
	defer stopProfiles()

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cfg.Logger = logger
	if *quiet {
		cfg.FunctionLogs = io.Discard
	}
	if *token != "" {
		return printToken(cfg, *token, out)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	started := time.Now()
	c, err := cloud.Start(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := printWelcome(c, out, time.Since(started)); err != nil {
		return err
	}
	<-ctx.Done()
	fmt.Fprintln(out, "\nstopping…")
	return nil
}

// defaultMemoryLimit lets the heap grow freely (few collections: the emulator allocates a lot of
// short-lived JSON) until it nears the limit, instead of a fixed GOGC multiple of the live heap, which
// grew with the data.
const defaultMemoryLimit = "384MiB"

// applyMemoryLimit sets a soft memory limit (unless GOMEMLIMIT is set) and, unless GOGC is set, a
// GOGC high enough that the limit, not the heap's growth, triggers most collections while the live
// heap is small. A limit below the live heap would make the collector run back to back, so once the
// live heap (the tables, mostly) passes two thirds of it, the limit follows the live heap (memoryLimitFor).
func applyMemoryLimit(flagValue string) error {
	if os.Getenv("GOMEMLIMIT") != "" || flagValue == "off" || flagValue == "" {
		return nil
	}
	limit, err := parseBytes(flagValue)
	if err != nil {
		return fmt.Errorf("-memlimit: %w", err)
	}
	debug.SetMemoryLimit(limit)
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	go followLiveHeap(limit)
	return nil
}

func followLiveHeap(base int64) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	for range time.Tick(time.Second) {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return
		}
		debug.SetMemoryLimit(memoryLimitFor(base, int64(sample[0].Value.Uint64())))
	}
}

// memoryLimitFor is the soft limit for a live heap: the base, or half as much again as the live heap
// once that is larger. Most of a large live heap is packed table items (pointer-free, so cheap to
// mark), which makes collecting at 1.5× (GOGC=50-like) cost little CPU, while 2× would double the
// resident memory the tables cost.
func memoryLimitFor(base, live int64) int64 {
	return max(base, live+live/2)
}

// parseBytes reads a size as GOMEMLIMIT spells it: a number with an optional B, KiB, MiB, GiB or TiB suffix.
func parseBytes(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = rest, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("invalid size %q (want e.g. 512MiB)", s)
	}
	return n * mult, nil
}

func printToken(cfg cloud.Config, spec string, out io.Writer) error {
	sub, groups, _ := strings.Cut(spec, ":")
	cfg.SkipBuild = true
	cfg.APIAddr, cfg.ServicesAddr = "127.0.0.1:0", "127.0.0.1:0"
	c, err := cloud.StartIssuerOnly(cfg)
	if err != nil {
		return err
	}
	tok, err := c.MintToken(sub, strings.FieldsFunc(groups, func(r rune) bool { return r == ',' }), 0)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, tok)
	return nil
}

func printWelcome(c *cloud.Cloud, out io.Writer, took time.Duration) error {
	tokens := map[string]string{}
	for _, who := range []struct{ sub, group string }{{"customer-1", "customers"}, {"manager-1", "managers"}, {"driver-1", "drivers"}} {
		tok, err := c.MintToken(who.sub, []string{who.group}, 0)
		if err != nil {
			return err
		}
		tokens[who.group] = tok
	}
	fmt.Fprintf(out, `
call-taxi local cloud is up (%s)
  API          %s
  AWS services %s   (AWS_ENDPOINT_URL_* of every function)
  control      %s/_local/functions  /_local/sms  /_local/dlq  /_local/events  /_local/streams
  data         %s

tokens (12 h):
  export CUSTOMER=%s
  export MANAGER=%s
  export DRIVER=%s

try it:
  curl -s -X POST %[2]s/taxis -H "Authorization: Bearer $DRIVER" -d '{"taxiName":"Sonata","companyName":"Seoul Cab","grade":"prime","stockCnt":2,"itemPrice":5700}'
  curl -s -X POST %[2]s/orders -H "Authorization: Bearer $CUSTOMER" -H 'Idempotency-Key: first-ride' -d '{"name":"Kim","phone":"+821012345678","orderType":"prime","cardNo":"4242424242424242","pickup":"Seoul Station"}'
  curl -s %[2]s/mypages -H "Authorization: Bearer $CUSTOMER"

Ctrl+C stops everything.
`, took.Round(time.Millisecond), c.APIURL, c.ServicesURL, c.APIURL, c.DataDirPath(), tokens["customers"], tokens["managers"], tokens["drivers"])
	return nil
}

// startProfiles starts CPU profiling (if cpuPath is set) and returns the function that stops it and
// writes the heap profile (if memPath is set); profiling errors at the end are reported, not fatal.
func startProfiles(cpuPath, memPath string) (func(), error) {
	var cpuFile *os.File
	if cpuPath != "" {
		f, err := os.Create(cpuPath)
		if err != nil {
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("start cpu profile: %w", err)
		}
		cpuFile = f
	}
	return func() {
		if cpuFile != nil {
			pprof.StopCPUProfile()
			if err := cpuFile.Close(); err != nil {
				fmt.Fprintln(os.Stderr, "localcloud: cpu profile:", err)
			}
		}
		if memPath != "" {
			if err := writeHeapProfile(memPath); err != nil {
				fmt.Fprintln(os.Stderr, "localcloud: heap profile:", err)
			}
		}
	}, nil
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
