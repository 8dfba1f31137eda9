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
// (decoded per request), in a B-tree ordered by its encoded primary key (keyenc.go): a partition's
// items are contiguous and in sort-key order, so a Query reads only its partition and an
// ExclusiveStartKey is a seek. Each global secondary index is a B-tree of references to the same
// stored items, ordered by index key and then table key, holding only the items that have the
// index's key attributes (sparse indexes,
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-indexes-general-sparse-indexes.html).
//
// Writers are serialised by the table's writeMu and take mu only to swap items in; readers take mu
// shared. A snapshot (clone) is O(1): the trees copy their nodes on write.
type itemStore struct {
	hashKey, rangeKey string

	mu      sync.RWMutex
	primary *btree.BTreeG[*storedItem]
	indexes []*indexStore // as tableState.indexes, by name, then the TTL index if any
	packer  *itemPacker   // nil until the first item (itempack.go)
}

// storedItem is one item: its encoded primary key and its DynamoDB JSON, packed (itempack.go), in
// one string laid out as a snapshot's item record holds them (snapshot.go): uvarint length + key,
// uvarint length + packed item. One allocation per item, or none when loaded from a snapshot.
// Never modified.
type storedItem struct {
	data string
}

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

// keyProbe is a stand-in for the item at key, for seeks.
func keyProbe(key string) *storedItem {
	return newStoredItem(key, nil)
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

// indexEntry is an item in an index. Entries order by key, then by the item's primary key; the key
// does not repeat the primary key (it would be a second copy of it per index).
type indexEntry struct {
	key  string // index hash, then index range if any
	item *storedItem
}

func indexLess(a, b indexEntry) bool {
	if c := strings.Compare(a.key, b.key); c != 0 {
		return c < 0
	}
	return a.item.key() < b.item.key()
}

// indexProbe is the position of an index key and the primary key item ("" = before every item with
// that index key), for seeks.
func indexProbe(key, item string) indexEntry {
	return indexEntry{key: key, item: keyProbe(item)}
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

func newIndexStore(name string, attrs []string) *indexStore {
	return &indexStore{name: name, attrs: attrs, tree: btree.NewG(btreeDegree, indexLess)}
}

const btreeDegree = 32

func newItemStore(t *tableState) *itemStore {
	st := &itemStore{
		hashKey: t.hashKey, rangeKey: t.rangeKey,
		primary: btree.NewG(btreeDegree, func(a, b *storedItem) bool { return a.key() < b.key() }),
	}
	for _, idx := range t.indexes {
		gsi := newIndexStore(idx.name, idx.attrs)
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
	st.indexes = slices.DeleteFunc(st.indexes, func(idx *indexStore) bool { return idx.ttl })
	if attr == "" {
		return
	}
	idx := newIndexStore(ttlIndexPrefix+attr, []string{attr})
	idx.ttl = true
	st.primary.Ascend(func(it *storedItem) bool {
		if attrs, err := st.itemAttrs(it); err == nil {
			if k := idx.indexKey(attrs); k != "" {
				idx.tree.ReplaceOrInsert(indexEntry{key: k, item: it})
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
func (st *itemStore) expiring(after seekKey, upTo string, limit int) []indexEntry {
	st.mu.RLock()
	defer st.mu.RUnlock()
	idx := st.ttlIndex()
	if idx == nil {
		return nil
	}
	var out []indexEntry
	idx.tree.AscendGreaterOrEqual(indexProbe(after.key, after.item), func(e indexEntry) bool {
		if e.key == after.key && e.item.key() == after.item {
			return true
		}
		if e.key > upTo {
			return false
		}
		out = append(out, e)
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
	item, _ := st.primary.Get(keyProbe(key))
	return item
}

// getLocked is get for the table's writer, which is the only one to modify the store.
func (st *itemStore) getLocked(key string) *storedItem {
	item, _ := st.primary.Get(keyProbe(key))
	return item
}

// storeChange replaces the item at key: old is what is there (nil: nothing), next what
// replaces it (nil: delete); oldAttrs and nextAttrs are their decoded attributes, for the indexes.
type storeChange struct {
	key                 string
	old, next           *storedItem
	oldAttrs, nextAttrs rawItem
}

// apply makes the changes visible to readers at once.
func (st *itemStore) apply(changes []storeChange) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, c := range changes {
		st.applyLocked(c)
	}
}

func (st *itemStore) applyLocked(c storeChange) {
	if c.next != nil {
		st.primary.ReplaceOrInsert(c.next)
	} else if c.old != nil {
		st.primary.Delete(c.old)
	}
	for _, idx := range st.indexes {
		oldKey, nextKey := "", ""
		if c.old != nil {
			oldKey = idx.indexKey(c.oldAttrs)
		}
		if c.next != nil {
			nextKey = idx.indexKey(c.nextAttrs)
		}
		if oldKey != "" && oldKey != nextKey {
			idx.tree.Delete(indexEntry{key: oldKey, item: c.old})
		}
		if nextKey != "" {
			idx.tree.ReplaceOrInsert(indexEntry{key: nextKey, item: c.next})
		}
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
	prev, _ := st.primary.Get(keyProbe(key))
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
	st.applyLocked(storeChange{key: key, old: prev, next: newStoredItem(key, packed), oldAttrs: prevAttrs, nextAttrs: attrs})
	return nil
}

// remove deletes an item during start-up.
func (st *itemStore) remove(key rawItem) error {
	k, err := st.primaryKey(key)
	if err != nil {
		return err
	}
	prev, _ := st.primary.Get(keyProbe(k))
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

// clone is a consistent, immutable view of the items for a long scan, taken in O(1).
func (st *itemStore) clone() *btree.BTreeG[*storedItem] {
	items, _, _ := st.cloneAll()
	return items
}

// cloneAll clones the items and every index (in the order of st.indexes) at one instant, with the
// packer that unpacks the items.
func (st *itemStore) cloneAll() (*btree.BTreeG[*storedItem], []*btree.BTreeG[indexEntry], *itemPacker) {
	st.mu.Lock()
	defer st.mu.Unlock()
	indexes := make([]*btree.BTreeG[indexEntry], len(st.indexes))
	for i, idx := range st.indexes {
		indexes[i] = idx.tree.Clone()
	}
	return st.primary.Clone(), indexes, st.packer
}

// page returns up to limit items after the primary key startAfter ("" = from the first).
func (st *itemStore) page(startAfter string, limit int) []*storedItem {
	st.mu.RLock()
	defer st.mu.RUnlock()
	var out []*storedItem
	st.primary.AscendGreaterOrEqual(keyProbe(startAfter), func(it *storedItem) bool {
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
