package ddbemu

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/google/btree"
)

// itemStore holds a table's items. Each item is kept once, as immutable canonical DynamoDB JSON
// (decoded per request), packed, in the store's arena (arena.go), and a B-tree orders the items by
// their encoded primary key (keyenc.go): a partition's items are contiguous and in sort-key order,
// so a Query reads only its partition and an ExclusiveStartKey is a seek. Each global secondary
// index is a B-tree of references to the same stored items, ordered by index key and then table
// key, holding only the items that have the index's key attributes (sparse indexes,
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-indexes-general-sparse-indexes.html).
// Tree elements hold arena offsets, no pointers (but a seek's probe), so the collector does not
// visit items.
//
// Writers are serialised by the table's writeMu and take mu only to swap items in; readers take mu
// shared. A snapshot (clone) is O(1): the trees copy their nodes on write, the arena only grows.
type itemStore struct {
	hashKey, rangeKey string

	mu      sync.RWMutex
	arena   *itemArena
	primary *btree.BTreeG[itemSlot]
	indexes []*indexStore // as tableState.indexes, by name, then the TTL index if any
	packer  *itemPacker   // nil until the first item (itempack.go)
}

// storedItem is a view of one item: its encoded primary key and its DynamoDB JSON, packed
// (itempack.go), in one string laid out as a snapshot's item record holds them (snapshot.go):
// uvarint length + key, uvarint length + packed item. The trees hold the record in the arena; a
// storedItem is a request's handle on it (or a new item on its way in). Never modified.
type storedItem struct {
	data string
}

// itemSlot is an element of the primary tree: the item record at ref, or (a probe, keySlot) a
// primary key to seek to.
type itemSlot struct {
	ref arenaRef
}

func (a *itemArena) slotKey(s itemSlot) string {
	if s.ref&probeBit != 0 {
		return probes.key(s.ref).key
	}
	return a.field(s.ref) // the record's first field
}

func (a *itemArena) primaryLess(x, y itemSlot) bool { return a.slotKey(x) < a.slotKey(y) }

// keySlot is a probe for the primary key key; release it after the tree operation.
func keySlot(key string) itemSlot { return itemSlot{ref: probes.lend(seekKey{key: key})} }

func (s itemSlot) release() { probes.give(s.ref) }

func newStoredItem(key string, packed []byte) *storedItem {
	var keyLen, packedLen [binary.MaxVarintLen64]byte
	k := binary.PutUvarint(keyLen[:], uint64(len(key)))
	p := binary.PutUvarint(packedLen[:], uint64(len(packed)))
	var b strings.Builder
	b.Grow(k + len(key) + p + len(packed)) // exactly: the one allocation
	b.Write(keyLen[:k])
	b.WriteString(key)
	b.Write(packedLen[:p])
	b.Write(packed)
	return &storedItem{data: b.String()}
}

func (it *storedItem) key() string {
	if n := int(it.data[0]); n < 0x80 {
		return it.data[1 : 1+n]
	}
	key, _ := cutField(it.data)
	return key
}

func (it *storedItem) packed() string {
	_, rest := cutField(it.data)
	packed, _ := cutField(rest)
	return packed
}

// cutField cuts a uvarint length and that many bytes off s, which holds them.
func cutField(s string) (field, rest string) {
	n, shift, i := 0, 0, 0
	for ; s[i] >= 0x80; i++ {
		n |= int(s[i]&0x7f) << shift
		shift += 7
	}
	n |= int(s[i]) << shift
	i++
	return s[i : i+n], s[i+n:]
}

// indexEntry is an item in an index: the arena records of its index key (index hash, then index
// range if any) and of the item, or (a probe, indexProbe: key has probeBit) a position to seek to.
// Entries order by key, then by the item's primary key; the key does not repeat the primary key
// (it would be a second copy of it per index).
type indexEntry struct {
	key, item arenaRef
}

func (a *itemArena) entryKey(e indexEntry) string {
	if e.key&probeBit != 0 {
		return probes.key(e.key).key
	}
	return a.field(e.key)
}

func (a *itemArena) entryItemKey(e indexEntry) string {
	if e.key&probeBit != 0 {
		return probes.key(e.key).item
	}
	return a.field(e.item)
}

func (a *itemArena) indexLess(x, y indexEntry) bool {
	if c := strings.Compare(a.entryKey(x), a.entryKey(y)); c != 0 {
		return c < 0
	}
	return a.entryItemKey(x) < a.entryItemKey(y)
}

// indexProbe is the position of an index key and the primary key item ("" = before every item with
// that index key), for seeks; release it after the tree operation.
func indexProbe(key, item string) indexEntry {
	return indexEntry{key: probes.lend(seekKey{key: key, item: item})}
}

func (e indexEntry) release() { probes.give(e.key) }

// indexedItem is an index entry resolved: its index key and a view of its item.
type indexedItem struct {
	key  string
	item *storedItem
}

func (a *itemArena) resolve(e indexEntry) indexedItem {
	return indexedItem{key: a.field(e.key), item: a.item(e.item)}
}

type indexStore struct {
	name       string
	attrs      []string // hash, then range if any
	projection string   // ALL (default), KEYS_ONLY or INCLUDE
	include    []string // INCLUDE: the non-key attributes projected
	tree       *btree.BTreeG[indexEntry]
	ttl        bool // the TTL index: items by their TTL attribute, Numbers only; not queryable
}

// ttlIndexPrefix names the TTL index among a store's indexes (no GSI name can contain a colon).
const ttlIndexPrefix = "ttl:"

func newIndexStore(name string, attrs []string, arena *itemArena) *indexStore {
	return &indexStore{name: name, attrs: attrs, tree: btree.NewG(btreeDegree, arena.indexLess)}
}

const btreeDegree = 32

func newItemStore(t *tableState) *itemStore {
	arena := newItemArena()
	st := &itemStore{
		hashKey: t.hashKey, rangeKey: t.rangeKey,
		arena:   arena,
		primary: btree.NewG(btreeDegree, arena.primaryLess),
	}
	for _, idx := range t.indexes {
		gsi := newIndexStore(idx.name, idx.attrs, arena)
		gsi.projection, gsi.include = idx.projection, idx.include
		st.indexes = append(st.indexes, gsi)
	}
	st.setTTL(t.ttlAttr)
	return st
}

// setTTL indexes the items by their TTL attribute ("" = none), so the TTL sweep reads only expired
// items. Callers exclude every reader and writer of the table (s.mu held exclusively), or own the
// store alone.
func (st *itemStore) setTTL(attr string) {
	for _, idx := range st.indexes {
		if idx.ttl {
			idx.tree.Ascend(func(e indexEntry) bool {
				st.arena.release(st.arena.fieldLen(e.key))
				return true
			})
		}
	}
	st.indexes = slices.DeleteFunc(st.indexes, func(idx *indexStore) bool { return idx.ttl })
	if attr == "" {
		return
	}
	idx := newIndexStore(ttlIndexPrefix+attr, []string{attr}, st.arena)
	idx.ttl = true
	st.primary.Ascend(func(s itemSlot) bool {
		if attrs, err := st.itemAttrs(st.arena.item(s.ref)); err == nil {
			if k := idx.indexKey(attrs); k != "" {
				idx.tree.ReplaceOrInsert(indexEntry{key: st.arena.addField(k), item: s.ref})
			}
		}
		return true
	})
	st.indexes = append(st.indexes, idx)
}

func (st *itemStore) ttlIndex() *indexStore {
	for _, idx := range st.indexes {
		if idx.ttl {
			return idx
		}
	}
	return nil
}

// expiring returns up to limit entries of the TTL index after the entry of TTL value (encoded)
// after.key and primary key after.item (zero: from the first) whose TTL value is at most upTo
// (encoded).
func (st *itemStore) expiring(after seekKey, upTo string, limit int) []indexedItem {
	st.mu.RLock()
	defer st.mu.RUnlock()
	idx := st.ttlIndex()
	if idx == nil {
		return nil
	}
	var out []indexedItem
	from := indexProbe(after.key, after.item)
	defer from.release()
	idx.tree.AscendGreaterOrEqual(from, func(e indexEntry) bool {
		r := st.arena.resolve(e)
		if r.key == after.key && r.item.key() == after.item {
			return true
		}
		if r.key > upTo {
			return false
		}
		out = append(out, r)
		return len(out) < limit
	})
	return out
}

func (st *itemStore) keyAttrs() []string {
	if st.rangeKey == "" {
		return []string{st.hashKey}
	}
	return []string{st.hashKey, st.rangeKey}
}

// primaryKey encodes an item's (or a Key's) primary key.
func (st *itemStore) primaryKey(attrs rawItem) (string, error) {
	return encodeKeyOf(attrs, st.keyAttrs())
}

func encodeKeyOf(attrs rawItem, names []string) (string, error) {
	var buf []byte
	for _, name := range names {
		v, ok := attrs[name]
		if !ok {
			return "", fmt.Errorf("%w: missing %s", errNotAKey, name)
		}
		var err error
		if buf, err = encodeKeyValue(buf, v); err != nil {
			return "", err
		}
	}
	return string(buf), nil
}

// indexKey is the item's key in the index, "" when the item lacks (or has a non-key type for)
// one of the index's key attributes and so is not in the index.
func (idx *indexStore) indexKey(attrs rawItem) string {
	k, err := encodeKeyOf(attrs, idx.attrs)
	if err != nil || idx.ttl && k[0] == keyTagBytes { // TTL applies to Number attributes only
		return ""
	}
	return k
}

func (st *itemStore) get(key string) *storedItem {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.getLocked(key)
}

// getLocked is get for the table's writer, which is the only one to modify the store.
func (st *itemStore) getLocked(key string) *storedItem {
	probe := keySlot(key)
	s, ok := st.primary.Get(probe)
	probe.release()
	if !ok {
		return nil
	}
	return st.arena.item(s.ref)
}

// storeChange replaces the item at key: old is what is there (nil: nothing), next what
// replaces it (nil: delete); oldAttrs and nextAttrs are their decoded attributes, for the indexes.
type storeChange struct {
	key                 string
	old                 *storedItem
	next                []byte // the item packed (nil: delete)
	oldAttrs, nextAttrs rawItem
}

// apply makes the changes visible to readers at once. Callers are the table's writer.
func (st *itemStore) apply(changes []storeChange) {
	st.mu.Lock()
	for _, c := range changes {
		st.applyLocked(c)
	}
	wasteful := st.arena.wasteful()
	st.mu.Unlock()
	if wasteful {
		st.repack()
	}
}

func (st *itemStore) applyLocked(c storeChange) {
	a := st.arena
	var nextRef arenaRef
	if c.next != nil {
		nextRef = a.addItem(c.key, c.next)
		if prev, ok := st.primary.ReplaceOrInsert(itemSlot{ref: nextRef}); ok {
			a.release(len(a.item(prev.ref).data))
		}
	} else if c.old != nil {
		probe := keySlot(c.key)
		prev, ok := st.primary.Delete(probe)
		probe.release()
		if ok {
			a.release(len(a.item(prev.ref).data))
		}
	}
	for _, idx := range st.indexes {
		oldKey, nextKey := "", ""
		if c.old != nil {
			oldKey = idx.indexKey(c.oldAttrs)
		}
		if c.next != nil {
			nextKey = idx.indexKey(c.nextAttrs)
		}
		var keyRef arenaRef
		kept := false
		if oldKey != "" {
			probe := indexProbe(oldKey, c.key)
			if oldKey != nextKey {
				if prev, ok := idx.tree.Delete(probe); ok {
					a.release(a.fieldLen(prev.key))
				}
			} else if prev, ok := idx.tree.Get(probe); ok {
				keyRef, kept = prev.key, true // the same index key: its record serves the new item too
			}
			probe.release()
		}
		if nextKey != "" {
			if !kept {
				keyRef = a.addField(nextKey)
			}
			idx.tree.ReplaceOrInsert(indexEntry{key: keyRef, item: nextRef})
		}
	}
}

// repack copies the live records to a new arena and rebuilds the trees over it, so the dead ones
// are freed (with the old arena, once no clone or view refers to it). Readers go on with the old
// trees until the swap. Callers are the table's writer.
func (st *itemStore) repack() {
	old := st.cloneAll()
	fresh := newItemArena()
	primary := btree.NewG(btreeDegree, fresh.primaryLess)
	moved := make(map[arenaRef]arenaRef, old.items.Len())
	old.items.Ascend(func(s itemSlot) bool {
		ref := fresh.add(old.arena.item(s.ref).data)
		moved[s.ref] = ref
		primary.ReplaceOrInsert(itemSlot{ref: ref})
		return true
	})
	trees := make([]*btree.BTreeG[indexEntry], len(old.indexes))
	for i, idx := range old.indexes {
		trees[i] = btree.NewG(btreeDegree, fresh.indexLess)
		idx.Ascend(func(e indexEntry) bool {
			trees[i].ReplaceOrInsert(indexEntry{key: fresh.addField(old.arena.field(e.key)), item: moved[e.item]})
			return true
		})
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.arena, st.primary = fresh, primary
	for i, idx := range st.indexes {
		idx.tree = trees[i]
	}
}

// load puts an item during start-up (no readers yet, replay order = write order).
func (st *itemStore) load(raw []byte) error {
	return st.loadItem(raw, nil)
}

// loadPacked is load for an item logged packed with the dictionary whose CRC-32 is dict.
func (st *itemStore) loadPacked(packed []byte, dict uint32) error {
	if st.packer == nil || st.packer.dictCRC != dict {
		return fmt.Errorf("packed item in the log: the table's packer has not the dictionary %08x", dict)
	}
	raw, err := st.packer.unpackBytes(packed)
	if err != nil {
		return err
	}
	return st.loadItem(raw, packed)
}

// loadItem puts raw, stored as packed (nil: packed now).
func (st *itemStore) loadItem(raw, packed []byte) error {
	attrs, err := decodeAttrs(raw)
	if err != nil {
		return err
	}
	key, err := st.primaryKey(attrs)
	if err != nil {
		return err
	}
	prev := st.getLocked(key)
	var prevAttrs rawItem
	if prev != nil {
		if prevAttrs, err = st.itemAttrs(prev); err != nil {
			return err
		}
	}
	if packed == nil {
		if packed, err = st.pack(raw); err != nil {
			return err
		}
	}
	st.applyLocked(storeChange{key: key, old: prev, next: packed, oldAttrs: prevAttrs, nextAttrs: attrs})
	return nil
}

// remove deletes an item during start-up.
func (st *itemStore) remove(key rawItem) error {
	k, err := st.primaryKey(key)
	if err != nil {
		return err
	}
	prev := st.getLocked(k)
	if prev == nil {
		return nil
	}
	prevAttrs, err := st.itemAttrs(prev)
	if err != nil {
		return err
	}
	st.applyLocked(storeChange{key: k, old: prev, oldAttrs: prevAttrs})
	return nil
}

// storeClone is a consistent, immutable view of a store: its items and every index (in the order
// of itemStore.indexes) at one instant, the arena their records are in and the packer that unpacks
// them.
type storeClone struct {
	arena   *itemArena
	items   *btree.BTreeG[itemSlot]
	indexes []*btree.BTreeG[indexEntry]
	packer  *itemPacker
}

// ascend calls fn with a view of each item in primary key order until it returns false.
func (c storeClone) ascend(fn func(*storedItem) bool) {
	c.items.Ascend(func(s itemSlot) bool { return fn(c.arena.item(s.ref)) })
}

// cloneAll takes a storeClone in O(1), for a long scan or a snapshot.
func (st *itemStore) cloneAll() storeClone {
	st.mu.Lock() // Clone writes the trees' copy-on-write marks
	defer st.mu.Unlock()
	indexes := make([]*btree.BTreeG[indexEntry], len(st.indexes))
	for i, idx := range st.indexes {
		indexes[i] = idx.tree.Clone()
	}
	return storeClone{arena: st.arena, items: st.primary.Clone(), indexes: indexes, packer: st.packer}
}

// page returns up to limit items after the primary key startAfter ("" = from the first).
func (st *itemStore) page(startAfter string, limit int) []*storedItem {
	st.mu.RLock()
	defer st.mu.RUnlock()
	var out []*storedItem
	from := keySlot(startAfter)
	defer from.release()
	st.primary.AscendGreaterOrEqual(from, func(s itemSlot) bool {
		it := st.arena.item(s.ref)
		if it.key() == startAfter {
			return true
		}
		out = append(out, it)
		return len(out) < limit
	})
	return out
}

func (st *itemStore) count() int {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.primary.Len()
}

// index returns the global secondary index name, nil if there is none.
func (st *itemStore) index(name string) *indexStore {
	for _, idx := range st.indexes {
		if idx.name == name && !idx.ttl {
			return idx
		}
	}
	return nil
}

func decodeAttrs(raw []byte) (rawItem, error) {
	if attrs, ok := splitCanonical(raw); ok {
		return attrs, nil
	}
	var attrs rawItem
	if err := json.Unmarshal(raw, &attrs); err != nil {
		return nil, fmt.Errorf("decode item: %w", err)
	}
	return attrs, nil
}

// splitCanonical splits a stored item's canonical JSON (canonicalItem: no spaces) into its
// attributes, each value a slice of raw, several times faster than encoding/json (replay decodes
// every logged item). ok is false for anything else (spaces, escaped names, malformed input),
// which is left to encoding/json.
func splitCanonical(raw []byte) (attrs rawItem, ok bool) {
	n := len(raw)
	if n < 2 || raw[0] != '{' || raw[n-1] != '}' {
		return nil, false
	}
	attrs = make(rawItem, 16)
	i := 1
	if raw[i] == '}' {
		return attrs, i == n-1
	}
	for {
		if raw[i] != '"' {
			return nil, false
		}
		end := i + 1
		for end < n && raw[end] != '"' {
			if raw[end] == '\\' || raw[end] < 0x20 {
				return nil, false
			}
			end++
		}
		if end+2 >= n || raw[end+1] != ':' {
			return nil, false
		}
		name := string(raw[i+1 : end])
		start := end + 2
		if raw[start] != '{' {
			return nil, false
		}
		j, depth, inString := start, 0, false
		for ; j < n; j++ {
			c := raw[j]
			switch {
			case inString:
				if c == '\\' {
					j++
				} else if c == '"' {
					inString = false
				}
			case c == '"':
				inString = true
			case c == '{' || c == '[':
				depth++
			case c == '}' || c == ']':
				depth--
			}
			if depth == 0 {
				break
			}
		}
		if j >= n-1 {
			return nil, false
		}
		if _, dup := attrs[name]; dup {
			return nil, false
		}
		attrs[name] = json.RawMessage(raw[start : j+1 : j+1])
		switch raw[j+1] {
		case ',':
			i = j + 2
			if i >= n {
				return nil, false
			}
		case '}':
			return attrs, j+1 == n-1
		default:
			return nil, false
		}
	}
}

// canonicalItem renders an item as compact DynamoDB JSON with attribute and map keys sorted, so
// equal items have equal bytes (streams compare them to skip writes that change nothing).
func canonicalItem(item rawItem) ([]byte, error) {
	names := make([]string, 0, len(item))
	for name := range item {
		names = append(names, name)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, name := range names {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := writeJSONString(&buf, name); err != nil {
			return nil, err
		}
		buf.WriteByte(':')
		if err := writeCanonicalValue(&buf, item[name]); err != nil {
			return nil, fmt.Errorf("attribute %s: %w", name, err)
		}
	}
	buf.WriteByte('}')
	return bytes.Clone(buf.Bytes()), nil // stored for long: without the buffer's spare capacity
}

// writeJSONString writes s as json.Marshal does (HTML characters escaped too), so the bytes survive
// the write log's json.Marshal unchanged.
func writeJSONString(buf *bytes.Buffer, s string) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	buf.Write(b)
	return nil
}

// writeCanonicalValue writes a JSON value with sorted object keys and no insignificant space.
func writeCanonicalValue(buf *bytes.Buffer, v json.RawMessage) error {
	trimmed := bytes.TrimSpace(v)
	if len(trimmed) == 0 {
		return fmt.Errorf("empty value")
	}
	switch trimmed[0] {
	case '{':
		var m map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &m); err != nil {
			return err
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSONString(buf, k); err != nil {
				return err
			}
			buf.WriteByte(':')
			if err := writeCanonicalValue(buf, m[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case '[':
		var l []json.RawMessage
		if err := json.Unmarshal(trimmed, &l); err != nil {
			return err
		}
		buf.WriteByte('[')
		for i, e := range l {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeCanonicalValue(buf, e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case '"':
		var s string
		if err := json.Unmarshal(trimmed, &s); err != nil {
			return err
		}
		return writeJSONString(buf, s)
	default:
		if !json.Valid(trimmed) {
			return fmt.Errorf("invalid JSON value %q", strings.TrimSpace(string(trimmed)))
		}
		buf.Write(trimmed)
	}
	return nil
}
