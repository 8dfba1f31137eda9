package load

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/calltaxi/call-taxi/bench/internal/api"
)

// OwnedOrder is a placed order and the token of the customer who placed it.
type OwnedOrder struct {
	Token   string
	OrderID string
}

// ReadConfig shapes a read-only phase: Conns goroutines, each on its own keep-alive connection, issue
// requests back to back for Duration.
type ReadConfig struct {
	Client   *api.Client // its pool must hold Conns idle connections (api.New(url, Conns))
	Conns    int
	Duration time.Duration
	// Request builds request i = turn × Conns + connection, so the connections together walk i in order.
	Request func(i int) api.Request
}

// ReadResult is what a read-only phase observed.
type ReadResult struct {
	Elapsed time.Duration   // from the first request sent to the last answer read
	OK      []time.Duration // latencies of the 200 answers
	NonOK   map[int]int     // status → count of the other answers (0 = transport error)
}

// MyPageReads cycles through orders, each read with its owner's token.
func MyPageReads(orders []OwnedOrder) func(i int) api.Request {
	return func(i int) api.Request {
		o := orders[i%len(orders)]
		return api.Request{Method: http.MethodGet, Path: "/mypages/" + o.OrderID, Token: o.Token}
	}
}

// Reads runs a read-only phase. Requests still in flight when Duration ends finish and are counted, so
// Elapsed, not Duration, is the rate's denominator.
func Reads(ctx context.Context, cfg ReadConfig) ReadResult {
	ctx, stop := context.WithTimeout(ctx, cfg.Duration)
	defer stop()
	var mu sync.Mutex
	res := ReadResult{NonOK: map[int]int{}}
	start := time.Now()
	var conns sync.WaitGroup
	for c := range cfg.Conns {
		conns.Go(func() {
			ok := make([]time.Duration, 0, 1024)
			nonOK := map[int]int{}
			for turn := 0; ctx.Err() == nil; turn++ {
				// Not ctx: a request the phase's end would cut is let finish rather than counted as failed.
				reqCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), requestTimeout)
				resp, err := cfg.Client.Do(reqCtx, cfg.Request(turn*cfg.Conns+c))
				cancel()
				switch {
				case err == nil && resp.Status == http.StatusOK:
					ok = append(ok, resp.Latency)
				case err != nil:
					nonOK[0]++
				default:
					nonOK[resp.Status]++
				}
			}
			mu.Lock()
			defer mu.Unlock()
			res.OK = append(res.OK, ok...)
			for status, n := range nonOK {
				res.NonOK[status] += n
			}
		})
	}
	conns.Wait()
	res.Elapsed = time.Since(start)
	return res
}
