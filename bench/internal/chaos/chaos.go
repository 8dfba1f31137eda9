// Package chaos injects faults into a running local cloud during a load run and records each one, so the
// auditor can tell an explained dead letter from a lost event.
package chaos

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/calltaxi/call-taxi/bench/internal/api"
	"github.com/calltaxi/call-taxi/bench/internal/audit"
)

// Plan is what to inject.
type Plan struct {
	Every                time.Duration // one drill per tick
	StopFor              time.Duration // how long a stopped or failing function stays that way
	PutEventsFailureRate float64
	SMSFailureRate       float64
	DuplicateDelivery    bool // EventBridge and stream duplicates
}

// Injector runs a Plan.
type Injector struct {
	client *api.Client
	plan   Plan
	logger *slog.Logger
	mu     sync.Mutex
	faults []audit.Fault
}

// New returns an injector; nothing happens until Run.
func New(c *api.Client, p Plan, logger *slog.Logger) *Injector {
	return &Injector{client: c, plan: p, logger: logger}
}

// switches are the standing fault switches (POST /_local/chaos replaces all of them at once, so every
// drill re-sends them).
func (in *Injector) switches() api.Chaos {
	return api.Chaos{
		PutEventsFailureRate:    in.plan.PutEventsFailureRate,
		DuplicateEventDelivery:  in.plan.DuplicateDelivery,
		DuplicateStreamDelivery: in.plan.DuplicateDelivery,
		SMSFailureRate:          in.plan.SMSFailureRate,
	}
}

func (in *Injector) record(kind, function, detail string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.faults = append(in.faults, audit.Fault{At: time.Now().UTC(), Kind: kind, Function: function, Detail: detail})
	in.logger.Info("fault injected", "kind", kind, "function", function, "detail", detail)
}

// Faults returns the faults injected so far.
func (in *Injector) Faults() []audit.Fault {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]audit.Fault(nil), in.faults...)
}

// drill is one fault: "kill" an environment, or put a function in a fault state ("stop": throttled as
// with reserved concurrency 0; "fail": every invocation a function error, as after a broken deploy) for
// Plan.StopFor.
type drill struct{ action, function string }

// drills rotate through every kind of fault the consumers of domain events must survive.
var drills = []drill{
	{"kill", ""}, {"stop", "ReservationFunction"},
	{"kill", ""}, {"fail", "TaxiFunction"},
	{"kill", ""}, {"fail", "ReservationFunction"},
	{"kill", ""}, {"stop", "TaxiFunction"},
}

// Run turns the standing switches on, runs one drill per tick until ctx ends, then turns every fault off
// and makes sure no function is left stopped. Errors of single drills are logged, not fatal.
func (in *Injector) Run(ctx context.Context) error {
	base := in.switches()
	// The switches are recorded before they are sent: a fault must never postdate what it caused.
	in.recordSwitches(base)
	if _, err := in.client.SetChaos(ctx, base); err != nil {
		return err
	}
	defer in.off()
	ticker := time.NewTicker(in.plan.Every)
	defer ticker.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
		if err := in.drill(ctx, drills[i%len(drills)], base); err != nil && ctx.Err() == nil {
			in.logger.Warn("chaos drill failed", "error", err.Error())
		}
	}
}

func (in *Injector) recordSwitches(c api.Chaos) {
	if c.PutEventsFailureRate > 0 {
		in.record(audit.FaultPutEventsFailure, "", fmt.Sprintf("rate %.2f", c.PutEventsFailureRate))
	}
	if c.DuplicateEventDelivery {
		in.record(audit.FaultDuplicateEvents, "", "")
	}
	if c.DuplicateStreamDelivery {
		in.record(audit.FaultDuplicateStreams, "", "")
	}
	if c.SMSFailureRate > 0 {
		in.record(audit.FaultSMSFailure, "NotifyFunction", fmt.Sprintf("rate %.2f", c.SMSFailureRate))
	}
}

func (in *Injector) drill(ctx context.Context, d drill, base api.Chaos) error {
	if d.action == "kill" {
		kill := base
		kill.KillRandomEnvironment = true
		// Recorded after the fact, with the victim's name: a dead letter it causes comes only after the
		// consumer's retries are exhausted, long after this.
		killed, err := in.client.SetChaos(ctx, kill)
		if err != nil {
			return err
		}
		if killed != "" {
			in.record(audit.FaultKill, killed, "SIGKILL")
		}
		return nil
	}
	kind := audit.FaultStop
	if d.action == "fail" {
		kind = audit.FaultFail
	}
	in.record(kind, d.function, "for "+in.plan.StopFor.String())
	if err := in.client.FunctionAction(ctx, d.function, d.action); err != nil {
		return err
	}
	t := time.NewTimer(in.plan.StopFor)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
	return in.client.FunctionAction(context.WithoutCancel(ctx), d.function, "start")
}

// off clears every switch and starts every function a drill may have left stopped or failing.
func (in *Injector) off() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := in.client.SetChaos(ctx, api.Chaos{}); err != nil {
		in.logger.Warn("chaos off", "error", err.Error())
	}
	for _, fn := range []string{"ReservationFunction", "TaxiFunction"} {
		if err := in.client.FunctionAction(ctx, fn, "start"); err != nil {
			in.logger.Warn("restart after chaos", "function", fn, "error", err.Error())
		}
	}
}
