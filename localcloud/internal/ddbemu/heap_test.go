package ddbemu

import (
	"encoding/json"
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkStoreHeap reports the live heap an order-like item costs in the store (packed bytes,
// its key, its index entries and tree nodes), the figure to watch when shrinking the store.
func BenchmarkStoreHeap(b *testing.B) {
	const n = 100_000
	for range b.N {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		st := newItemStore(&tableState{hashKey: "id", indexes: []indexKeys{{name: "customerId-createdAt-index", attrs: []string{"customerId", "createdAt"}}}})
		for i := range n {
			raw, err := canonicalItem(rawItem{
				"id":         json.RawMessage(fmt.Sprintf(`{"S":"order-%012d"}`, i)),
				"customerId": json.RawMessage(fmt.Sprintf(`{"S":"customer-%06d"}`, i%5000)),
				"createdAt":  json.RawMessage(fmt.Sprintf(`{"S":"2026-11-30T06:%02d:%02d.%03dZ"}`, i/60000%60, i/1000%60, i%1000)),
				"status":     json.RawMessage(`{"S":"COMPLETED"}`),
				"fare":       json.RawMessage(`{"N":"38000"}`),
				"note":       json.RawMessage(`{"S":"please call on arrival, the gate code is 1234"}`),
			})
			if err != nil {
				b.Fatal(err)
			}
			if err := st.load(raw); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heap-B/item")
		packed := 0
		st.primary.Ascend(func(it *storedItem) bool { packed += len(it.packed); return true })
		b.ReportMetric(float64(packed)/n, "packed-B/item")
		runtime.KeepAlive(st)
	}
}
