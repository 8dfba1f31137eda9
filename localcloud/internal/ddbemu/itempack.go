package ddbemu

import (
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"sync"
)

// Items are stored DEFLATE-compressed with a preset dictionary: the first item the table stored
// (canonical DynamoDB JSON). A table's items share their attribute names, the JSON around them and
// many values, so an item of a few hundred bytes packs to a small fraction of them; each is unpacked
// when a request reads it.

// packLevel is the lowest level that uses the dictionary (BestSpeed ignores it).
const packLevel = 2

// itemPacker packs and unpacks the items of one table. Immutable once made.
type itemPacker struct {
	dict    []byte
	dictCRC uint32    // identifies dict in the write log's packed images
	writers sync.Pool // *flate.Writer, each made with dict
}

// flateReaders holds reusable decompressors (flate.Resetter), reset with each call's dictionary.
var flateReaders sync.Pool

func newItemPacker(dict []byte) *itemPacker {
	return &itemPacker{dict: bytes.Clone(dict), dictCRC: crc32.ChecksumIEEE(dict)}
}

func (p *itemPacker) pack(item []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, _ := p.writers.Get().(*flate.Writer)
	if w == nil {
		var err error
		if w, err = flate.NewWriterDict(&buf, packLevel, p.dict); err != nil {
			return nil, fmt.Errorf("pack item: %w", err)
		}
	} else {
		w.Reset(&buf)
	}
	if _, err := w.Write(item); err != nil {
		return nil, fmt.Errorf("pack item: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("pack item: %w", err)
	}
	p.writers.Put(w)
	return bytes.Clone(buf.Bytes()), nil
}

func (p *itemPacker) unpack(packed string) ([]byte, error) {
	return p.unpackFrom(strings.NewReader(packed), len(packed))
}

func (p *itemPacker) unpackBytes(packed []byte) ([]byte, error) {
	return p.unpackFrom(bytes.NewReader(packed), len(packed))
}

func (p *itemPacker) unpackFrom(src io.Reader, size int) ([]byte, error) {
	r, _ := flateReaders.Get().(io.ReadCloser)
	if r == nil {
		r = flate.NewReaderDict(src, p.dict)
	} else if err := r.(flate.Resetter).Reset(src, p.dict); err != nil {
		return nil, fmt.Errorf("unpack item: %w", err)
	}
	var out bytes.Buffer
	out.Grow(size * 8)
	_, err := out.ReadFrom(r)
	flateReaders.Put(r)
	if err != nil {
		return nil, fmt.Errorf("unpack item: %w", err)
	}
	return out.Bytes(), nil
}

// pack compresses an item for the store, choosing the table's dictionary with its first item.
// Callers are the table's writer (or own the store alone).
func (st *itemStore) pack(item []byte) ([]byte, error) {
	if st.packer == nil {
		st.packer = newItemPacker(item)
	}
	return st.packer.pack(item)
}

// Packing costs ~20 µs an item however small, nearly all of it flate's Reset clearing its 640 KB of
// hash chains (compress/flate compressor.reset, levels 2 to 9), while unpacking costs ~0.5 µs. So the write log holds the packed bytes (walItem.Packed) and replay only
// unpacks them to find the keys.

// itemJSON is a stored item's DynamoDB JSON.
func (st *itemStore) itemJSON(it *storedItem) ([]byte, error) {
	return st.packer.unpack(it.packed())
}

// itemAttrs is a stored item's attributes.
func (st *itemStore) itemAttrs(it *storedItem) (rawItem, error) {
	raw, err := st.itemJSON(it)
	if err != nil {
		return nil, err
	}
	return decodeAttrs(raw)
}
