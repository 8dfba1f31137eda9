package ddbemu

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"unsafe"
)

// A snapshot file holds the tables as they were at one instant, in a binary form that loads
// without parsing JSON or comparing keys more than the B-tree inserts of sorted input need:
//
//	"DDBSNAP5\n"
//	records: kind byte, then
//	  'W' uvarint length, a write log line (walEntry JSON: API-created tables, TTL settings)
//	  'T' uvarint length + table name, uvarint count + that many (uvarint length + index name): the
//	      records up to the next 'T' belong to this table
//	  'D' uvarint length + the dictionary the table's items are packed with (itempack.go)
//	  'I' an item, in primary key order: uvarint length + primary key, uvarint length + the item
//	      packed (DDBSNAP3, written for an hour before items were packed: its DynamoDB JSON); this
//	      is storedItem.data, so a loaded item is a view of the file's buffer
//	  'X' an index entry, in index order: uvarint index number (in the 'T' list), uvarint length
//	      + index key, uvarint number of the item (0 = the table's first 'I'); the index key is the
//	      index's hash and range values (DDBSNAP3 and 4: followed by the item's primary key)
//	  'E' the end; a file without it is incomplete and refused

const (
	snapshotMagic         = "DDBSNAP5\n"
	fullKeySnapshotMagic  = "DDBSNAP4\n"
	unpackedSnapshotMagic = "DDBSNAP3\n"
)

// snapshotTable is what a snapshot keeps of one table: clones of its items and indexes (immutable)
// and the entries that recreate its settings.
type snapshotTable struct {
	name       string
	entries    []walEntry
	store      storeClone // packer nil: no items
	indexNames []string
}

// writeSnapshotFile writes the tables to path and returns the item count and bytes written.
func writeSnapshotFile(path string, tables []snapshotTable) (items int, size int64, err error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, 0, fmt.Errorf("create %s: %w", path, err)
	}
	defer f.Close()
	cw := &countingWriter{w: f}
	w := bufio.NewWriterSize(cw, 1<<20)
	writeBytes := func(b []byte) {
		writeCount(w, len(b))
		_, _ = w.Write(b)
	}
	_, _ = w.WriteString(snapshotMagic)
	for _, t := range tables {
		for _, e := range t.entries {
			line, err := json.Marshal(e)
			if err != nil {
				return 0, 0, fmt.Errorf("encode %s settings: %w", t.name, err)
			}
			_ = w.WriteByte('W')
			writeBytes(line)
		}
		_ = w.WriteByte('T')
		writeBytes([]byte(t.name))
		writeCount(w, len(t.indexNames))
		for _, name := range t.indexNames {
			writeBytes([]byte(name))
		}
		if t.store.packer != nil {
			_ = w.WriteByte('D')
			writeBytes(t.store.packer.dict)
		}
		a := t.store.arena
		ordinals := make(map[arenaRef]int, t.store.items.Len())
		t.store.items.Ascend(func(s itemSlot) bool {
			_ = w.WriteByte('I')
			_, _ = w.WriteString(a.item(s.ref).data) // the record's fields
			ordinals[s.ref] = len(ordinals)
			return true
		})
		items += len(ordinals)
		for i, idx := range t.store.indexes {
			idx.Ascend(func(e indexEntry) bool {
				_ = w.WriteByte('X')
				writeCount(w, i)
				_, _ = w.WriteString(a.tail(e.key)[:a.fieldLen(e.key)]) // uvarint length + index key
				writeCount(w, ordinals[e.item])
				return true
			})
		}
	}
	_ = w.WriteByte('E')
	if err := w.Flush(); err != nil {
		return 0, 0, fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return 0, 0, fmt.Errorf("sync %s: %w", path, err)
	}
	return items, cw.n, nil
}

func writeCount(w *bufio.Writer, n int) {
	var scratch [binary.MaxVarintLen64]byte
	_, _ = w.Write(scratch[:binary.PutUvarint(scratch[:], uint64(n))])
}

var errIncompleteSnapshot = errors.New("incomplete snapshot")

// loadSnapshotFile rebuilds the tables from a snapshot. Callers hold s.mu with s.replaying set.
// Item bytes and keys stay in the file's buffer (one allocation for all of them; the buffer is never
// written to), and each B-tree (a table's, an index's) is built by its own goroutine.
func (s *Service) loadSnapshotFile(path string) (entries, items int, size int64, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("read %s: %w", path, err)
	}
	indexKeysOnly := bytes.HasPrefix(data, []byte(snapshotMagic))
	packed := indexKeysOnly || bytes.HasPrefix(data, []byte(fullKeySnapshotMagic))
	if !packed && !bytes.HasPrefix(data, []byte(unpackedSnapshotMagic)) {
		return 0, 0, 0, fmt.Errorf("%s: not a snapshot", path)
	}
	pos := len(snapshotMagic)
	next := func() ([]byte, error) {
		n, w := binary.Uvarint(data[pos:])
		if w <= 0 || n > uint64(len(data)-pos-w) {
			return nil, errIncompleteSnapshot
		}
		start := pos + w
		pos = start + int(n)
		return data[start:pos:pos], nil
	}
	number := func() (int, error) {
		n, w := binary.Uvarint(data[pos:])
		if w <= 0 || n > 1<<40 {
			return 0, errIncompleteSnapshot
		}
		pos += w
		return int(n), nil
	}
	count := func() (int, error) { // of the records that follow, so at most the bytes left
		n, err := number()
		if err != nil || n > len(data)-pos {
			return 0, errIncompleteSnapshot
		}
		return n, nil
	}
	view := func(b []byte) string {
		if len(b) == 0 {
			return ""
		}
		return unsafe.String(&b[0], len(b))
	}
	// A record in data: the bytes [off, off+n), a view of them.
	type span struct {
		view string
		off  int // -1: not in data (a DDBSNAP3 item packed on load, a DDBSNAP3/4 index key cut)
	}
	type pendingEntry struct {
		key     span // the index key's field in data (uvarint length + key); off -1: the bare key
		ordinal int
	}
	type tableLoad struct {
		store       *itemStore
		sameIndexes bool   // the snapshot's indexes are the table's: their entries load as they are
		items       []span // item records
		indexed     [][]pendingEntry
	}
	var loads []*tableLoad
	var current *tableLoad
	for done := false; !done; {
		if pos >= len(data) {
			return entries, items, 0, fmt.Errorf("%s: %w", path, errIncompleteSnapshot)
		}
		kind := data[pos]
		pos++
		switch kind {
		case 'E':
			done = true
		case 'W':
			line, err := next()
			if err != nil {
				return entries, items, 0, err
			}
			var e walEntry
			if err := json.Unmarshal(line, &e); err != nil {
				return entries, items, 0, fmt.Errorf("%s: settings entry: %w", path, err)
			}
			s.replayEntry(e.Op, e.Body)
			entries++
		case 'T':
			name, err := next()
			if err != nil {
				return entries, items, 0, err
			}
			n, err := count()
			if err != nil {
				return entries, items, 0, err
			}
			var names []string
			for range n {
				idx, err := next()
				if err != nil {
					return entries, items, 0, err
				}
				names = append(names, string(idx))
			}
			current = nil
			t := s.tables[string(name)]
			if t == nil {
				s.log.Warn("snapshot has items of a table that does not exist; skipping them", "table", string(name))
				continue
			}
			same := len(names) == len(t.store.indexes)
			for i, idx := range t.store.indexes {
				same = same && names[i] == idx.name
			}
			current = &tableLoad{store: t.store, sameIndexes: same, indexed: make([][]pendingEntry, len(t.store.indexes))}
			loads = append(loads, current)
		case 'D':
			dict, err := next()
			if err != nil {
				return entries, items, 0, err
			}
			if current != nil {
				current.store.packer = newItemPacker(dict)
			}
		case 'I':
			start := pos
			key, err := next()
			if err != nil {
				return entries, items, 0, err
			}
			raw, err := next()
			if err != nil {
				return entries, items, 0, err
			}
			if current != nil {
				item := span{view: view(data[start:pos]), off: start}
				if !packed {
					if raw, err = current.store.pack(raw); err != nil {
						return entries, items, 0, err
					}
					item = span{view: newStoredItem(string(key), raw).data, off: -1}
				}
				current.items = append(current.items, item)
				items++
			}
		case 'X':
			index, err := number()
			if err != nil {
				return entries, items, 0, err
			}
			fieldStart := pos
			key, err := next()
			if err != nil {
				return entries, items, 0, err
			}
			field := span{view: view(data[fieldStart:pos]), off: fieldStart}
			ordinal, err := number()
			if err != nil {
				return entries, items, 0, err
			}
			if current == nil || !current.sameIndexes {
				continue
			}
			if index >= len(current.indexed) || ordinal >= len(current.items) {
				return entries, items, 0, fmt.Errorf("%s: index entry out of range", path)
			}
			if !indexKeysOnly { // the index key, then the item's primary key
				itemKey, _ := cutField(current.items[ordinal].view)
				k, ok := bytes.CutSuffix(key, []byte(itemKey))
				if !ok {
					return entries, items, 0, fmt.Errorf("%s: index entry of another item", path)
				}
				field = span{view: string(k), off: -1}
			}
			current.indexed[index] = append(current.indexed[index], pendingEntry{key: field, ordinal: ordinal})
		default:
			return entries, items, 0, fmt.Errorf("%s: unknown record %q", path, kind)
		}
	}
	var wg sync.WaitGroup
	for _, l := range loads {
		if !l.sameIndexes {
			for _, it := range l.items {
				raw, err := l.store.itemJSON(&storedItem{data: it.view})
				if err != nil {
					return entries, items, 0, fmt.Errorf("%s: item: %w", path, err)
				}
				if err := l.store.load(raw); err != nil {
					return entries, items, 0, fmt.Errorf("%s: item: %w", path, err)
				}
			}
			continue
		}
		// The records stay where they are in data: the file's buffer becomes one of the arena's
		// chunks (never written to), and only records that are not in it are copied.
		a := l.store.arena
		base := a.adopt(data)
		place := func(r span) arenaRef {
			if r.off < 0 {
				return a.add(r.view)
			}
			return a.adopted(base, r.off, len(r.view))
		}
		refs := make([]arenaRef, len(l.items))
		for i, it := range l.items {
			refs[i] = place(it)
		}
		indexed := make([][]indexEntry, len(l.indexed))
		for i, pending := range l.indexed {
			indexed[i] = make([]indexEntry, len(pending))
			for j, p := range pending {
				if p.key.off < 0 { // a key without its own field in data
					indexed[i][j] = indexEntry{key: a.addField(p.key.view), item: refs[p.ordinal]}
					continue
				}
				indexed[i][j] = indexEntry{key: place(p.key), item: refs[p.ordinal]}
			}
		}
		wg.Go(func() {
			for _, ref := range refs {
				l.store.primary.ReplaceOrInsert(itemSlot{ref: ref})
			}
		})
		for i, idx := range l.store.indexes {
			wg.Go(func() {
				for _, e := range indexed[i] {
					idx.tree.ReplaceOrInsert(e)
				}
			})
		}
	}
	wg.Wait()
	return entries, items, int64(len(data)), nil
}
