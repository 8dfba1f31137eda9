package streams

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/calltaxi/call-taxi/localcloud/internal/ddbemu"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

// table is a real emulated table whose stream feeds the pollers under test.
type table struct {
	t   *testing.T
	svc *ddbemu.Service
}

func newTable(t *testing.T) *table {
	t.Helper()
	svc, err := ddbemu.New(ddbemu.Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Close() })
	err = svc.CreateTables([]ddbemu.TableSpec{{
		Name: "Orders", KeySchema: []ddbemu.KeyElement{{AttributeName: "id", KeyType: "HASH"}},
		AttributeDefinitions: []ddbemu.AttributeDefinition{{AttributeName: "id", AttributeType: "S"}},
		StreamViewType:       "NEW_AND_OLD_IMAGES",
	}})
	if err != nil {
		t.Fatal(err)
	}
	return &table{t: t, svc: svc}
}

func (tb *table) stream() *ddbemu.Stream { return tb.svc.Stream("Orders") }

// put writes item id with attribute v "x" through the DynamoDB API.
func (tb *table) put(ids ...string) {
	tb.t.Helper()
	for _, id := range ids {
		tb.putValue(id, "x")
	}
}

// putValue writes item id with attribute v; rewriting an item unchanged adds no stream record.
func (tb *table) putValue(id, v string) {
	tb.t.Helper()
	body := fmt.Sprintf(`{"TableName":"Orders","Item":{"id":{"S":%q},"v":{"S":%q}}}`, id, v)
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.PutItem")
	rec := httptest.NewRecorder()
	tb.svc.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		tb.t.Fatalf("put %s: %d %s", id, rec.Code, rec.Body)
	}
}

// fakeInvoker records every batch and answers with respond.
type fakeInvoker struct {
	mu      sync.Mutex
	calls   [][]events.DynamoDBEventRecord
	respond func(call int, recs []events.DynamoDBEventRecord) ([]byte, error)
}

func (f *fakeInvoker) Invoke(_ context.Context, function string, payload []byte) ([]byte, error) {
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, fmt.Errorf("bad payload: %w", err)
	}
	f.mu.Lock()
	f.calls = append(f.calls, ev.Records)
	n := len(f.calls)
	f.mu.Unlock()
	if f.respond == nil {
		return nil, nil
	}
	return f.respond(n, ev.Records)
}

// batches returns the ids of every invocation's records.
func (f *fakeInvoker) batches() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([][]string, len(f.calls))
	for i, recs := range f.calls {
		for _, r := range recs {
			out[i] = append(out[i], r.Change.Keys["id"].String())
		}
	}
	return out
}

func ids(recs []events.DynamoDBEventRecord) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.Change.Keys["id"].String())
	}
	return out
}

type fakeDLQ struct {
	mu   sync.Mutex
	msgs []dlqMessage
}

type dlqMessage struct {
	queue string
	body  []byte
	attrs map[string]string
}

func (d *fakeDLQ) Put(queue string, body []byte, attrs map[string]string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.msgs = append(d.msgs, dlqMessage{queue, body, attrs})
}

func (d *fakeDLQ) messages() []dlqMessage {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]dlqMessage(nil), d.msgs...)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func fastRetries(m Mapping) Mapping {
	m.RetryBaseDelay, m.RetryMaxDelay = time.Millisecond, 4*time.Millisecond
	return m
}
