package load

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/calltaxi/call-taxi/bench/internal/api"
	"github.com/calltaxi/call-taxi/bench/internal/stats"
)

// confirmRetries bounds how long a manager waits for a reservation to appear (404) or the API to accept.
const confirmRetries = 50

// manage confirms the orders it is handed with a taxi of the order's grade, until orders is closed.
func (r *runner) manage(orders <-chan placedOrder) {
	rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	for o := range orders {
		taxis := r.actors.taxis[o.grade]
		if len(taxis) == 0 {
			continue
		}
		r.confirm(o.id, taxis[rng.IntN(len(taxis))])
	}
}

func (r *runner) confirm(orderID, taxiID string) {
	req := api.Request{Method: http.MethodPost, Path: "/reservations/rsv-" + orderID + "/confirm",
		Token: r.actors.manager, Body: map[string]string{"taxiId": taxiID}}
	for attempt := 0; attempt < confirmRetries; attempt++ {
		ctx, cancel := context.WithTimeout(r.bgCtx, requestTimeout)
		start := time.Now()
		resp, err := r.cfg.Client.Do(ctx, req)
		cancel()
		if err != nil {
			resp.Status = 0
		}
		r.col.sample(stats.Sample{Route: RouteConfirm, Status: resp.Status, Start: start, Latency: resp.Latency})
		switch resp.Status {
		case http.StatusNotFound: // the reservation is created asynchronously
			time.Sleep(100 * time.Millisecond)
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			time.Sleep(resp.RetryAfter(time.Second))
		case 0, http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
			// The function is down (a fault drill) or crashed mid-request: confirm is idempotent, so retry.
			time.Sleep(200 * time.Millisecond)
		default:
			r.col.with(func(res *Result) { res.Confirms[strconv.Itoa(resp.Status)]++ })
			return
		}
	}
	r.col.with(func(res *Result) { res.Confirms["gave up"]++ })
}
