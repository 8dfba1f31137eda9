package ddbemu

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
)

// A stored item's data is its key and packed bytes as a snapshot's item record holds them, with
// lengths of one uvarint byte and more.
func TestStoredItemKeyAndPacked(t *testing.T) {
	tests := []struct{ keyLen, packedLen int }{
		{0, 0}, {1, 0}, {21, 31}, {127, 127}, {128, 128}, {300, 5}, {3100, 70_000},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("key %d packed %d", tt.keyLen, tt.packedLen), func(t *testing.T) {
			key := strings.Repeat("k", tt.keyLen)
			packed := []byte(strings.Repeat("p", tt.packedLen))
			it := newStoredItem(key, packed)
			if it.key() != key || it.packed() != string(packed) {
				t.Fatalf("key %d bytes, packed %d bytes; want %d and %d", len(it.key()), len(it.packed()), tt.keyLen, tt.packedLen)
			}
			record := binary.AppendUvarint(nil, uint64(len(key)))
			record = append(record, key...)
			record = binary.AppendUvarint(record, uint64(len(packed)))
			record = append(record, packed...)
			if it.data != string(record) {
				t.Fatal("data differs from the snapshot's item record")
			}
		})
	}
}

// Keys longer than 127 bytes (two-byte length) are read, indexed, paged and snapshotted as others.
func TestLongKeysSurviveSnapshot(t *testing.T) {
	dir := t.TempDir()
	long := func(c string) string { return strings.Repeat(c, 1000) }
	items := []string{
		`{"id":{"S":"` + long("b") + `"},"customerId":{"S":"c1"},"createdAt":{"S":"t1"}}`,
		`{"id":{"S":"` + long("a") + `"},"customerId":{"S":"c1"},"createdAt":{"S":"t1"}}`,
		`{"id":{"S":"short"},"customerId":{"S":"c1"},"createdAt":{"S":"t1"}}`,
	}
	want := []string{long("a"), long("b"), "short"}
	check := func(svc *Service) {
		t.Helper()
		for _, limit := range []int{0, 1} {
			got := queryIDs(t, svc, "customerId = :c", map[string]string{":c": "c1"}, true, limit)
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("Limit %d: %d ids, want %d in primary key order", limit, len(got), len(want))
			}
		}
		status, out := apiCall(t, svc, "GetItem", `{"TableName":"Orders","Key":{"id":{"S":"`+long("a")+`"}}}`)
		if status != 200 || !strings.Contains(string(out["Item"]), long("a")) {
			t.Fatalf("GetItem: %d %s", status, out["message"])
		}
	}
	svc, _ := startService(t, Options{DataDir: dir, CompactAboveBytes: -1}, ordersSpec("Orders", ""))
	putItems(t, svc, "Orders", items)
	check(svc)
	if _, err := svc.Compact(); err != nil {
		t.Fatal(err)
	}
	if err := svc.Close(); err != nil {
		t.Fatal(err)
	}
	restarted, _ := startService(t, Options{DataDir: dir, CompactAboveBytes: -1}, ordersSpec("Orders", ""))
	check(restarted)
}
