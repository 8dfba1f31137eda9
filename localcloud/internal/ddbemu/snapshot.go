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

	"github.com/google/btree"
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
	items      *btree.BTreeG[*storedItem]
	packer     *itemPacker // nil: no items
	indexNames []string
	indexes    []*btree.BTreeG[indexEntry]
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
		if t.packer != nil {
			_ = w.WriteByte('D')
			writeBytes(t.packer.dict)
		}
		ordinals := make(map[*storedItem]int, t.items.Len())
		t.items.Ascend(func(it *storedItem) bool {
			_ = w.WriteByte('I')
			_, _ = w.WriteString(it.data) // the record's fields
			ordinals[it] = len(ordinals)
			return true
		})
		items += len(ordinals)
		for i, idx := range t.indexes {
			idx.Ascend(func(e indexEntry) bool {
				_ = w.WriteByte('X')
				writeCount(w, i)
				writeBytes([]byte(e.key))
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
	type tableLoad struct {
		store       *itemStore
		sameIndexes bool // the snapshot's indexes are the table's: their entries load as they are
		items       []*storedItem
		indexed     [][]indexEntry // per index of the store
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
			current = &tableLoad{store: t.store, sameIndexes: same, indexed: make([][]indexEntry, len(t.store.indexes))}
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
				item := &storedItem{data: view(data[start:pos])}
				if !packed {
					if raw, err = current.store.pack(raw); err != nil {
						return entries, items, 0, err
					}
					item = newStoredItem(string(key), raw)
				}
				current.items = append(current.items, item)
				items++
			}
		case 'X':
			index, err := number()
			if err != nil {
				return entries, items, 0, err
			}
			key, err := next()
			if err != nil {
				return entries, items, 0, err
			}
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
			item := current.items[ordinal]
			if !indexKeysOnly { // the index key, then the item's primary key
				k, ok := bytes.CutSuffix(key, []byte(item.key()))
				if !ok {
					return entries, items, 0, fmt.Errorf("%s: index entry of another item", path)
				}
				key = k
			}
			current.indexed[index] = append(current.indexed[index], indexEntry{key: view(key), item: item})
		default:
			return entries, items, 0, fmt.Errorf("%s: unknown record %q", path, kind)
		}
	}
	var wg sync.WaitGroup
	for _, l := range loads {
		if !l.sameIndexes {
			for _, it := range l.items {
				raw, err := l.store.itemJSON(it)
				if err != nil {
					return entries, items, 0, fmt.Errorf("%s: item: %w", path, err)
				}
				if err := l.store.load(raw); err != nil {
					return entries, items, 0, fmt.Errorf("%s: item: %w", path, err)
				}
			}
			continue
		}
		wg.Go(func() {
			for _, it := range l.items {
				l.store.primary.ReplaceOrInsert(it)
			}
		})
		for i, idx := range l.store.indexes {
			wg.Go(func() {
				for _, e := range l.indexed[i] {
					idx.tree.ReplaceOrInsert(e)
				}
			})
		}
	}
	wg.Wait()
	return entries, items, int64(len(data)), nil
}
