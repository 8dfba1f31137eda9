package apigw

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// isPreflight: with CORS configured, API Gateway answers OPTIONS preflights itself, even when
// no OPTIONS route exists.
func (g *Gateway) isPreflight(r *http.Request) bool {
	return g.cfg.CORS != nil && r.Method == http.MethodOptions &&
		r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != ""
}

func (g *Gateway) answerPreflight(w http.ResponseWriter, r *http.Request) {
	c := g.cfg.CORS
	if g.allowedOrigin(r.Header.Get("Origin")) != "" {
		h := w.Header()
		if len(c.AllowMethods) > 0 {
			h.Set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ","))
		}
		if len(c.AllowHeaders) > 0 {
			h.Set("Access-Control-Allow-Headers", strings.Join(c.AllowHeaders, ","))
		}
		if c.MaxAge > 0 {
			h.Set("Access-Control-Max-Age", strconv.Itoa(c.MaxAge))
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// applyCORS sets the response CORS headers for an allowed Origin.
func (g *Gateway) applyCORS(w http.ResponseWriter, r *http.Request) {
	if g.cfg.CORS == nil {
		return
	}
	origin := g.allowedOrigin(r.Header.Get("Origin"))
	if origin == "" {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	if origin != "*" {
		h.Add("Vary", "Origin")
	}
	if g.cfg.CORS.AllowCredentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if len(g.cfg.CORS.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(g.cfg.CORS.ExposeHeaders, ","))
	}
}

// allowedOrigin returns the Access-Control-Allow-Origin value for origin, or "" if not allowed.
func (g *Gateway) allowedOrigin(origin string) string {
	if origin == "" {
		return ""
	}
	allowed := g.cfg.CORS.AllowOrigins
	if slices.Contains(allowed, "*") {
		return "*"
	}
	for _, a := range allowed {
		if strings.EqualFold(a, origin) {
			return origin
		}
	}
	return ""
}
