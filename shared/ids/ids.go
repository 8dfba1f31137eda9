// Package ids makes identifiers: random, URL-safe, sortable by creation time.
package ids

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"strings"
	"time"
)

var encoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// New returns a 20-character id: 6 bytes of millisecond time then 6 random bytes, Crockford base32.
func New() string {
	var b [12]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixMilli())<<16)
	_, _ = rand.Read(b[6:])
	return strings.ToLower(encoding.EncodeToString(b[:])[:20])
}

// Short is the tail of an id a person can read out on the phone (shown in SMS).
func Short(id string) string {
	if i := strings.LastIndex(id, "-"); i >= 0 {
		id = id[i+1:]
	}
	if len(id) > 6 {
		id = id[len(id)-6:]
	}
	return strings.ToUpper(id)
}
