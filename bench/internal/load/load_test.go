package load

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calltaxi/call-taxi/bench/internal/api"
	"github.com/calltaxi/call-taxi/bench/internal/audit"
	"github.com/calltaxi/call-taxi/bench/internal/stats"
)

// fakeAPI answers like the system would: every order is first throttled (429, Retry-After 0), then
// placed; cancels and confirms succeed; mypages are RESERVED.
type fakeAPI struct {
	mu          sync.Mutex
	keyAttempts map[string]int
	phones      map[string]bool
	cancels     int
	confirms    int
	taxis       int
	badRequests []string
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.URL.Path == "/_local/token":
		_, _ = fmt.Fprint(w, `{"token":"t"}`)
	case r.URL.Path == "/taxis":
		f.taxis++
		w.WriteHeader(http.StatusCreated)
		_, _ = fmt.Fprintf(w, `{"id":"taxi-%d"}`, f.taxis)
	case r.URL.Path == "/orders":
		key := r.Header.Get("Idempotency-Key")
		var body map[string]string
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || key == "" || r.Header.Get("Authorization") != "Bearer t" {
			f.badRequests = append(f.badRequests, fmt.Sprintf("key %q err %v", key, err))
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		f.keyAttempts[key]++
		if f.keyAttempts[key] == 1 {
			if f.phones[body["phone"]] {
				f.badRequests = append(f.badRequests, "phone reused by a new order: "+body["phone"])
			}
			f.phones[body["phone"]] = true
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusCreated)
		_, _ = fmt.Fprintf(w, `{"id":"o-%s","status":"PAID"}`, key)
	case strings.HasSuffix(r.URL.Path, "/cancel"):
		f.cancels++
		_, _ = fmt.Fprint(w, `{"status":"CANCELED"}`)
	case strings.HasSuffix(r.URL.Path, "/confirm"):
		f.confirms++
		w.WriteHeader(http.StatusAccepted)
	case strings.HasPrefix(r.URL.Path, "/mypages/"):
		_, _ = fmt.Fprint(w, `{"status":"RESERVED"}`)
	default:
		http.NotFound(w, r)
	}
}

func TestRunRetriesWithTheSameKeyAndRecordsWhatCustomersWereTold(t *testing.T) {
	fake := &fakeAPI{keyAttempts: map[string]int{}, phones: map[string]bool{}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	res, err := Run(context.Background(), Config{
		Client: api.New(srv.URL, 8), Concurrency: 4, Duration: 300 * time.Millisecond, ReadMix: 0.5,
		CancelShare: 1, ConfirmShare: 1, LagSampleEvery: 1, LagTimeout: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if len(fake.badRequests) > 0 {
		t.Fatalf("bad requests: %v", fake.badRequests)
	}
	if res.Orders.Placed == 0 {
		t.Fatal("no order placed")
	}
	for key, n := range fake.keyAttempts {
		if n > 2 {
			t.Errorf("key %s sent %d times; one 429 then one 201 expected", key, n)
		}
	}
	if res.Orders.Retried429 < res.Orders.Placed {
		t.Errorf("retried %d < placed %d: every order was throttled once", res.Orders.Retried429, res.Orders.Placed)
	}
	if len(res.Expect.Placed) != res.Orders.Placed {
		t.Errorf("expectations hold %d placed orders, outcomes %d", len(res.Expect.Placed), res.Orders.Placed)
	}
	for id := range res.Expect.Placed {
		if res.Expect.Canceled[id] != audit.CancelConfirmed {
			t.Errorf("order %s: cancel share 1 but cancel outcome %v", id, res.Expect.Canceled[id])
		}
	}
	if fake.confirms == 0 || res.Confirms["202"] != fake.confirms {
		t.Errorf("confirms: server saw %d, result %v", fake.confirms, res.Confirms)
	}
	if len(res.MyPageLag) == 0 {
		t.Error("no event → mypage lag sampled")
	}
	if len(res.OrderLatency) != res.Orders.Placed {
		t.Errorf("%d order latencies for %d placed orders", len(res.OrderLatency), res.Orders.Placed)
	}
}

func TestOnlyTheMeasuredWindowIsSampled(t *testing.T) {
	start := time.Now()
	c := newCollector(start, start.Add(time.Second), "4242424242424242")
	c.sample(sampleAt(start.Add(-time.Millisecond))) // warm-up
	c.sample(sampleAt(start))
	c.sample(sampleAt(start.Add(999 * time.Millisecond)))
	c.sample(sampleAt(start.Add(time.Second))) // drain
	if n := len(c.res.Samples); n != 2 {
		t.Errorf("%d samples kept, want 2", n)
	}
}

func TestPhonesAreDistinctAndE164(t *testing.T) {
	p := &phoneSequence{base: 99_999_998}
	seen := map[string]bool{}
	for range 5 {
		ph := p.next()
		if len(ph) != 13 || !strings.HasPrefix(ph, "+8210") || seen[ph] {
			t.Errorf("phone %q (len %d) invalid or repeated", ph, len(ph))
		}
		seen[ph] = true
	}
}

func sampleAt(t time.Time) stats.Sample {
	return stats.Sample{Route: RouteGetMyPage, Status: 200, Start: t}
}
