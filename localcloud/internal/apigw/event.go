package apigw

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// buildEvent builds the payload format 2.0 event the way API Gateway does.
func (g *Gateway) buildEvent(r *http.Request, route *compiledRoute, params map[string]string, body []byte,
	jwt *jwtContext, requestID string, now time.Time) events.APIGatewayV2HTTPRequest {
	headers, cookies := eventHeaders(r)
	domain := hostWithoutPort(r.Host)
	sourceIP := clientIP(r)

	event := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              route.key,
		RawPath:               r.URL.EscapedPath(),
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: queryParameters(r.URL.RawQuery),
		PathParameters:        params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     route.key,
			AccountID:    g.cfg.AccountID,
			Stage:        g.cfg.Stage,
			RequestID:    requestID,
			APIID:        g.cfg.APIID,
			DomainName:   domain,
			DomainPrefix: strings.SplitN(domain, ".", 2)[0],
			Time:         now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.EscapedPath(),
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if jwt != nil {
		event.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: jwt.claims, Scopes: jwt.scopes},
		}
	}
	if len(body) > 0 {
		if isTextContent(r.Header.Get("Content-Type"), body) {
			event.Body = string(body)
		} else {
			event.Body = base64.StdEncoding.EncodeToString(body)
			event.IsBase64Encoded = true
		}
	}
	return event
}

// eventHeaders lower-cases header names and joins repeated values with commas. Cookies move to
// their own field, and the forwarding headers API Gateway adds are filled in.
func eventHeaders(r *http.Request) (map[string]string, []string) {
	headers := make(map[string]string, len(r.Header)+5)
	var cookies []string
	for name, values := range r.Header {
		lower := strings.ToLower(name)
		if lower == "cookie" {
			for _, v := range values {
				for _, c := range strings.Split(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		headers[lower] = strings.Join(values, ",")
	}
	headers["host"] = r.Host
	ip := clientIP(r)
	if prior := headers["x-forwarded-for"]; prior != "" {
		headers["x-forwarded-for"] = prior + ", " + ip
	} else {
		headers["x-forwarded-for"] = ip
	}
	proto, port := "http", "80"
	if r.TLS != nil {
		proto, port = "https", "443"
	}
	if _, p, err := net.SplitHostPort(r.Host); err == nil {
		port = p
	}
	headers["x-forwarded-proto"] = proto
	headers["x-forwarded-port"] = port
	if headers["x-amzn-trace-id"] == "" {
		headers["x-amzn-trace-id"] = fmt.Sprintf("Root=1-%08x-%s", time.Now().Unix(), randomHex(12))
	}
	return headers, cookies
}

// queryParameters joins repeated parameters with commas, as payload format 2.0 does.
func queryParameters(rawQuery string) map[string]string {
	if rawQuery == "" {
		return nil
	}
	values, _ := url.ParseQuery(rawQuery) // keeps what parsed, like API Gateway's lenient parser
	if len(values) == 0 {
		return nil
	}
	out := make(map[string]string, len(values))
	for k, v := range values {
		out[k] = strings.Join(v, ",")
	}
	return out
}

// isTextContent reports whether a body goes to the function as text rather than base64:
// text/*, JSON, XML and form bodies. A body without a content type is sent as text when it is
// valid UTF-8, so plain clients that forget the header still reach handlers readably.
func isTextContent(contentType string, body []byte) bool {
	if contentType == "" {
		return utf8.Valid(body)
	}
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mediaType, "text/"),
		mediaType == "application/json", strings.HasSuffix(mediaType, "+json"),
		mediaType == "application/xml", strings.HasSuffix(mediaType, "+xml"),
		mediaType == "application/x-www-form-urlencoded",
		mediaType == "application/javascript":
		return true
	}
	return false
}

func clientIP(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

func hostWithoutPort(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}

// newRequestID mimics API Gateway's short base64 request ids, e.g. "JKJaXmPLvHcESHA=".
func newRequestID() string {
	var b [10]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return base64.StdEncoding.EncodeToString(b[:])
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}
