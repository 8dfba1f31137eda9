package audit

import (
	"encoding/json"
	"strconv"
)

func str(it Item, key string) string {
	s, _ := it[key].(string)
	return s
}

// num reads a number however the JSON decoder produced it; ok is false when absent or not a number.
func num(it Item, key string) (int64, bool) {
	switch v := it[key].(type) {
	case float64:
		return int64(v), true
	case json.Number:
		n, err := v.Int64()
		return n, err == nil
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// byKey indexes items by a string attribute; later duplicates are returned separately.
func byKey(items []Item, key string) map[string][]Item {
	out := make(map[string][]Item, len(items))
	for _, it := range items {
		k := str(it, key)
		out[k] = append(out[k], it)
	}
	return out
}
