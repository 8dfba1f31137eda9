package load

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/calltaxi/call-taxi/bench/internal/api"
)

// ownerPages answers GET /mypages/{id}: 200 to the owner's token ("Bearer tok-<id>"), 403 to another
// token, 404 for ids starting with "gone"; it counts the connections it accepted.
type ownerPages struct{ conns atomic.Int64 }

func (p *ownerPages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutPrefix(r.URL.Path, "/mypages/")
	switch {
	case !ok:
		http.NotFound(w, r)
	case strings.HasPrefix(id, "gone"):
		w.WriteHeader(http.StatusNotFound)
	case r.Header.Get("Authorization") != "Bearer tok-"+id:
		w.WriteHeader(http.StatusForbidden)
	default:
		_, _ = w.Write([]byte(`{"orderId":"` + id + `"}`))
	}
}

func TestReads(t *testing.T) {
	owned := func(ids ...string) []OwnedOrder {
		out := make([]OwnedOrder, len(ids))
		for i, id := range ids {
			out[i] = OwnedOrder{Token: "tok-" + id, OrderID: id}
		}
		return out
	}
	tests := []struct {
		name       string
		orders     []OwnedOrder
		serverDown bool
		wantOK     bool  // some 200s
		wantNonOK  []int // statuses that must be counted; no other may be
	}{
		{name: "every order read with its owner's token", orders: owned("a", "b", "c"), wantOK: true},
		{name: "another customer's token is counted, not hidden",
			orders: append(owned("a"), OwnedOrder{Token: "tok-a", OrderID: "b"}), wantOK: true, wantNonOK: []int{403}},
		{name: "a missing page is counted", orders: owned("a", "gone1"), wantOK: true, wantNonOK: []int{404}},
		{name: "transport errors are status 0", orders: owned("a"), serverDown: true, wantNonOK: []int{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pages := &ownerPages{}
			srv := httptest.NewUnstartedServer(pages)
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					pages.conns.Add(1)
				}
			}
			srv.Start()
			defer srv.Close()
			if tt.serverDown {
				srv.Close()
			}
			const conns = 4
			res := Reads(context.Background(), ReadConfig{
				Client: api.New(srv.URL, conns), Conns: conns, Duration: time.Second, Request: MyPageReads(tt.orders),
			})
			if got := len(res.OK) > 0; got != tt.wantOK {
				t.Errorf("%d reads answered 200, want some: %v", len(res.OK), tt.wantOK)
			}
			for _, status := range tt.wantNonOK {
				if res.NonOK[status] == 0 {
					t.Errorf("no status %d counted: %v", status, res.NonOK)
				}
			}
			if len(res.NonOK) != len(tt.wantNonOK) {
				t.Errorf("non-200 answers %v, want only statuses %v", res.NonOK, tt.wantNonOK)
			}
			if res.Elapsed < 150*time.Millisecond {
				t.Errorf("elapsed %v, shorter than the phase", res.Elapsed)
			}
			// The transport may dial while a connection is on its way back to the pool, so a few more than
			// conns can open; without keep-alive there would be one per request.
			if n := pages.conns.Load(); !tt.serverDown && n > 2*conns {
				t.Errorf("%d connections opened for %d readers and %d requests: keep-alive not used", n, conns, len(res.OK)+res.NonOK[403]+res.NonOK[404])
			}
		})
	}
}
