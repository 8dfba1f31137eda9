package load

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/calltaxi/call-taxi/bench/internal/api"
)

// reservedOrLater are the mypage statuses that show the PaymentApproved → reservation → mypage path done.
var reservedOrLater = map[string]bool{"RESERVED": true, "CONFIRMED": true, "CANCELED": true}

// probeLag polls GET /mypages/{id} back to back until it shows RESERVED, and records the time from the
// 201 to the response that showed it (an upper bound: the row changed somewhere inside that request).
// Probes beyond LagProbes in flight are skipped, so sampling never becomes the load.
func (r *runner) probeLag(orderID, token string, placedAt time.Time) {
	select {
	case r.lagSem <- struct{}{}:
	default:
		return
	}
	r.probesWG.Add(1)
	go func() {
		defer r.probesWG.Done()
		defer func() { <-r.lagSem }()
		deadline := placedAt.Add(r.cfg.LagTimeout)
		req := api.Request{Method: http.MethodGet, Path: "/mypages/" + orderID, Token: token}
		for time.Now().Before(deadline) {
			ctx, cancel := context.WithTimeout(r.bgCtx, requestTimeout)
			resp, err := r.cfg.Client.Do(ctx, req)
			cancel()
			if err == nil && resp.Status == http.StatusOK {
				var page struct {
					Status string `json:"status"`
				}
				if json.Unmarshal(resp.Body, &page) == nil && reservedOrLater[page.Status] {
					lag := time.Since(placedAt)
					r.col.with(func(res *Result) { res.MyPageLag = append(res.MyPageLag, lag) })
					return
				}
			}
			if r.bgCtx.Err() != nil {
				return
			}
		}
		r.col.with(func(res *Result) { res.LagTimeouts++ })
	}()
}
