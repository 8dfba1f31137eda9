package load

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

type counter struct{ n atomic.Int64 }

func (c *counter) next() int64 { return c.n.Add(1) }

// phoneSequence hands out distinct E.164 numbers (+8210 and 8 digits), so every order's SMS can be told
// apart by phone. The random base keeps repeated runs against one data set apart.
type phoneSequence struct {
	base int64
	n    atomic.Int64
}

func (p *phoneSequence) next() string {
	return fmt.Sprintf("+8210%08d", (p.base+p.n.Add(1))%100_000_000)
}

// Run sets up the actors, drives load for Warmup+Duration, then waits (bounded) for cancels, confirms and
// lag probes still in flight. ctx cancels everything.
func Run(ctx context.Context, cfg Config) (Result, error) {
	cfg = withDefaults(cfg)
	runID := strconv.FormatInt(time.Now().UnixNano()%1_000_000_000, 36)
	acts, err := setup(ctx, cfg, runID)
	if err != nil {
		return Result{}, fmt.Errorf("set up actors: %w", err)
	}
	bgCtx, cancelBG := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBG()
	go func() {
		<-ctx.Done()
		cancelBG()
	}()

	measureStart := time.Now().Add(cfg.Warmup)
	r := &runner{
		cfg: cfg, runID: runID, actors: acts,
		col:      newCollector(measureStart, measureStart.Add(cfg.Duration), cfg.Card),
		phones:   &phoneSequence{base: rand.Int64N(100_000_000)},
		orders:   make(chan placedOrder, 1024),
		lagSem:   make(chan struct{}, max(cfg.LagProbes, 1)),
		placedN:  &counter{},
		seqKeys:  &counter{},
		bgCtx:    bgCtx,
		probesWG: &sync.WaitGroup{},
	}
	var managers sync.WaitGroup
	for range 2 {
		managers.Go(func() { r.manage(r.orders) })
	}

	loadCtx, stop := context.WithDeadline(ctx, measureStart.Add(cfg.Duration))
	defer stop()
	drainCtx, stopDrain := context.WithDeadline(ctx, measureStart.Add(cfg.Duration+cfg.Drain))
	defer stopDrain()
	var customers sync.WaitGroup
	for i, tok := range acts.customers {
		c := &customer{r: r, index: i, token: tok, rng: rand.New(rand.NewPCG(uint64(i), rand.Uint64()))}
		customers.Go(func() { c.loop(loadCtx, drainCtx) })
	}
	customers.Wait()
	close(r.orders)
	managers.Wait()
	r.probesWG.Wait()

	res := r.col.res
	res.Duration = cfg.Duration
	return res, ctx.Err()
}

func withDefaults(cfg Config) Config {
	if cfg.Card == "" {
		cfg.Card = "4242424242424242"
	}
	if cfg.TaxiStock <= 0 {
		cfg.TaxiStock = 10_000
	}
	if cfg.LagProbes <= 0 {
		cfg.LagProbes = 8
	}
	if cfg.LagTimeout <= 0 {
		cfg.LagTimeout = 10 * time.Second
	}
	return cfg
}
