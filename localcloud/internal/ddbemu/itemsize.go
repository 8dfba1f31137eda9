package ddbemu

import (
	"encoding/json"
	"fmt"
	"strings"
)

// maxItemBytes is DynamoDB's item size limit (400 KB, 1 KB = 1024 bytes).
const maxItemBytes = 400 * 1024

const (
	msgItemTooLarge         = "Item size has exceeded the maximum allowed size"
	msgItemToUpdateTooLarge = "Item size to update has exceeded the maximum allowed size"
)

// itemSize is an item's size as DynamoDB counts it ("DynamoDB item sizes and formats",
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
// the UTF-8 length of every attribute name plus the size of its value.
func itemSize(item rawItem) (int, error) {
	n := 0
	for name, v := range item {
		size, err := attrValueSize(v)
		if err != nil {
			return 0, fmt.Errorf("attribute %s: %w", name, err)
		}
		n += len(name) + size
	}
	return n, nil
}

// attrValueSize sizes one DynamoDB JSON attribute value: strings by their UTF-8 bytes, binaries
// by their raw (decoded) bytes, numbers by significant digits, BOOL and NULL one byte, sets the
// sum of their members, lists and maps 3 bytes plus 1 byte and the size of each element (map
// elements count their names too).
func attrValueSize(raw json.RawMessage) (int, error) {
	var av map[string]json.RawMessage
	if err := json.Unmarshal(raw, &av); err != nil {
		return 0, fmt.Errorf("decode attribute value: %w", err)
	}
	total := 0
	for typ, v := range av {
		var err error
		var n int
		switch typ {
		case "S":
			var s string
			err = json.Unmarshal(v, &s)
			n = len(s)
		case "N":
			var s string
			err = json.Unmarshal(v, &s)
			n = numberSize(s)
		case "B":
			var b []byte
			err = json.Unmarshal(v, &b)
			n = len(b)
		case "BOOL", "NULL":
			n = 1
		case "SS":
			var ss []string
			err = json.Unmarshal(v, &ss)
			for _, s := range ss {
				n += len(s)
			}
		case "NS":
			var ns []string
			err = json.Unmarshal(v, &ns)
			for _, s := range ns {
				n += numberSize(s)
			}
		case "BS":
			var bs [][]byte
			err = json.Unmarshal(v, &bs)
			for _, b := range bs {
				n += len(b)
			}
		case "L":
			var l []json.RawMessage
			err = json.Unmarshal(v, &l)
			n = 3
			for _, e := range l {
				size, eerr := attrValueSize(e)
				if eerr != nil {
					return 0, eerr
				}
				n += 1 + size
			}
		case "M":
			var m map[string]json.RawMessage
			err = json.Unmarshal(v, &m)
			n = 3
			for k, e := range m {
				size, eerr := attrValueSize(e)
				if eerr != nil {
					return 0, eerr
				}
				n += len(k) + 1 + size
			}
		default:
			return 0, fmt.Errorf("unknown attribute type %q", typ)
		}
		if err != nil {
			return 0, fmt.Errorf("decode %s value: %w", typ, err)
		}
		total += n
	}
	return total, nil
}

// numberSize is 1 byte plus 1 byte per two significant digits (leading and trailing zeros trimmed).
func numberSize(s string) int {
	s = strings.TrimLeft(strings.TrimSpace(s), "+-")
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		s = s[:i]
	}
	digits := strings.Trim(strings.ReplaceAll(s, ".", ""), "0")
	return (len(digits)+1)/2 + 1
}

// oversized reports whether an item exceeds the limit; an undecodable item is left to the engine.
func oversized(item rawItem) bool {
	n, err := itemSize(item)
	return err == nil && n > maxItemBytes
}
