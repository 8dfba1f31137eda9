package ddbemu

import (
	"encoding/json"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// BenchmarkStoreHeap reports the live heap an item costs in the store (packed bytes, its key, its
// index entries and tree nodes), the figure to watch when shrinking the store: an order-like item
// with a GSI entry, and an idempotency record with a TTL index entry. objects/item and gc-µs (one
// forced collection with the 100,000 items live) are what every garbage collection pays for the store.
func BenchmarkStoreHeap(b *testing.B) {
	cases := []struct {
		name  string
		table *tableState
		item  func(i int) rawItem
	}{
		{"orders", &tableState{hashKey: "id", indexes: []indexKeys{{name: "customerId-createdAt-index", attrs: []string{"customerId", "createdAt"}}}}, func(i int) rawItem {
			return rawItem{
				"id":         json.RawMessage(fmt.Sprintf(`{"S":"order-%012d"}`, i)),
				"customerId": json.RawMessage(fmt.Sprintf(`{"S":"customer-%06d"}`, i%5000)),
				"createdAt":  json.RawMessage(fmt.Sprintf(`{"S":"2026-11-30T06:%02d:%02d.%03dZ"}`, i/60000%60, i/1000%60, i%1000)),
				"status":     json.RawMessage(`{"S":"COMPLETED"}`),
				"fare":       json.RawMessage(`{"N":"38000"}`),
				"note":       json.RawMessage(`{"S":"please call on arrival, the gate code is 1234"}`),
			}
		}},
		{"idempotency", &tableState{hashKey: "key", ttlAttr: "expiresAt"}, func(i int) rawItem {
			return rawItem{
				"key":         json.RawMessage(fmt.Sprintf(`{"S":"create-order#customer-%06d#%012d"}`, i%5000, i)),
				"status":      json.RawMessage(`{"S":"DONE"}`),
				"fingerprint": json.RawMessage(fmt.Sprintf(`{"S":"%064x"}`, uint64(i)*0x9e3779b97f4a7c15)),
				"ref":         json.RawMessage(fmt.Sprintf(`{"S":"order-%012d"}`, i)),
				"lockedUntil": json.RawMessage(fmt.Sprintf(`{"N":"%d"}`, 1_764_482_400_000+int64(i)*10)),
				"expiresAt":   json.RawMessage(fmt.Sprintf(`{"N":"%d"}`, 1_764_568_800+i/100)),
			}
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			const n = 100_000
			for range b.N {
				runtime.GC()
				var before runtime.MemStats
				runtime.ReadMemStats(&before)
				st := newItemStore(c.table)
				for i := range n {
					raw, err := canonicalItem(c.item(i))
					if err != nil {
						b.Fatal(err)
					}
					if err := st.load(raw); err != nil {
						b.Fatal(err)
					}
				}
				gcStart := time.Now()
				runtime.GC() // marks every live object: what each collection costs with the store live
				gcTime := time.Since(gcStart)
				var after runtime.MemStats
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heap-B/item")
				b.ReportMetric(float64(after.HeapObjects-before.HeapObjects)/n, "objects/item")
				b.ReportMetric(float64(gcTime.Microseconds()), "gc-µs")
				packed, entries := 0, 0
				st.primary.Ascend(func(s itemSlot) bool { packed += len(st.arena.item(s.ref).packed()); return true })
				for _, idx := range st.indexes {
					entries += idx.tree.Len()
				}
				if entries < n {
					b.Fatalf("%d index entries for %d items, want one an item at least", entries, n)
				}
				b.ReportMetric(float64(packed)/n, "packed-B/item")
				runtime.KeepAlive(st)
			}
		})
	}
}
