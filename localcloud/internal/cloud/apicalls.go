package cloud

import (
	"net/http"
	"sync"

	"github.com/calltaxi/call-taxi/localcloud/internal/latency"
)

// apiCalls counts the requests the services endpoint answered, by "service.Operation" (what the
// functions' SDK clients asked of AWS), for GET /_local/calls.
type apiCalls struct {
	mu sync.Mutex
	n  map[string]int64
}

// maxOperationsCounted bounds the names counted; the services serve far fewer operations.
const maxOperationsCounted = 256

func (a *apiCalls) count(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		service, operation := latency.Operation(r)
		key := service + "." + operation
		a.mu.Lock()
		if a.n == nil {
			a.n = map[string]int64{}
		}
		if _, known := a.n[key]; !known && len(a.n) >= maxOperationsCounted {
			key = "other" // a client inventing targets cannot grow the map without bound
		}
		a.n[key]++
		a.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (a *apiCalls) snapshot() map[string]int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[string]int64, len(a.n))
	for k, v := range a.n {
		out[k] = v
	}
	return out
}
