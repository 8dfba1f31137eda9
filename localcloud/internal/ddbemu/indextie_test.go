package ddbemu

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

const byCustomerIndex = "customerId-createdAt-index"

// tieOrders are orders of customer c1 of which three share their index key (c1, t1): the index
// orders them by their primary key.
var tieOrders = []string{
	`{"id":{"S":"o2"},"customerId":{"S":"c1"},"createdAt":{"S":"t1"}}`,
	`{"id":{"S":"o9"},"customerId":{"S":"c1"},"createdAt":{"S":"t2"}}`,
	`{"id":{"S":"o3"},"customerId":{"S":"c1"},"createdAt":{"S":"t1"}}`,
	`{"id":{"S":"o0"},"customerId":{"S":"c1"},"createdAt":{"S":"t0"}}`,
	`{"id":{"S":"o1"},"customerId":{"S":"c1"},"createdAt":{"S":"t1"}}`,
	`{"id":{"S":"x1"},"customerId":{"S":"c2"},"createdAt":{"S":"t1"}}`,
}

func putItems(t *testing.T, svc *Service, table string, items []string) {
	t.Helper()
	for _, item := range items {
		if status, out := apiCall(t, svc, "PutItem", `{"TableName":"`+table+`","Item":`+item+`}`); status != 200 {
			t.Fatalf("PutItem %s: %s", item, out["message"])
		}
	}
}

// queryIDs pages through a Query of the customer index limit items at a time (0: no Limit), passing
// each LastEvaluatedKey on as the ExclusiveStartKey, and returns the ids in the order read.
func queryIDs(t *testing.T, svc *Service, cond string, values map[string]string, forward bool, limit int) []string {
	t.Helper()
	vals := map[string]any{}
	for k, v := range values {
		vals[k] = map[string]string{"S": v}
	}
	req := map[string]any{"TableName": "Orders", "IndexName": byCustomerIndex, "KeyConditionExpression": cond,
		"ExpressionAttributeValues": vals, "ScanIndexForward": forward}
	if limit > 0 {
		req["Limit"] = limit
	}
	return pageIDs(t, svc, "Query", req)
}

// pageIDs sends req (a Query or a Scan) page after page, passing each page's LastEvaluatedKey on as
// ExclusiveStartKey, and returns the items' ids in the order the pages hold them.
func pageIDs(t *testing.T, svc *Service, op string, req map[string]any) []string {
	t.Helper()
	var ids []string
	for page := 0; ; page++ {
		if page > 20 {
			t.Fatalf("%s: more than 20 pages: %v", op, ids)
		}
		body, _ := json.Marshal(req)
		status, out := apiCall(t, svc, op, string(body))
		if status != 200 {
			t.Fatalf("%s: %s", op, out["message"])
		}
		var items []map[string]map[string]string
		if err := json.Unmarshal(out["Items"], &items); err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			ids = append(ids, it["id"]["S"])
		}
		lek, ok := out["LastEvaluatedKey"]
		if !ok {
			return ids
		}
		req["ExclusiveStartKey"] = lek
	}
}

func TestIndexEntriesWithEqualIndexKeysOrderByPrimaryKey(t *testing.T) {
	all := []string{"o0", "o1", "o2", "o3", "o9"}
	tests := []struct {
		name      string
		writes    [][2]string // op, body
		unindexed int         // items the writes take out of the index
		cond      string
		values    map[string]string
		forward   bool
		want      []string
	}{
		{name: "forward", cond: "customerId = :c", values: map[string]string{":c": "c1"}, forward: true, want: all},
		{name: "backward", cond: "customerId = :c", values: map[string]string{":c": "c1"}, want: []string{"o9", "o3", "o2", "o1", "o0"}},
		{name: "sort key equal to the shared value", cond: "customerId = :c AND createdAt = :t", values: map[string]string{":c": "c1", ":t": "t1"}, forward: true,
			want: []string{"o1", "o2", "o3"}},
		{name: "sort key equal to the shared value, backward", cond: "customerId = :c AND createdAt = :t", values: map[string]string{":c": "c1", ":t": "t1"},
			want: []string{"o3", "o2", "o1"}},
		{name: "sort key above the shared value", cond: "customerId = :c AND createdAt > :t", values: map[string]string{":c": "c1", ":t": "t1"}, forward: true,
			want: []string{"o9"}},
		{name: "sort key up to the shared value, backward", cond: "customerId = :c AND createdAt <= :t", values: map[string]string{":c": "c1", ":t": "t1"},
			want: []string{"o3", "o2", "o1", "o0"}},
		{name: "one of them deleted", writes: [][2]string{{"DeleteItem", `{"TableName":"Orders","Key":{"id":{"S":"o2"}}}`}},
			cond: "customerId = :c", values: map[string]string{":c": "c1"}, forward: true, want: []string{"o0", "o1", "o3", "o9"}},
		{name: "one of them moved to another sort key", writes: [][2]string{{"UpdateItem",
			`{"TableName":"Orders","Key":{"id":{"S":"o1"}},"UpdateExpression":"SET createdAt = :t","ExpressionAttributeValues":{":t":{"S":"t2"}}}`}},
			cond: "customerId = :c", values: map[string]string{":c": "c1"}, forward: true, want: []string{"o0", "o2", "o3", "o1", "o9"}},
		{name: "one of them rewritten with the same index key", writes: [][2]string{{"PutItem",
			`{"TableName":"Orders","Item":{"id":{"S":"o2"},"customerId":{"S":"c1"},"createdAt":{"S":"t1"},"n":{"N":"1"}}}`}},
			cond: "customerId = :c", values: map[string]string{":c": "c1"}, forward: true, want: all},
		{name: "one of them leaves the index", writes: [][2]string{{"UpdateItem",
			`{"TableName":"Orders","Key":{"id":{"S":"o3"}},"UpdateExpression":"REMOVE createdAt"}`}},
			unindexed: 1, cond: "customerId = :c", values: map[string]string{":c": "c1"}, forward: true, want: []string{"o0", "o1", "o2", "o9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, _ := startService(t, Options{}, ordersSpec("Orders", ""))
			putItems(t, svc, "Orders", tieOrders)
			for _, w := range tt.writes {
				if status, out := apiCall(t, svc, w[0], w[1]); status != 200 {
					t.Fatalf("%s: %s", w[0], out["message"])
				}
			}
			for _, limit := range []int{0, 1, 2} {
				if got := queryIDs(t, svc, tt.cond, tt.values, tt.forward, limit); !slices.Equal(got, tt.want) {
					t.Errorf("Limit %d: %v, want %v", limit, got, tt.want)
				}
			}
			st := svc.tables["Orders"].store
			if n, want := st.index(byCustomerIndex).tree.Len(), st.count()-tt.unindexed; n != want {
				t.Errorf("%d index entries for %d items", n, want)
			}
		})
	}
}

// The TTL sweep pages through the TTL index ttlScanPage entries at a time; a page may end inside
// a run of equal TTL values.
func TestTTLSweepPagesAcrossEqualTTLValues(t *testing.T) {
	defer func(n int) { ttlScanPage = n }(ttlScanPage)
	now := time.Unix(1_700_000_000, 0)
	expiresAt := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	tests := []struct {
		page                 int
		early, equal, notYet int
	}{
		{page: 1, early: 2, equal: 5, notYet: 3},
		{page: 2, early: 1, equal: 5, notYet: 3},
		{page: 3, early: 0, equal: 6, notYet: 2},
		{page: 5, early: 0, equal: 5, notYet: 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("page %d", tt.page), func(t *testing.T) {
			ttlScanPage = tt.page
			svc, _ := startService(t, Options{Now: func() time.Time { return now }, TTLSweepInterval: time.Hour, TTLDeletionDelay: -1}, notificationsSpec())
			var items []string
			add := func(prefix string, n int, d time.Duration) {
				for i := range n {
					items = append(items, fmt.Sprintf(`{"id":{"S":"%s-%d"},"expiresAt":{"N":"%s"}}`, prefix, n-i, expiresAt(d)))
				}
			}
			add("early", tt.early, -time.Hour)
			add("equal", tt.equal, -time.Minute)
			add("notyet", tt.notYet, time.Hour)
			putItems(t, svc, "Notifications", items)
			st := svc.tables["Notifications"].store
			seen := map[string]bool{}
			for after, pages := (seekKey{}), 0; ; pages++ {
				if pages > len(items) {
					t.Fatal("expiring does not advance")
				}
				page := st.expiring(after, "\xff", tt.page)
				for _, e := range page {
					if seen[e.item.key()] {
						t.Fatalf("entry %q read twice", e.item.key())
					}
					seen[e.item.key()] = true
				}
				if len(page) < tt.page {
					break
				}
				after = seekKey{key: page[len(page)-1].key, item: page[len(page)-1].item.key()}
			}
			if len(seen) != len(items) {
				t.Fatalf("paged through %d entries of %d", len(seen), len(items))
			}
			if n := svc.SweepExpired(); n != tt.early+tt.equal {
				t.Fatalf("swept %d, want %d", n, tt.early+tt.equal)
			}
			if n := st.count(); n != tt.notYet {
				t.Fatalf("%d items left, want %d", n, tt.notYet)
			}
			if n := st.ttlIndex().tree.Len(); n != tt.notYet {
				t.Fatalf("%d TTL index entries left, want %d", n, tt.notYet)
			}
		})
	}
}

// Index entries survive a snapshot: written by this version, and by the version whose index keys
// ended with the item's primary key (DDBSNAP4).
func TestSnapshotIndexEntriesWithEqualIndexKeys(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, dir string)
	}{
		{"current format", func(t *testing.T, dir string) {
			svc, _ := startService(t, Options{DataDir: dir, CompactAboveBytes: -1}, ordersSpec("Orders", ""), notificationsSpec())
			putItems(t, svc, "Orders", tieOrders)
			putItems(t, svc, "Notifications", []string{
				`{"id":{"S":"n2"},"expiresAt":{"N":"100"}}`, `{"id":{"S":"n1"},"expiresAt":{"N":"100"}}`, `{"id":{"S":"n3"},"expiresAt":{"N":"99"}}`,
			})
			if _, err := svc.Compact(); err != nil {
				t.Fatal(err)
			}
			if err := svc.Close(); err != nil {
				t.Fatal(err)
			}
		}},
		{"index keys followed by the primary key (DDBSNAP4)", func(t *testing.T, dir string) {
			if err := os.MkdirAll(filepath.Join(dir, "dynamodb"), 0o755); err != nil {
				t.Fatal(err)
			}
			svc, _ := startService(t, Options{}, ordersSpec("Orders", ""), notificationsSpec())
			putItems(t, svc, "Orders", tieOrders)
			putItems(t, svc, "Notifications", []string{
				`{"id":{"S":"n2"},"expiresAt":{"N":"100"}}`, `{"id":{"S":"n1"},"expiresAt":{"N":"100"}}`, `{"id":{"S":"n3"},"expiresAt":{"N":"99"}}`,
			})
			snap := []byte(fullKeySnapshotMagic)
			field := func(b string) { snap = append(binary.AppendUvarint(snap, uint64(len(b))), b...) }
			number := func(n int) { snap = binary.AppendUvarint(snap, uint64(n)) }
			for _, name := range svc.tableNamesLocked() {
				st := svc.tables[name].store
				snap = append(snap, 'T')
				field(name)
				number(len(st.indexes))
				for _, idx := range st.indexes {
					field(idx.name)
				}
				snap = append(snap, 'D')
				field(string(st.packer.dict))
				ordinals := map[string]int{}
				st.primary.Ascend(func(s itemSlot) bool {
					it := st.arena.item(s.ref)
					snap = append(snap, 'I')
					field(it.key())
					field(it.packed())
					ordinals[it.key()] = len(ordinals)
					return true
				})
				for i, idx := range st.indexes {
					idx.tree.Ascend(func(e indexEntry) bool {
						r := st.arena.resolve(e)
						snap = append(snap, 'X')
						number(i)
						field(r.key + r.item.key())
						number(ordinals[r.item.key()])
						return true
					})
				}
			}
			snap = append(snap, 'E')
			if err := os.WriteFile(filepath.Join(dir, "dynamodb", snapshotName(1)), snap, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.prepare(t, dir)
			svc, _ := startService(t, Options{DataDir: dir, CompactAboveBytes: -1, Now: func() time.Time { return time.Unix(1000, 0) },
				TTLSweepInterval: time.Hour, TTLDeletionDelay: -1}, ordersSpec("Orders", ""), notificationsSpec())
			if got, want := queryIDs(t, svc, "customerId = :c", map[string]string{":c": "c1"}, true, 1), []string{"o0", "o1", "o2", "o3", "o9"}; !slices.Equal(got, want) {
				t.Errorf("forward: %v, want %v", got, want)
			}
			if got, want := queryIDs(t, svc, "customerId = :c AND createdAt = :t", map[string]string{":c": "c1", ":t": "t1"}, false, 1), []string{"o3", "o2", "o1"}; !slices.Equal(got, want) {
				t.Errorf("backward: %v, want %v", got, want)
			}
			if status, out := apiCall(t, svc, "DeleteItem", `{"TableName":"Orders","Key":{"id":{"S":"o2"}}}`); status != 200 {
				t.Fatalf("DeleteItem: %s", out["message"])
			}
			if got, want := queryIDs(t, svc, "customerId = :c AND createdAt = :t", map[string]string{":c": "c1", ":t": "t1"}, true, 1), []string{"o1", "o3"}; !slices.Equal(got, want) {
				t.Errorf("after deleting o2: %v, want %v", got, want)
			}
			var ttlOrder []string
			notifications := svc.tables["Notifications"].store
			notifications.ttlIndex().tree.Ascend(func(e indexEntry) bool {
				ttlOrder = append(ttlOrder, notifications.arena.resolve(e).item.key())
				return true
			})
			if len(ttlOrder) != 3 {
				t.Fatalf("%d TTL index entries, want 3", len(ttlOrder))
			}
			defer func(n int) { ttlScanPage = n }(ttlScanPage)
			ttlScanPage = 1
			if n := svc.SweepExpired(); n != 3 {
				t.Fatalf("swept %d, want 3", n)
			}
		})
	}
}

// A Scan of an index pages through entries with equal index keys as a Query does.
func TestIndexScanPagesAcrossEqualIndexKeys(t *testing.T) {
	svc, _ := startService(t, Options{}, ordersSpec("Orders", ""))
	putItems(t, svc, "Orders", tieOrders)
	want := []string{"o0", "o1", "o2", "o3", "o9", "x1"}
	for _, limit := range []int{0, 1, 2} {
		req := map[string]any{"TableName": "Orders", "IndexName": byCustomerIndex}
		if limit > 0 {
			req["Limit"] = limit
		}
		ids := pageIDs(t, svc, "Scan", req)
		if !slices.Equal(ids, want) {
			t.Errorf("Limit %d: %v, want %v", limit, ids, want)
		}
	}
}
