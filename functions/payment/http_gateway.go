package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// HTTPGateway is a card processor behind an HTTP API:
//
//	POST {BaseURL}/charges  Idempotency-Key: <key>         {"amount":3800,"cardNo":"4111..."}
//	POST {BaseURL}/refunds  Idempotency-Key: refund-<key>  {"chargeKey":"<key>","amount":3800}
//
// A 2xx charge answer is {"approved":bool,"reason":string}; any other status, a timeout or an unreadable
// answer is an error, which the caller retries with the same key.
type HTTPGateway struct {
	BaseURL string
	Client  *http.Client
}

var _ Gateway = (*HTTPGateway)(nil)

// maxGatewayAnswer is the most of an answer the gateway reads.
const maxGatewayAnswer = 64 << 10

// Charge implements Gateway.
func (g *HTTPGateway) Charge(ctx context.Context, req ChargeRequest) (Outcome, error) {
	body := struct {
		Amount int64  `json:"amount"`
		CardNo string `json:"cardNo"`
	}{req.Amount, req.CardNo}
	var answer struct {
		Approved bool   `json:"approved"`
		Reason   string `json:"reason"`
	}
	if err := g.post(ctx, "/charges", req.IdempotencyKey, body, &answer); err != nil {
		return Outcome{}, err
	}
	return Outcome{Approved: answer.Approved, Reason: answer.Reason}, nil
}

// Refund implements Gateway.
func (g *HTTPGateway) Refund(ctx context.Context, key string, amount int64) error {
	body := struct {
		ChargeKey string `json:"chargeKey"`
		Amount    int64  `json:"amount"`
	}{key, amount}
	return g.post(ctx, "/refunds", "refund-"+key, body, nil)
}

func (g *HTTPGateway) post(ctx context.Context, path, key string, body, answer any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("gateway %s: encode: %w", path, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.BaseURL+path, bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("gateway %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	client := g.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		// The URL error names the endpoint only; the body (with the card number) is never in it.
		return fmt.Errorf("gateway %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxGatewayAnswer))
		return fmt.Errorf("gateway %s: status %d", path, resp.StatusCode)
	}
	if answer == nil {
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxGatewayAnswer)).Decode(answer); err != nil {
		return fmt.Errorf("gateway %s: unreadable answer: %w", path, err)
	}
	return nil
}
