package cloud

import (
	"encoding/json"
	"net/http"
	"net/http/pprof"
	"os"
	"path"
	"path/filepath"
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
	mux.HandleFunc("GET /_local/sms", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"messages": c.SNS.Messages()})
	})
	mux.HandleFunc("GET /_local/dlq", func(w http.ResponseWriter, r *http.Request) {
		queues := map[string]any{}
		counts := map[string]int{}
		for _, name := range c.deadLetterQueues {
			queues[name] = c.dlqMessages(name)
			visible, notVisible, delayed := c.SQS.Counts(name)
			counts[name] = visible + notVisible + delayed
		}
		writeJSON(w, http.StatusOK, map[string]any{"queues": queues, "counts": counts})
	})
	mux.HandleFunc("GET /_local/events", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		if n <= 0 || n > 1000 {
			n = 100
		}
		writeJSON(w, http.StatusOK, map[string]any{"events": c.Bus.Recent(n), "stats": c.Bus.Stats()})
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
		items, err := c.DynamoDB.Scan(name)
		if err != nil {
			writeError(w, http.StatusNotFound, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"table": name, "items": items})
	})
	mux.HandleFunc("POST /_local/token", c.token)
	mux.HandleFunc("POST /_local/signup", c.signUp)
	mux.HandleFunc("GET /_local/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(c.Issuer.JWKS())
	})
	mux.HandleFunc("POST /_local/chaos", c.chaos)
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
// "start" restores normal running. The answer carries the resulting state, as GET /_local/functions does.
func (c *Cloud) functionAction(w http.ResponseWriter, r *http.Request) {
	name, ok := c.FunctionName(r.PathValue("name"))
	if !ok {
		writeError(w, http.StatusNotFound, "unknown function "+r.PathValue("name"))
		return
	}
	var err error
	switch r.PathValue("action") {
	case "stop":
		err = c.Lambda.Stop(name)
	case "fail":
		err = c.Lambda.Fail(name)
	case "start":
		err = c.Lambda.Start(name)
	default:
		writeError(w, http.StatusNotFound, "action must be stop, fail or start")
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
	writeJSON(w, http.StatusOK, map[string]string{"function": name, "state": string(state)})
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
