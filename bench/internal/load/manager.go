package load

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/calltaxi/call-taxi/bench/internal/api"
	"github.com/calltaxi/call-taxi/bench/internal/stats"
)

// confirmRetries bounds how long a manager waits for a reservation to appear (404) or the API to accept.
const confirmRetries = 50

// rideShare is the share of confirmed bookings whose driver then picks the customer up and completes the
// ride, giving the taxi back (the others keep their taxi, or lose it to a cancel).
const rideShare = 0.4

// manage confirms the orders it is handed with a taxi of the order's grade, until orders is closed; the
// driver rides some of them to the end meanwhile.
func (r *runner) manage(orders <-chan placedOrder) {
	rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	var rides sync.WaitGroup
	for o := range orders {
		taxis := r.actors.taxis[o.grade]
		if len(taxis) == 0 {
			continue
		}
		if r.confirm(o.id, taxis[rng.IntN(len(taxis))]) && rng.Float64() < rideShare {
			rides.Go(func() { r.ride(o.id) })
		}
	}
	rides.Wait()
}

// ride waits for the reservation to be CONFIRMED, then the driver picks up and completes it. A
// rejected, cancelled (409) or never-confirmed reservation is left as it is.
func (r *runner) ride(orderID string) {
	id := "rsv-" + orderID
	outcome := "not confirmed"
	defer func() { r.col.with(func(res *Result) { res.Rides[outcome]++ }) }()
	confirmed := false
	for attempt := 0; attempt < confirmRetries && !confirmed; attempt++ {
		time.Sleep(200 * time.Millisecond)
		resp, err := r.call(api.Request{Method: http.MethodGet, Path: "/reservations/" + id, Token: r.actors.manager})
		if err != nil || resp.Status != http.StatusOK {
			continue
		}
		var rsv struct {
			Status string `json:"status"`
		}
		if json.Unmarshal(resp.Body, &rsv) != nil {
			continue
		}
		switch rsv.Status {
		case "CONFIRMED":
			confirmed = true
		case "REQUESTED", "CANCELED":
			return
		}
	}
	if !confirmed {
		return
	}
	for _, step := range []string{"pickup", "complete"} {
		status := r.driverStep(id, step)
		if status != http.StatusOK {
			outcome = step + " " + strconv.Itoa(status)
			return
		}
	}
	outcome = "completed"
}

// driverStep posts a ride step, retrying what a driver's app would (both steps are idempotent).
func (r *runner) driverStep(id, step string) int {
	req := api.Request{Method: http.MethodPost, Path: "/reservations/" + id + "/" + step, Token: r.actors.driver}
	status := 0
	for attempt := 0; attempt < confirmRetries; attempt++ {
		resp, err := r.call(req)
		if status = resp.Status; err != nil {
			status = 0
		}
		switch status {
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			time.Sleep(resp.RetryAfter(time.Second))
		case 0, http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
			time.Sleep(200 * time.Millisecond)
		default:
			return status
		}
	}
	return status
}

func (r *runner) call(req api.Request) (api.Response, error) {
	ctx, cancel := context.WithTimeout(r.bgCtx, requestTimeout)
	defer cancel()
	return r.cfg.Client.Do(ctx, req)
}

// confirm asks for the taxi; it reports whether the manager's confirm was accepted (202).
func (r *runner) confirm(orderID, taxiID string) bool {
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
			return resp.Status == http.StatusAccepted
		}
	}
	r.col.with(func(res *Result) { res.Confirms["gave up"]++ })
	return false
}
