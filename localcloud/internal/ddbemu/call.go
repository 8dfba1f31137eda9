package ddbemu

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/truora/minidyn/server"
)

const targetPrefix = "DynamoDB_20120810."

// bufferedResponse captures a handler's response so it can be inspected,
// checksummed and then forwarded.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newBufferedResponse() *bufferedResponse {
	return &bufferedResponse{header: http.Header{}, status: http.StatusOK}
}

func (b *bufferedResponse) Header() http.Header         { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferedResponse) WriteHeader(status int)      { b.status = status }

// engineResult is the outcome of one call into the minidyn engine.
type engineResult struct {
	status int
	header http.Header
	body   []byte
}

func (r engineResult) ok() bool { return r.status == http.StatusOK }

// callEngine runs one DynamoDB operation against minidyn and buffers the answer.
func (s *Service) callEngine(op string, body []byte) engineResult {
	return call(s.engine, op, body)
}

func call(engine *server.Server, op string, body []byte) engineResult {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, "/", bytes.NewReader(body))
	if err != nil {
		return engineResult{status: http.StatusInternalServerError, body: []byte(err.Error())}
	}
	req.Header.Set("X-Amz-Target", targetPrefix+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	rec := newBufferedResponse()
	engine.ServeHTTP(rec, req)
	return engineResult{status: rec.status, header: rec.header, body: rec.body.Bytes()}
}

// callEngineJSON marshals the request and requires a 200 answer, decoding it into out (if not nil).
func (s *Service) callEngineJSON(op string, in any, out any) error {
	return callJSON(s.engine, op, in, out)
}

// callScratchJSON is callEngineJSON on the scratch engine, where updates are tried out before
// they are applied (see simulateUpdate).
func (s *Service) callScratchJSON(op string, in any, out any) error {
	return callJSON(s.scratch, op, in, out)
}

func callJSON(engine *server.Server, op string, in any, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("%s: encode request: %w", op, err)
	}
	res := call(engine, op, body)
	if !res.ok() {
		return fmt.Errorf("%s: status %d: %s", op, res.status, bytes.TrimSpace(res.body))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(res.body, out); err != nil {
		return fmt.Errorf("%s: decode response: %w", op, err)
	}
	return nil
}

// getItemRaw reads the current item (DynamoDB JSON) for a key, nil if absent.
func (s *Service) getItemRaw(table string, key map[string]json.RawMessage) (json.RawMessage, error) {
	var out struct{ Item json.RawMessage }
	err := s.callEngineJSON("GetItem", map[string]any{"TableName": table, "Key": key, "ConsistentRead": true}, &out)
	if err != nil {
		return nil, err
	}
	return out.Item, nil
}

// scanRaw returns every item of a table as DynamoDB JSON maps.
func (s *Service) scanRaw(table string) ([]json.RawMessage, error) {
	var items []json.RawMessage
	var startKey json.RawMessage
	for {
		req := map[string]any{"TableName": table}
		if startKey != nil {
			req["ExclusiveStartKey"] = startKey
		}
		var out struct {
			Items            []json.RawMessage
			LastEvaluatedKey json.RawMessage
		}
		if err := s.callEngineJSON("Scan", req, &out); err != nil {
			return nil, err
		}
		items = append(items, out.Items...)
		if len(out.LastEvaluatedKey) == 0 || string(out.LastEvaluatedKey) == "null" {
			return items, nil
		}
		startKey = out.LastEvaluatedKey
	}
}
