// Package api is the benchmark's HTTP client for the call-taxi API and the local cloud's /_local/ control
// plane. It is the only way the benchmark touches the system under test.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Client talks to one API base URL such as http://127.0.0.1:3000.
type Client struct {
	BaseURL string
	HTTP    *http.Client
}

// New returns a client whose connection pool holds up to maxConns keep-alive connections, so a load run
// does not spend its time opening sockets.
func New(baseURL string, maxConns int) *Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConns = maxConns + 16
	transport.MaxIdleConnsPerHost = maxConns + 16
	return &Client{BaseURL: baseURL, HTTP: &http.Client{Transport: transport, Timeout: 60 * time.Second}}
}

// Response is a fully read HTTP response.
type Response struct {
	Status  int
	Header  http.Header
	Body    []byte
	Latency time.Duration // request sent → body read
}

// RetryAfter is the Retry-After header in whole seconds (the API's form), or fallback when absent or bad.
func (r Response) RetryAfter(fallback time.Duration) time.Duration {
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || secs < 0 {
		return fallback
	}
	return time.Duration(secs) * time.Second
}

// ErrorCode is the API's error.code, or "".
func (r Response) ErrorCode() string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &e)
	return e.Error.Code
}

// Request describes one call.
type Request struct {
	Method  string
	Path    string
	Token   string // bearer token, "" for none
	Body    any    // marshalled as JSON when not nil
	Headers map[string]string
}

// Do sends the request and reads the whole body. A transport error is returned as error (Status 0).
func (c *Client) Do(ctx context.Context, r Request) (Response, error) {
	var body io.Reader
	if r.Body != nil {
		raw, err := json.Marshal(r.Body)
		if err != nil {
			return Response{}, fmt.Errorf("encode %s %s body: %w", r.Method, r.Path, err)
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, c.BaseURL+r.Path, body)
	if err != nil {
		return Response{}, fmt.Errorf("build %s %s: %w", r.Method, r.Path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Headers {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return Response{Latency: time.Since(start)}, fmt.Errorf("%s %s: %w", r.Method, r.Path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	out := Response{Status: resp.StatusCode, Header: resp.Header, Body: raw, Latency: time.Since(start)}
	if err != nil {
		return out, fmt.Errorf("read %s %s: %w", r.Method, r.Path, err)
	}
	return out, nil
}

// getJSON GETs path and decodes a 200 answer into v.
func (c *Client) getJSON(ctx context.Context, path string, v any) error {
	resp, err := c.Do(ctx, Request{Method: http.MethodGet, Path: path})
	if err != nil {
		return err
	}
	return decodeOK(resp, path, v)
}

// postJSON POSTs body to path and decodes a 200 answer into v (v may be nil).
func (c *Client) postJSON(ctx context.Context, path string, body, v any) error {
	resp, err := c.Do(ctx, Request{Method: http.MethodPost, Path: path, Body: body})
	if err != nil {
		return err
	}
	return decodeOK(resp, path, v)
}

func decodeOK(resp Response, path string, v any) error {
	if resp.Status != http.StatusOK {
		return fmt.Errorf("%s: status %d: %s", path, resp.Status, truncate(resp.Body, 300))
	}
	if v == nil {
		return nil
	}
	if err := json.Unmarshal(resp.Body, v); err != nil {
		return fmt.Errorf("decode %s: %w", path, err)
	}
	return nil
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
