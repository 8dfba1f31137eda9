package ddbemu

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/google/btree"
)

// A snapshot file holds the tables as they were at one instant, in a binary form that loads
// without parsing JSON:
//
//	"DDBSNAP2\n"
//	records: kind byte, then
//	  'W' uvarint length, a write log line (walEntry JSON: API-created tables, TTL settings)
//	  'T' uvarint length + table name, uvarint count + that many (uvarint length + index name): the
//	      items that follow belong to this table, and carry their keys in these indexes
//	  'I' an item: uvarint length + primary key, uvarint length + DynamoDB JSON, uvarint count + that
//	      many (uvarint length + index key; 0: not in the index)
//	  'E' the end; a file without it is incomplete and refused
//
// Items are written in primary key order, and their keys are stored, so loading is byte slicing
// and B-tree inserts.

const snapshotMagic = "DDBSNAP2\n"

// snapshotTable is what a snapshot keeps of one table: a clone of its items (immutable) and the
// entries that recreate its settings.
type snapshotTable struct {
	name    string
	entries []walEntry
	items   *btree.BTreeG[*storedItem]
	indexes []*indexStore
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
	var scratch [binary.MaxVarintLen64]byte
	writeBytes := func(b []byte) {
		n := binary.PutUvarint(scratch[:], uint64(len(b)))
		_, _ = w.Write(scratch[:n])
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
		writeCount(w, len(t.indexes))
		for _, idx := range t.indexes {
			writeBytes([]byte(idx.name))
		}
		var failure error
		t.items.Ascend(func(it *storedItem) bool {
			attrs, err := decodeAttrs(it.raw)
			if err != nil {
				failure = err
				return false
			}
			_ = w.WriteByte('I')
			writeBytes([]byte(it.key))
			writeBytes(it.raw)
			writeCount(w, len(t.indexes))
			for _, idx := range t.indexes {
				writeBytes([]byte(idx.indexKey(attrs, it.key)))
			}
			items++
			return true
		})
		if failure != nil {
			return 0, 0, fmt.Errorf("snapshot %s: %w", t.name, failure)
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
// Item bytes stay in the file's buffer: one allocation for all of them.
func (s *Service) loadSnapshotFile(path string) (entries, items int, size int64, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("read %s: %w", path, err)
	}
	if !bytes.HasPrefix(data, []byte(snapshotMagic)) {
		return 0, 0, 0, fmt.Errorf("%s: not a snapshot", path)
	}
	r := bytes.NewReader(data[len(snapshotMagic):])
	next := func() ([]byte, error) {
		n, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, errIncompleteSnapshot
		}
		start := len(data) - r.Len()
		if uint64(r.Len()) < n {
			return nil, errIncompleteSnapshot
		}
		if _, err := r.Seek(int64(n), io.SeekCurrent); err != nil {
			return nil, errIncompleteSnapshot
		}
		return data[start : start+int(n) : start+int(n)], nil
	}
	count := func() (int, error) {
		n, err := binary.ReadUvarint(r)
		if err != nil || n > uint64(r.Len()) {
			return 0, errIncompleteSnapshot
		}
		return int(n), nil
	}
	var table *tableState
	sameIndexes := false // the snapshot's index keys are the table's: no need to recompute them
	for {
		kind, err := r.ReadByte()
		if err != nil {
			return entries, items, 0, fmt.Errorf("%s: %w", path, errIncompleteSnapshot)
		}
		switch kind {
		case 'E':
			return entries, items, int64(len(data)), nil
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
			table = s.tables[string(name)]
			if table == nil {
				s.log.Warn("snapshot has items of a table that does not exist; skipping them", "table", string(name))
				continue
			}
			sameIndexes = len(names) == len(table.store.indexes)
			for i, idx := range table.store.indexes {
				sameIndexes = sameIndexes && names[i] == idx.name
			}
		case 'I':
			key, err := next()
			if err != nil {
				return entries, items, 0, err
			}
			raw, err := next()
			if err != nil {
				return entries, items, 0, err
			}
			n, err := count()
			if err != nil {
				return entries, items, 0, err
			}
			indexKeys := make([][]byte, n)
			for i := range n {
				if indexKeys[i], err = next(); err != nil {
					return entries, items, 0, err
				}
			}
			if table == nil {
				continue
			}
			st := table.store
			if !sameIndexes {
				if err := st.load(raw); err != nil {
					return entries, items, 0, fmt.Errorf("%s: item of %s: %w", path, table.spec.Name, err)
				}
				items++
				continue
			}
			item := &storedItem{key: string(key), raw: raw}
			st.primary.ReplaceOrInsert(item)
			for i, idx := range st.indexes {
				if len(indexKeys[i]) > 0 {
					idx.tree.ReplaceOrInsert(indexEntry{key: string(indexKeys[i]), item: item})
				}
			}
			items++
		default:
			return entries, items, 0, fmt.Errorf("%s: unknown record %q", path, kind)
		}
	}
}
