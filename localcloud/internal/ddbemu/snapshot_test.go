package ddbemu

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// After a restart the tables answer as before: from a binary snapshot plus the item-image log, and
// from the data of earlier versions (a snapshot of PutItem lines, a log of requests).
func TestRestartRestoresItemsAndIndexes(t *testing.T) {
	spec := ordersSpec("Orders", "NEW_IMAGE")
	byCustomer := `{"TableName":"Orders","IndexName":"customerId-createdAt-index","KeyConditionExpression":"customerId = :c","ExpressionAttributeValues":{":c":{"S":"c1"}}}`
	cases := []struct {
		name    string
		records int // stream records written before the restart; loading adds none
		prepare func(t *testing.T, dir string)
	}{
		{"binary snapshot and item log", 5, func(t *testing.T, dir string) {
			svc, _ := startService(t, Options{DataDir: dir, CompactAboveBytes: -1}, spec)
			for _, body := range []string{
				`{"TableName":"Orders","Item":{"id":{"S":"o1"},"customerId":{"S":"c1"},"createdAt":{"S":"t1"},"n":{"N":"1"}}}`,
				`{"TableName":"Orders","Item":{"id":{"S":"o2"},"customerId":{"S":"c1"},"createdAt":{"S":"t2"},"n":{"N":"1"}}}`,
				`{"TableName":"Orders","Item":{"id":{"S":"gone"},"customerId":{"S":"c1"},"createdAt":{"S":"t0"}}}`,
			} {
				if status, out := apiCall(t, svc, "PutItem", body); status != 200 {
					t.Fatalf("PutItem: %s", out["message"])
				}
			}
			if _, err := svc.Compact(); err != nil {
				t.Fatalf("Compact: %v", err)
			}
			for op, body := range map[string]string{
				"UpdateItem": `{"TableName":"Orders","Key":{"id":{"S":"o1"}},"UpdateExpression":"SET n = n + :one","ExpressionAttributeValues":{":one":{"N":"1"}}}`,
				"DeleteItem": `{"TableName":"Orders","Key":{"id":{"S":"gone"}}}`,
			} {
				if status, out := apiCall(t, svc, op, body); status != 200 {
					t.Fatalf("%s: %s", op, out["message"])
				}
			}
			if err := svc.Close(); err != nil {
				t.Fatal(err)
			}
		}},
		{"data of earlier versions", 0, func(t *testing.T, dir string) {
			data := filepath.Join(dir, "dynamodb")
			if err := os.MkdirAll(data, 0o755); err != nil {
				t.Fatal(err)
			}
			snapshot := `{"op":"PutItem","body":{"TableName":"Orders","Item":{"id":{"S":"o1"},"customerId":{"S":"c1"},"createdAt":{"S":"t1"},"n":{"N":"1"}}}}
{"op":"PutItem","body":{"TableName":"Orders","Item":{"id":{"S":"gone"},"customerId":{"S":"c1"},"createdAt":{"S":"t0"}}}}
`
			log := `{"op":"PutItem","body":{"TableName":"Orders","Item":{"id":{"S":"o2"},"customerId":{"S":"c1"},"createdAt":{"S":"t2"},"n":{"N":"1"}}}}
{"op":"UpdateItem","body":{"TableName":"Orders","Key":{"id":{"S":"o1"}},"UpdateExpression":"SET n = n + :one","ExpressionAttributeValues":{":one":{"N":"1"}}}}
{"op":"DeleteItem","body":{"TableName":"Orders","Key":{"id":{"S":"gone"}}}}
`
			if err := os.WriteFile(filepath.Join(data, jsonSnapshotName(1)), []byte(snapshot), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(data, walName(1)), []byte(log), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"snapshot written before items were packed", 0, func(t *testing.T, dir string) {
			data := filepath.Join(dir, "dynamodb")
			if err := os.MkdirAll(data, 0o755); err != nil {
				t.Fatal(err)
			}
			field := func(b []byte) []byte { return append(binary.AppendUvarint(nil, uint64(len(b))), b...) }
			snap := []byte(unpackedSnapshotMagic)
			snap = append(append(snap, 'T'), field([]byte("Orders"))...)
			snap = append(snap, 0) // no index names: the loader computes the index keys
			for _, item := range []string{
				`{"createdAt":{"S":"t1"},"customerId":{"S":"c1"},"id":{"S":"o1"},"n":{"N":"2"}}`,
				`{"createdAt":{"S":"t2"},"customerId":{"S":"c1"},"id":{"S":"o2"},"n":{"N":"1"}}`,
			} {
				snap = append(append(snap, 'I'), field([]byte("ignored"))...)
				snap = append(snap, field([]byte(item))...)
			}
			snap = append(snap, 'E')
			if err := os.WriteFile(filepath.Join(data, snapshotName(1)), snap, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			c.prepare(t, dir)
			svc, _ := startService(t, Options{DataDir: dir}, spec)
			status, out := apiCall(t, svc, "Query", byCustomer)
			if status != 200 {
				t.Fatalf("Query: %s", out["message"])
			}
			if got := string(out["Items"]); !strings.Contains(got, `"id":{"S":"o1"},"n":{"N":"2"}`) || !strings.Contains(got, `"o2"`) || strings.Contains(got, "gone") {
				t.Fatalf("index after restart: %s", got)
			}
			if rec := svc.Stream("Orders").Read("", 100); len(rec) != c.records {
				t.Fatalf("%d stream records after loading, want %d", len(rec), c.records)
			}
		})
	}
}

// BenchmarkRestart measures start-up on a snapshot of n order-like items (~350 bytes of DynamoDB
// JSON each, one index), the data of ~n/6 bookings; "+log" adds a write log at the compaction
// bound (1/compactLogFraction of the snapshot: compactDue) of PutItems rewriting those orders, as a kill -9
// just before a compaction leaves it.
func BenchmarkRestart(b *testing.B) {
	order := func(i int, status string, version int) rawItem {
		return rawItem{
			"id":         json.RawMessage(fmt.Sprintf(`{"S":"order-%012d"}`, i)),
			"customerId": json.RawMessage(fmt.Sprintf(`{"S":"customer-%06d"}`, i%5000)),
			"createdAt":  json.RawMessage(fmt.Sprintf(`{"S":"2026-11-30T06:%02d:%02d.%03dZ"}`, i/60000%60, i/1000%60, i%1000)),
			"status":     json.RawMessage(`{"S":"` + status + `"}`),
			"fare":       json.RawMessage(`{"N":"38000"}`),
			"pickup":     json.RawMessage(`{"M":{"lat":{"N":"37.5665"},"lng":{"N":"126.978"},"address":{"S":"Seoul City Hall, 110 Sejong-daero"}}}`),
			"note":       json.RawMessage(`{"S":"please call on arrival, the gate code is 1234"}`),
			"version":    json.RawMessage(fmt.Sprintf(`{"N":"%d"}`, version)),
		}
	}
	cases := []struct {
		n       int
		withLog bool
	}{{100_000, false}, {600_000, false}, {600_000, true}}
	for _, c := range cases {
		n := c.n
		name := strconv.Itoa(n)
		if c.withLog {
			name += "+log"
		}
		b.Run(name, func(b *testing.B) {
			dir := b.TempDir()
			spec := ordersSpec("Orders", "")
			svc, err := New(Options{DataDir: dir, Logger: quietLogger(), CompactAboveBytes: -1})
			if err != nil {
				b.Fatal(err)
			}
			if err := svc.CreateTables([]TableSpec{spec}); err != nil {
				b.Fatal(err)
			}
			st := svc.tables["Orders"].store
			for i := range n {
				raw, err := canonicalItem(order(i, "COMPLETED", 7))
				if err != nil {
					b.Fatal(err)
				}
				if err := st.load(raw); err != nil {
					b.Fatal(err)
				}
			}
			stats, err := svc.Compact()
			if err != nil {
				b.Fatal(err)
			}
			logged := 0
			for ; c.withLog && svc.wal.sizeNow() < stats.Bytes/compactLogFraction; logged++ {
				body, err := json.Marshal(map[string]any{"TableName": "Orders", "Item": order(logged*7%n, "PAID", 8)})
				if err != nil {
					b.Fatal(err)
				}
				if res := svc.dispatch("PutItem", body); !res.ok() {
					b.Fatalf("put: %s", res.body)
				}
			}
			logBytes := svc.wal.sizeNow()
			if err := svc.Close(); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				svc, err := New(Options{DataDir: dir, Logger: quietLogger(), CompactAboveBytes: -1})
				if err != nil {
					b.Fatal(err)
				}
				if err := svc.CreateTables([]TableSpec{spec}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if got := svc.tables["Orders"].store.count(); got != n {
					b.Fatalf("%d items loaded, want %d", got, n)
				}
				_ = svc.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(stats.Bytes)/(1<<20), "snapshot-MiB")
			b.ReportMetric(float64(logBytes)/(1<<20), "log-MiB")
			b.ReportMetric(float64(logged), "logged-items")
		})
	}
}
