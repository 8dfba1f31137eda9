package cloud

import (
	"encoding/json"
	"net/http"
	"net/http/pprof"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/eventbus"
)

// apiHandler serves the HTTP API, with the local cloud's own control plane under /_local/.
func (c *Cloud) apiHandler(gateway http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_local/health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "startedInMs": c.StartedIn.Milliseconds()})
	})
	mux.HandleFunc("GET /_local/functions", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"functions": c.Lambda.Stats()})
	})
	mux.HandleFunc("POST /_local/functions/{name}/{action}", c.functionAction)
	mux.HandleFunc("GET /_local/calls", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"calls": c.calls.snapshot()})
	})
	// The lists page: ?limit= (default and maximum per endpoint) and ?after= (the "next" of the
	// previous page); the last page has no "next".
	mux.HandleFunc("GET /_local/sms", func(w http.ResponseWriter, r *http.Request) {
		limit, after, ok := pageParams(w, r, 1000, 10_000)
		if !ok {
			return
		}
		from := 0
		if after != "" {
			n, err := strconv.Atoi(after)
			if err != nil || n < 0 {
				writeError(w, http.StatusBadRequest, "after must be the next of a previous page")
				return
			}
			from = n
		}
		msgs, next, err := c.SNS.MessagesPage(from, limit)
		if err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		out := map[string]any{"messages": msgs}
		if next >= 0 {
			out["next"] = strconv.Itoa(next)
		}
		writeJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("GET /_local/dlq", c.deadLetters)
	mux.HandleFunc("GET /_local/events", func(w http.ResponseWriter, r *http.Request) {
		limit, after, ok := pageParams(w, r, 100, 1000)
		if !ok {
			return
		}
		// Newest first; after is the id of the last event of the previous page.
		recent := c.Bus.Recent(1 << 20)
		start := 0
		if after != "" {
			start = len(recent)
			for i, e := range recent {
				if e.ID == after {
					start = i + 1
					break
				}
			}
		}
		page := recent[start:min(start+limit, len(recent))]
		out := map[string]any{"events": page, "stats": c.Bus.Stats()}
		if start+len(page) < len(recent) && len(page) > 0 {
			out["next"] = page[len(page)-1].ID
		}
		writeJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("GET /_local/streams", func(w http.ResponseWriter, r *http.Request) {
		stats := map[string]any{}
		for name, p := range c.pollers {
			stats[name] = p.Stats()
		}
		writeJSON(w, http.StatusOK, map[string]any{"mappings": stats})
	})
	mux.HandleFunc("GET /_local/queues", func(w http.ResponseWriter, r *http.Request) {
		queues := map[string]any{}
		for _, name := range c.SQS.QueueNames() {
			visible, notVisible, delayed := c.SQS.Counts(name)
			queues[name] = map[string]int{"visible": visible, "notVisible": notVisible, "delayed": delayed}
		}
		mappings := map[string]any{}
		for name, p := range c.queuePollers {
			mappings[name] = p.Stats()
		}
		writeJSON(w, http.StatusOK, map[string]any{"queues": queues, "mappings": mappings})
	})
	mux.HandleFunc("GET /_local/tables/{name}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if t, ok := c.Template.Tables[name]; ok {
			name = t.Name
		}
		limit, after, ok := pageParams(w, r, 1000, 10_000)
		if !ok {
			return
		}
		if !slices.Contains(c.DynamoDB.TableNames(), name) {
			writeError(w, http.StatusNotFound, "no table "+name)
			return
		}
		items, next, err := c.DynamoDB.ScanPage(name, limit, after)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		out := map[string]any{"table": name, "items": items}
		if next != "" {
			out["next"] = next
		}
		writeJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("POST /_local/dynamodb/compact", func(w http.ResponseWriter, r *http.Request) {
		stats, err := c.DynamoDB.Compact()
		if err != nil {
			writeError(w, http.StatusConflict, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, stats)
	})
	mux.HandleFunc("POST /_local/token", c.token)
	mux.HandleFunc("POST /_local/signup", c.signUp)
	mux.HandleFunc("GET /_local/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(c.Issuer.JWKS())
	})
	mux.HandleFunc("POST /_local/chaos", c.chaos)
	// With a latency profile: the AWS calls one X-Ray trace root made (send X-Amzn-Trace-Id with an API
	// request; synchronous invokes pass it on).
	mux.HandleFunc("GET /_local/trace/{root}", func(w http.ResponseWriter, r *http.Request) {
		if c.Tracer == nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "start the local cloud with -latency to trace AWS calls"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"calls": c.Tracer.Calls(r.PathValue("root"))})
	})
	// The Go profiles of the local cloud itself, while it runs: e.g.
	// go tool pprof -sample_index=inuse_space http://127.0.0.1:3000/_local/debug/pprof/heap
	mux.HandleFunc("GET /_local/debug/pprof/", func(w http.ResponseWriter, r *http.Request) {
		r2 := r.Clone(r.Context())
		r2.URL.Path = strings.Replace(r.URL.Path, "/_local", "", 1)
		pprof.Index(w, r2)
	})
	mux.HandleFunc("GET /_local/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /_local/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /_local/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/_local/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such control endpoint")
	})
	mux.HandleFunc("GET /_local/docs", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join(c.cfg.RepoRoot, "api", "openapi.yaml"))
	})
	mux.HandleFunc("GET /config.json", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"apiUrl": "", "auth": "local", "tokenEndpoint": "/_local/token", "signupEndpoint": "/_local/signup"})
	})
	mux.Handle("/", c.staticOr(gateway))
	return mux
}

// pageParams reads ?limit= (default def, at most most) and ?after=.
func pageParams(w http.ResponseWriter, r *http.Request, def, most int) (limit int, after string, ok bool) {
	q := r.URL.Query()
	limit = def
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "limit must be a positive integer")
			return 0, "", false
		}
		limit = min(n, most)
	}
	return limit, q.Get("after"), true
}

// deadLetters lists the dead-letter queues' messages, queue by queue in name order, a page at a time;
// after is "<queue>/<index>". counts always covers every queue.
func (c *Cloud) deadLetters(w http.ResponseWriter, r *http.Request) {
	limit, after, ok := pageParams(w, r, 1000, 10_000)
	if !ok {
		return
	}
	names := slices.Sorted(slices.Values(c.deadLetterQueues))
	startQueue, startIndex := 0, 0
	if after != "" {
		q, idx, found := strings.Cut(after, "/")
		n, err := strconv.Atoi(idx)
		i := slices.Index(names, q)
		if !found || err != nil || n < 0 || i < 0 {
			writeError(w, http.StatusBadRequest, "after must be the next of a previous page")
			return
		}
		startQueue, startIndex = i, n
	}
	queues := map[string]any{}
	counts := map[string]int{}
	next := ""
	left := limit
	for i, name := range names {
		visible, notVisible, delayed := c.SQS.Counts(name)
		counts[name] = visible + notVisible + delayed
		if i < startQueue || next != "" {
			continue
		}
		msgs := c.dlqMessages(name)
		from := 0
		if i == startQueue {
			from = min(startIndex, len(msgs))
		}
		end := min(from+left, len(msgs))
		queues[name] = msgs[from:end]
		left -= end - from
		if end < len(msgs) {
			next = name + "/" + strconv.Itoa(end)
		} else if left == 0 && i+1 < len(names) {
			next = names[i+1] + "/0"
		}
	}
	out := map[string]any{"queues": queues, "counts": counts}
	if next != "" {
		out["next"] = next
	}
	writeJSON(w, http.StatusOK, out)
}

// staticOr serves the web console's files for GET requests naming one, and everything else through the
// API gateway: console file names never collide with API routes. The console's own tests (web/e2e) are
// not part of the site.
func (c *Cloud) staticOr(gateway http.Handler) http.Handler {
	if c.cfg.StaticDir == "" {
		return gateway
	}
	files := http.FileServer(http.Dir(c.cfg.StaticDir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := path.Clean(r.URL.Path)
		if (r.Method == http.MethodGet || r.Method == http.MethodHead) && !strings.HasPrefix(name, "/e2e") {
			if name == "/" {
				files.ServeHTTP(w, r)
				return
			}
			if st, err := os.Stat(filepath.Join(c.cfg.StaticDir, filepath.FromSlash(name))); err == nil && !st.IsDir() {
				files.ServeHTTP(w, r)
				return
			}
		}
		gateway.ServeHTTP(w, r)
	})
}

// functionAction is a fault drill on one function, named after what AWS would show: "stop" throttles it
// as reserved concurrency 0 does, "fail" makes every invocation a function error (a broken deploy),
// "start" restores normal running, "reclaim" shuts down its idle environments (as Lambda does with those it
// no longer needs) so the next invoke cold-starts. The answer carries the resulting state, as GET
// /_local/functions does.
func (c *Cloud) functionAction(w http.ResponseWriter, r *http.Request) {
	name, ok := c.FunctionName(r.PathValue("name"))
	if !ok {
		writeError(w, http.StatusNotFound, "unknown function "+r.PathValue("name"))
		return
	}
	var err error
	reclaimed := 0
	switch r.PathValue("action") {
	case "reclaim":
		reclaimed, err = c.Lambda.Reclaim(name)
	case "stop":
		err = c.Lambda.Stop(name)
	case "fail":
		err = c.Lambda.Fail(name)
	case "start":
		err = c.Lambda.Start(name)
	default:
		writeError(w, http.StatusNotFound, "action must be stop, fail, start or reclaim")
		return
	}
	if err != nil {
		writeError(w, http.StatusConflict, err.Error())
		return
	}
	state, err := c.Lambda.State(name)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"function": name, "state": string(state), "reclaimed": reclaimed})
}

type tokenRequest struct {
	Sub        string   `json:"sub"`
	Groups     []string `json:"groups"`
	TTLSeconds int      `json:"ttlSeconds"`
}

func (c *Cloud) token(w http.ResponseWriter, r *http.Request) {
	var req tokenRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "body must be {\"sub\": \"...\", \"groups\": [\"customers\"], \"ttlSeconds\": 3600}: "+err.Error())
		return
	}
	if strings.TrimSpace(req.Sub) == "" {
		writeError(w, http.StatusBadRequest, "sub is required")
		return
	}
	tok, err := c.MintToken(req.Sub, req.Groups, time.Duration(req.TTLSeconds)*time.Second)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"token": tok})
}

// Chaos are the fault switches a load run flips.
type Chaos struct {
	PutEventsFailureRate    float64 `json:"putEventsFailureRate"`
	DuplicateEventDelivery  bool    `json:"duplicateEventDelivery"`
	DuplicateStreamDelivery bool    `json:"duplicateStreamDelivery"`
	SMSFailureRate          float64 `json:"smsFailureRate"`
	KillRandomEnvironment   bool    `json:"killRandomEnvironment"`
}

func (c *Cloud) chaos(w http.ResponseWriter, r *http.Request) {
	var req Chaos
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	c.SetChaos(req)
	resp := map[string]any{"applied": req}
	if req.KillRandomEnvironment {
		name, killed := c.Lambda.KillRandomEnvironment()
		resp["killed"] = map[string]any{"function": name, "killed": killed}
	}
	writeJSON(w, http.StatusOK, resp)
}

// SetChaos applies fault switches.
func (c *Cloud) SetChaos(ch Chaos) {
	c.Bus.SetFaults(eventbus.Faults{PutEventsFailureRate: ch.PutEventsFailureRate, DuplicateDelivery: ch.DuplicateEventDelivery})
	for _, p := range c.pollers {
		p.SetDuplicateDelivery(ch.DuplicateStreamDelivery)
	}
	c.SNS.SetFailureRate(ch.SMSFailureRate)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"message": msg}})
}
