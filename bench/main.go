// Command bench is call-taxi's load benchmark (make bench), fault-injection run (make chaos) and
// invariant auditor (go run ./bench -audit -url ...). It talks to the system only over HTTP: the API and
// the local cloud's /_local/ control plane.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
)

// errViolations makes the command exit non-zero after printing the auditor's findings.
var errViolations = errors.New("invariant violations found")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	opts, err := parseOptions(args)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if opts.cpuProfile != "" {
		f, err := os.Create(opts.cpuProfile)
		if err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	if opts.auditOnly {
		return auditOnly(ctx, opts, out)
	}
	if opts.soak > 0 {
		return soak(ctx, opts, logger, out)
	}
	result, err := harness(ctx, opts, logger, out)
	if err != nil {
		return err
	}
	if result.Audit != nil && result.Audit.ViolationCount() > 0 {
		return errViolations
	}
	return nil
}
