package load

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/calltaxi/call-taxi/bench/internal/api"
	"github.com/calltaxi/call-taxi/bench/internal/audit"
	"github.com/calltaxi/call-taxi/bench/internal/stats"
)

// requestTimeout bounds one attempt; in-flight attempts outlive the run's end so no outcome is unknown
// because the benchmark itself hung up.
const requestTimeout = 30 * time.Second

// runner holds what every goroutine of a run shares.
type runner struct {
	cfg      Config
	runID    string
	actors   actors
	col      *collector
	phones   *phoneSequence
	orders   chan placedOrder // toward the manager
	lagSem   chan struct{}
	placedN  *counter
	seqKeys  *counter
	bgCtx    context.Context // outlives the run: in-flight requests and lag probes
	probesWG *sync.WaitGroup
}

type placedOrder struct {
	id, grade string
}

type customer struct {
	r      *runner
	index  int
	token  string
	orders []string
	rng    *rand.Rand
}

// loop runs until ctx ends: reads with probability ReadMix (once there is something to read), else orders.
// An order still being retried when ctx ends is retried until drainCtx ends.
func (c *customer) loop(ctx, drainCtx context.Context) {
	for ctx.Err() == nil {
		if max := c.r.cfg.MaxOrders; max > 0 && c.r.placedN.n.Load() >= int64(max) {
			return
		}
		if len(c.orders) > 0 && c.rng.Float64() < c.r.cfg.ReadMix {
			c.readMyPage()
			continue
		}
		c.placeOrder(drainCtx)
	}
}

func (c *customer) send(route string, req api.Request) (api.Response, time.Time) {
	ctx, cancel := context.WithTimeout(c.r.bgCtx, requestTimeout)
	defer cancel()
	req.Token = c.token
	start := time.Now()
	resp, err := c.r.cfg.Client.Do(ctx, req)
	if err != nil {
		resp.Status = 0
	}
	c.r.col.sample(stats.Sample{Route: route, Status: resp.Status, Start: start, Latency: resp.Latency})
	return resp, start
}

func (c *customer) readMyPage() {
	id := c.orders[c.rng.IntN(len(c.orders))]
	c.send(RouteGetMyPage, api.Request{Method: http.MethodGet, Path: "/mypages/" + id})
}

func (c *customer) placeOrder(ctx context.Context) {
	grade := grades[c.rng.IntN(len(grades))]
	key := fmt.Sprintf("bench-%s-%d-%d", c.r.runID, c.index, c.r.seqKeys.next())
	body := map[string]string{"name": "Bench Rider", "phone": c.r.phones.next(), "orderType": grade, "cardNo": c.r.cfg.Card, "pickup": "Seoul Station"}
	req := api.Request{Method: http.MethodPost, Path: "/orders", Body: body, Headers: map[string]string{"Idempotency-Key": key}}
	keyless := c.rng.Float64() < c.r.cfg.NoKeyShare
	if keyless {
		req.Headers = nil
	}
	givesUp := c.rng.Float64() < c.r.cfg.GiveUpShare
	first := time.Time{}
	for {
		resp, start := c.send(RoutePlaceOrder, req)
		if first.IsZero() {
			first = start
		}
		c.r.col.with(func(r *Result) {
			r.Orders.Attempts++
			if keyless {
				r.Orders.Keyless++
			}
		})
		switch resp.Status {
		case http.StatusCreated:
			c.placed(resp, grade, first)
			return
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			if givesUp && resp.Status == http.StatusServiceUnavailable {
				// Walks away not knowing whether the card was charged.
				c.r.col.with(func(r *Result) { r.Orders.GaveUp++ })
				return
			}
			c.r.col.with(func(r *Result) {
				if resp.Status == http.StatusTooManyRequests {
					r.Orders.Retried429++
				} else {
					r.Orders.Retried503++
				}
			})
			if !sleepCtx(ctx, resp.RetryAfter(time.Second)) {
				c.r.col.with(func(r *Result) { r.Orders.Abandoned++ })
				return
			}
		case http.StatusPaymentRequired:
			c.r.col.with(func(r *Result) { r.Orders.Declined++ })
			return
		default:
			c.r.col.with(func(r *Result) { r.Orders.Failed++ })
			return
		}
	}
}

func (c *customer) placed(resp api.Response, grade string, first time.Time) {
	receivedAt := time.Now()
	var order struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(resp.Body, &order); err != nil || order.ID == "" {
		c.r.col.with(func(r *Result) { r.Orders.Failed++ })
		return
	}
	c.orders = append(c.orders, order.ID)
	n := c.r.placedN.next()
	c.r.col.with(func(r *Result) {
		r.Orders.Placed++
		r.Expect.Placed[order.ID] = true
		r.Owned = append(r.Owned, OwnedOrder{Token: c.token, OrderID: order.ID})
		// Every order a customer started after the warm-up counts, even one whose first attempt left a
		// moment after the window closed (the loop checks its context before sending).
		if !first.Before(c.r.col.measureStart) {
			r.OrderLatency = append(r.OrderLatency, receivedAt.Sub(first))
		}
	})
	if every := c.r.cfg.LagSampleEvery; every > 0 && n%int64(every) == 0 {
		c.r.probeLag(order.ID, c.token, receivedAt)
	}
	if c.rng.Float64() < c.r.cfg.ConfirmShare {
		select {
		case c.r.orders <- placedOrder{id: order.ID, grade: grade}:
		default: // the manager is behind; this one stays unconfirmed
		}
	}
	if c.rng.Float64() < c.r.cfg.CancelShare {
		c.cancel(order.ID)
	}
}

// cancel cancels an order after a short random pause (so it races the reservation flow), retrying
// 429/503 like a customer would; the auditor learns what the customer was told.
func (c *customer) cancel(id string) {
	time.Sleep(time.Duration(c.rng.IntN(300)) * time.Millisecond)
	outcome := "uncertain"
	defer func() {
		c.r.col.with(func(r *Result) {
			r.Cancels[outcome]++
			switch outcome {
			case "canceled":
				r.Expect.Canceled[id] = audit.CancelConfirmed
			case "uncertain":
				r.Expect.Canceled[id] = audit.CancelUncertain
			}
		})
	}()
	for attempt := 0; attempt < 20; attempt++ {
		resp, _ := c.send(RouteCancelOrder, api.Request{Method: http.MethodPost, Path: "/orders/" + id + "/cancel"})
		switch resp.Status {
		case http.StatusOK:
			outcome = "canceled"
			return
		case http.StatusConflict:
			outcome = "conflict"
			return
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			time.Sleep(resp.RetryAfter(time.Second))
		case 0, http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
			// Unknown outcome (a killed environment, a timeout): cancel is idempotent, so ask again.
			time.Sleep(200 * time.Millisecond)
		default:
			return
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
