package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// Reclaim shuts down a function's idle environments (POST /_local/functions/{name}/reclaim), so its next
// invoke cold-starts.
func (c *Client) Reclaim(ctx context.Context, function string) error {
	return c.FunctionAction(ctx, function, "reclaim")
}

// Invoke calls a function synchronously through the Lambda Invoke API; c's base URL must be the local
// cloud's AWS endpoint, which does not check signatures. functionError is the X-Amz-Function-Error
// header: the function ran and failed, which the API reports as a success.
func (c *Client) Invoke(ctx context.Context, function string, payload []byte) (functionError string, err error) {
	path := "/2015-03-31/functions/" + url.PathEscape(function) + "/invocations"
	resp, err := c.Do(ctx, Request{Method: http.MethodPost, Path: path, Body: rawJSON(payload)})
	if err != nil {
		return "", fmt.Errorf("invoke %s: %w", function, err)
	}
	if resp.Status != http.StatusOK {
		return "", fmt.Errorf("invoke %s: status %d: %s", function, resp.Status, truncate(resp.Body, 300))
	}
	return resp.Header.Get("X-Amz-Function-Error"), nil
}

// rawJSON is a payload sent as it is (json.Marshal of a []byte would base64 it).
type rawJSON []byte

func (r rawJSON) MarshalJSON() ([]byte, error) { return r, nil }
