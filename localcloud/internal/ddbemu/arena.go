package ddbemu

import (
	"encoding/binary"
	"sync/atomic"
	"unsafe"
)

// itemArena holds a store's item records and index keys in large byte chunks, so the B-trees hold
// plain offsets: the garbage collector sees a few dozen chunks, not three objects per item (a
// string, its *storedItem and an index key: at 100,000 bookings ~2.5 million objects, and marking
// them was ~40 % of the local cloud's CPU).
//
// Records are appended and never changed, so a clone of the trees (a snapshot, a long scan) reads
// them while the writer appends. A record no longer referenced is dead; when dead bytes pass a
// quarter of the live ones the store copies its live records to a new arena (itemStore.repack),
// and the old one is freed once no clone or view refers to it.
//
// Only the table's writer appends (or, at start-up and when TTL is set, whoever owns the store
// alone); readers resolve refs at any time.
type itemArena struct {
	chunks atomic.Pointer[[][]byte] // append-only; a chunk is allocated at its full length
	used   int                      // bytes written in the last chunk (writer only)
	live   int                      // bytes of records the trees reference (writer only)
	dead   int                      // bytes of records they no longer reference (writer only)
}

// arenaRef locates a record: chunk number in the high bits, offset in the chunk in the low ones;
// with probeBit set it is instead a seek position lent by probes.
type arenaRef uint64

const (
	arenaOffsetBits = 40
	arenaChunkSize  = 1 << 20
	probeBit        = arenaRef(1) << 63
)

// probes lends seek positions to tree operations. A tree element holds no pointer, so the
// collector does not scan the trees' node arrays (47 MB at 100,000 bookings); a Get, Delete or
// seek needs a key that is in no record, which waits here while the operation runs.
var probes = newProbeTable(1024)

type probeTable struct {
	keys []atomic.Pointer[seekKey]
	free chan arenaRef // numbers of the unused keys; a seek waits for one when every one is lent
}

func newProbeTable(n int) *probeTable {
	p := &probeTable{keys: make([]atomic.Pointer[seekKey], n), free: make(chan arenaRef, n)}
	for i := range n {
		p.free <- arenaRef(i)
	}
	return p
}

// lend holds k until give and returns the ref that stands for it.
func (p *probeTable) lend(k seekKey) arenaRef {
	i := <-p.free
	p.keys[i].Store(&k)
	return probeBit | i
}

func (p *probeTable) give(ref arenaRef) {
	p.keys[ref&^probeBit].Store(nil)
	p.free <- ref &^ probeBit
}

func (p *probeTable) key(ref arenaRef) *seekKey { return p.keys[ref&^probeBit].Load() }

func newItemArena() *itemArena {
	a := &itemArena{}
	a.chunks.Store(&[][]byte{})
	return a
}

// reserve makes room for an n-byte record and returns where it is and the bytes to write it to.
func (a *itemArena) reserve(n int) (arenaRef, []byte) {
	chunks := *a.chunks.Load()
	if len(chunks) == 0 || a.used+n > len(chunks[len(chunks)-1]) {
		size := arenaChunkSize
		if n > size/4 { // a large item gets a chunk of its own rather than waste a tail
			size = n
		}
		chunks = a.appendChunk(make([]byte, size))
		a.used = 0
	}
	last := len(chunks) - 1
	ref := arenaRef(last)<<arenaOffsetBits | arenaRef(a.used)
	dst := chunks[last][a.used : a.used+n]
	a.used += n
	a.live += n
	return ref, dst
}

// appendChunk publishes a copy of the chunk list with buf added (readers load the list at any time).
func (a *itemArena) appendChunk(buf []byte) [][]byte {
	chunks := *a.chunks.Load()
	grown := make([][]byte, len(chunks), len(chunks)+1)
	copy(grown, chunks)
	grown = append(grown, buf)
	a.chunks.Store(&grown)
	return grown
}

// add appends a record (fields as cutField reads them) and returns where it is.
func (a *itemArena) add(record string) arenaRef {
	ref, dst := a.reserve(len(record))
	copy(dst, record)
	return ref
}

// addField appends one field: uvarint length + s.
func (a *itemArena) addField(s string) arenaRef {
	ref, dst := a.reserve(uvarintLen(len(s)) + len(s))
	copy(dst[binary.PutUvarint(dst, uint64(len(s))):], s)
	return ref
}

// addItem appends an item record, key then packed item (newStoredItem's layout), without building
// it elsewhere first.
func (a *itemArena) addItem(key string, packed []byte) arenaRef {
	ref, dst := a.reserve(uvarintLen(len(key)) + len(key) + uvarintLen(len(packed)) + len(packed))
	n := binary.PutUvarint(dst, uint64(len(key)))
	n += copy(dst[n:], key)
	n += binary.PutUvarint(dst[n:], uint64(len(packed)))
	copy(dst[n:], packed)
	return ref
}

func uvarintLen(n int) int {
	size := 1
	for ; n >= 0x80; n >>= 7 {
		size++
	}
	return size
}

// adopt makes buf, never written to again, one of the arena's chunks, for records laid out in it
// already (a snapshot file's); base + offset locates a record in it (adopted).
func (a *itemArena) adopt(buf []byte) (base arenaRef) {
	chunks := a.appendChunk(buf)
	a.used = len(buf) // full: the next record starts a chunk of its own
	return arenaRef(len(chunks)-1) << arenaOffsetBits
}

// adopted counts the n-byte record at off in an adopted chunk as live and returns its ref.
func (a *itemArena) adopted(base arenaRef, off, n int) arenaRef {
	a.live += n
	return base | arenaRef(off)
}

// release marks the record at ref, of length n, as no longer referenced.
func (a *itemArena) release(n int) {
	a.live -= n
	a.dead += n
}

// tail is the chunk from ref to its end, without copying: records are read from it with cutField.
func (a *itemArena) tail(ref arenaRef) string {
	chunk := (*a.chunks.Load())[ref>>arenaOffsetBits]
	off := int(ref & (1<<arenaOffsetBits - 1))
	return unsafe.String(&chunk[off], len(chunk)-off)
}

// field is the first field of the record at ref: an index key, or an item's primary key. The
// trees compare keys with it, so a short one is cut without cutField's loop.
func (a *itemArena) field(ref arenaRef) string {
	s := a.tail(ref)
	if n := int(s[0]); n < 0x80 {
		return s[1 : 1+n]
	}
	f, _ := cutField(s)
	return f
}

// item is a view of the item record at ref (key, then packed item); it keeps the chunk alive.
func (a *itemArena) item(ref arenaRef) *storedItem {
	return &storedItem{data: itemRecord(a.tail(ref))}
}

// itemRecord is the item record at the start of s.
func itemRecord(s string) string {
	_, rest := cutField(s)
	_, rest = cutField(rest)
	return s[:len(s)-len(rest)]
}

// fieldLen is the length of the one-field record at ref.
func (a *itemArena) fieldLen(ref arenaRef) int {
	s := a.tail(ref)
	_, rest := cutField(s)
	return len(s) - len(rest)
}

// repackAboveDeadBytes is the least dead bytes an arena is repacked for (tests lower it).
var repackAboveDeadBytes = 4 << 20

// wasteful says the dead bytes are worth copying the live ones to a new arena for: at most a
// quarter of the arena is dead, so memory stays near the live data (issue 13).
func (a *itemArena) wasteful() bool {
	return a.dead > repackAboveDeadBytes && a.dead > a.live/4
}
