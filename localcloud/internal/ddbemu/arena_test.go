package ddbemu

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestArenaRecords(t *testing.T) {
	a := newItemArena()
	small := newStoredItem("k1", []byte("packed"))
	large := newStoredItem("k2", []byte(strings.Repeat("x", arenaChunkSize*3/4)))
	huge := newStoredItem("k3", []byte(strings.Repeat("y", arenaChunkSize+1)))
	refs := []arenaRef{a.add(small.data), a.addField("an index key"), a.add(large.data), a.add(large.data), a.add(huge.data), a.addField(strings.Repeat("k", 100))}
	if got := a.item(refs[0]); got.key() != "k1" || got.packed() != "packed" {
		t.Errorf("small item = %q/%q", got.key(), got.packed())
	}
	if got := a.field(refs[1]); got != "an index key" || a.fieldLen(refs[1]) != 1+len(got) {
		t.Errorf("field = %q (record %d bytes)", got, a.fieldLen(refs[1]))
	}
	for _, i := range []int{2, 3} {
		if got := a.item(refs[i]); got.data != large.data {
			t.Errorf("large item %d: %d bytes, want %d", i, len(got.data), len(large.data))
		}
	}
	if got := a.item(refs[4]); got.data != huge.data {
		t.Errorf("huge item: %d bytes, want %d", len(got.data), len(huge.data))
	}
	chunk := func(r arenaRef) arenaRef { return r >> arenaOffsetBits }
	if chunk(refs[2]) != chunk(refs[0]) || chunk(refs[3]) == chunk(refs[2]) {
		t.Errorf("chunks %d %d %d: a record goes where it fits, else into a new chunk", chunk(refs[0]), chunk(refs[2]), chunk(refs[3]))
	}
	if chunks := *a.chunks.Load(); len(chunks[chunk(refs[4])]) != len(huge.data) || chunk(refs[5]) == chunk(refs[4]) {
		t.Errorf("a record over a chunk gets a chunk of its own, exactly its size (%d bytes)", len(chunks[chunk(refs[4])]))
	}
	longKey := strings.Repeat("p", 200) // a two-byte length
	if got := a.item(a.addItem(longKey, []byte("packed"))); got.data != newStoredItem(longKey, []byte("packed")).data {
		t.Errorf("addItem wrote %q, want newStoredItem's layout", got.data)
	}
	if got := a.field(refs[5]); got != strings.Repeat("k", 100) {
		t.Errorf("long field = %q", got)
	}
	if want := len(small.data) + 13 + 2*len(large.data) + len(huge.data) + 101 + len(newStoredItem(longKey, []byte("packed")).data); a.live != want || a.dead != 0 {
		t.Errorf("live %d dead %d, want %d and 0", a.live, a.dead, want)
	}

	file := []byte("header" + small.data + "trailer")
	base := a.adopt(file)
	adopted := a.adopted(base, len("header"), len(small.data))
	if got := a.item(adopted); got.data != small.data {
		t.Errorf("adopted item = %q", got.data)
	}
	if next := a.addField("after"); next>>arenaOffsetBits == base>>arenaOffsetBits {
		t.Error("a record was written into an adopted chunk")
	}
}

// A store whose items are rewritten again and again copies its live records to a new arena once a
// quarter of the old one is dead; reads, indexes, a clone taken before, and a restart from a
// snapshot all see the items as they were written.
func TestStoreRepacksDeadRecords(t *testing.T) {
	defer func(n int) { repackAboveDeadBytes = n }(repackAboveDeadBytes)
	repackAboveDeadBytes = 0
	dir := t.TempDir()
	opts := Options{DataDir: dir, CompactAboveBytes: -1, Now: func() time.Time { return time.Unix(1000, 0) }}
	svc, _ := startService(t, opts, ordersSpec("Orders", ""))
	put := func(id, customer, status string) {
		t.Helper()
		body := fmt.Sprintf(`{"TableName":"Orders","Item":{"id":{"S":%q},"customerId":{"S":%q},"createdAt":{"S":"t-%s"},"status":{"S":%q}}}`, id, customer, id, status)
		if code, out := apiCall(t, svc, "PutItem", body); code != 200 {
			t.Fatalf("PutItem: %s", out["message"])
		}
	}
	for i := range 20 {
		put(fmt.Sprintf("o%02d", i), "c1", "NEW")
	}
	st := svc.tables["Orders"].store
	before, arena := st.cloneAll(), st.arena
	for round := range 3 {
		for i := range 20 {
			customer := "c1"
			if i%2 == 1 {
				customer = "c2" // leaves c1's index entries
			}
			put(fmt.Sprintf("o%02d", i), customer, fmt.Sprintf("round-%d", round))
		}
	}
	if st.arena == arena {
		t.Fatal("the arena was not repacked")
	}
	if st.arena.dead > st.arena.live/4 {
		t.Errorf("after repacking: %d bytes dead of %d live", st.arena.dead, st.arena.live)
	}
	var evens, odds []string
	for i := range 20 {
		id := fmt.Sprintf("o%02d", i)
		if i%2 == 0 {
			evens = append(evens, id)
		} else {
			odds = append(odds, id)
		}
	}
	check := func(t *testing.T, svc *Service) {
		t.Helper()
		if got := queryIDs(t, svc, "customerId = :c", map[string]string{":c": "c1"}, true, 3); !slices.Equal(got, evens) {
			t.Errorf("c1's orders %v, want %v", got, evens)
		}
		if got := queryIDs(t, svc, "customerId = :c", map[string]string{":c": "c2"}, false, 0); !slices.Equal(got, reversed(odds)) {
			t.Errorf("c2's orders newest first %v, want %v", got, reversed(odds))
		}
		_, out := apiCall(t, svc, "GetItem", `{"TableName":"Orders","Key":{"id":{"S":"o07"}}}`)
		if !strings.Contains(string(out["Item"]), `"round-2"`) {
			t.Errorf("o07 = %s, want the last round's", out["Item"])
		}
	}
	check(t, svc)

	var old []string
	before.ascend(func(it *storedItem) bool {
		raw, err := st.packer.unpack(it.packed())
		if err != nil {
			t.Fatal(err)
		}
		old = append(old, string(raw))
		return true
	})
	if len(old) != 20 || !strings.Contains(old[7], `"NEW"`) {
		t.Fatalf("the clone taken before reads %d items, o07 = %s; want 20 as first written", len(old), old[7])
	}

	if _, err := svc.Compact(); err != nil {
		t.Fatal(err)
	}
	_ = svc.Close()
	restarted, _ := startService(t, opts, ordersSpec("Orders", ""))
	check(t, restarted)
	svc = restarted // items loaded from the snapshot live in its buffer; a write after goes to a chunk of its own
	put("o00", "c3", "after restart")
	if got := queryIDs(t, restarted, "customerId = :c", map[string]string{":c": "c3"}, true, 0); !slices.Equal(got, []string{"o00"}) {
		t.Errorf("c3's orders %v, want [o00]", got)
	}
	if got := queryIDs(t, restarted, "customerId = :c", map[string]string{":c": "c1"}, true, 0); !slices.Equal(got, evens[1:]) {
		t.Errorf("c1's orders after the write %v, want %v", got, evens[1:])
	}
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

// The trees' node arrays are skipped by the garbage collector only while their elements hold no
// pointer: a probe's key waits in probes instead.
func TestTreeElementsHoldNoPointers(t *testing.T) {
	for _, v := range []any{itemSlot{}, indexEntry{}} {
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			if k := typ.Field(i).Type.Kind(); k != reflect.Uint64 {
				t.Errorf("%s.%s is a %s, want plain offsets", typ.Name(), typ.Field(i).Name, k)
			}
		}
	}
}

func TestProbeTableLendsEachKeyOnce(t *testing.T) {
	p := newProbeTable(2)
	a, b := p.lend(seekKey{key: "a"}), p.lend(seekKey{key: "b", item: "i"})
	if a == b || p.key(a).key != "a" || *p.key(b) != (seekKey{key: "b", item: "i"}) {
		t.Fatalf("lent %x %x: %+v %+v", a, b, p.key(a), p.key(b))
	}
	third := make(chan arenaRef)
	go func() { third <- p.lend(seekKey{key: "c"}) }()
	select {
	case ref := <-third:
		t.Fatalf("a third key was lent (%x) while both were out", ref)
	default:
	}
	p.give(a)
	if c := <-third; c != a || p.key(c).key != "c" {
		t.Fatalf("after giving one back: %x holds %+v, want %x holding c", c, p.key(c), a)
	}
}
