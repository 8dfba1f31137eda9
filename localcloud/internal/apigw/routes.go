package apigw

import (
	"fmt"
	"net/url"
	"strings"
)

const defaultRouteKey = "$default"

var supportedMethods = map[string]bool{
	"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "HEAD": true, "OPTIONS": true, "ANY": true,
}

type segmentKind int

// Ordered from most to least specific.
const (
	literalSegment segmentKind = iota
	paramSegment
	greedySegment
)

type segment struct {
	kind  segmentKind
	value string // the literal text, or the parameter name
}

type compiledRoute struct {
	Route
	key      string // route key, e.g. "POST /orders/{id}/cancel"
	method   string // upper case; "ANY" matches every method
	segments []segment
}

func compileRoute(r Route) (*compiledRoute, error) {
	if r.Function == "" {
		return nil, fmt.Errorf("route %s %s: function is required", r.Method, r.Path)
	}
	if r.Authorizer != nil && r.Authorizer.Issuer == "" {
		return nil, fmt.Errorf("route %s %s: authorizer %q needs an issuer", r.Method, r.Path, r.Authorizer.Name)
	}
	if r.Path == defaultRouteKey {
		return &compiledRoute{Route: r, key: defaultRouteKey, method: "ANY"}, nil
	}
	method := strings.ToUpper(r.Method)
	if !supportedMethods[method] {
		return nil, fmt.Errorf("route %s %s: unsupported method", r.Method, r.Path)
	}
	segments, err := parsePath(r.Path)
	if err != nil {
		return nil, fmt.Errorf("route %s %s: %w", r.Method, r.Path, err)
	}
	return &compiledRoute{Route: r, key: method + " " + r.Path, method: method, segments: segments}, nil
}

func parsePath(path string) ([]segment, error) {
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("path must start with /")
	}
	if path == "/" {
		return nil, nil
	}
	parts := strings.Split(path[1:], "/")
	segments := make([]segment, 0, len(parts))
	seen := map[string]bool{}
	for i, part := range parts {
		switch {
		case part == "":
			return nil, fmt.Errorf("empty path segment")
		case strings.HasPrefix(part, "{") && strings.HasSuffix(part, "}"):
			name := part[1 : len(part)-1]
			kind := paramSegment
			if strings.HasSuffix(name, "+") {
				if i != len(parts)-1 {
					return nil, fmt.Errorf("greedy variable %s must be the last segment", part)
				}
				name, kind = strings.TrimSuffix(name, "+"), greedySegment
			}
			if name == "" || strings.ContainsAny(name, "{}+") {
				return nil, fmt.Errorf("bad path variable %s", part)
			}
			if seen[name] {
				return nil, fmt.Errorf("duplicate path variable %s", name)
			}
			seen[name] = true
			segments = append(segments, segment{kind: kind, value: name})
		case strings.ContainsAny(part, "{}"):
			return nil, fmt.Errorf("path variable %s must be a whole segment", part)
		default:
			segments = append(segments, segment{kind: literalSegment, value: part})
		}
	}
	return segments, nil
}

// match returns the path parameters when the route's path matches the request path segments
// (still URL-escaped). Parameter values are decoded, as API Gateway passes them decoded.
func (r *compiledRoute) match(reqSegments []string) (map[string]string, bool) {
	var params map[string]string
	for i, seg := range r.segments {
		if i >= len(reqSegments) {
			return nil, false
		}
		switch seg.kind {
		case literalSegment:
			if unescape(reqSegments[i]) != seg.value {
				return nil, false
			}
		case paramSegment:
			if reqSegments[i] == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[seg.value] = unescape(reqSegments[i])
		case greedySegment:
			rest := strings.Join(reqSegments[i:], "/")
			if rest == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[seg.value] = unescape(rest)
			return params, true
		}
	}
	return params, len(reqSegments) == len(r.segments)
}

// moreSpecific orders two routes that both match: at the first segment where they differ a
// literal beats a variable and a variable beats a greedy variable; on equal paths an explicit
// method beats ANY.
func moreSpecific(a, b *compiledRoute) bool {
	for i := 0; i < len(a.segments) && i < len(b.segments); i++ {
		if a.segments[i].kind != b.segments[i].kind {
			return a.segments[i].kind < b.segments[i].kind
		}
	}
	if len(a.segments) != len(b.segments) {
		return len(a.segments) > len(b.segments)
	}
	return a.method != "ANY" && b.method == "ANY"
}

func splitPath(escapedPath string) []string {
	trimmed := strings.TrimPrefix(escapedPath, "/")
	if trimmed == "" {
		return nil
	}
	return strings.Split(trimmed, "/")
}

func unescape(s string) string {
	if v, err := url.PathUnescape(s); err == nil {
		return v
	}
	return s
}
