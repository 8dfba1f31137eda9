package ddbemu

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/aws/aws-lambda-go/events"
)

// Scan returns every item of a table as plain Go values (not DynamoDB JSON):
// S → string, N → json.Number, BOOL → bool, NULL → nil, B → []byte,
// SS → []string, NS → []json.Number, BS → [][]byte, L → []any, M → map[string]any.
// Items are sorted by primary key.
func (s *Service) Scan(table string) ([]map[string]any, error) {
	s.mu.RLock()
	t := s.tables[table]
	if t == nil {
		s.mu.RUnlock()
		return nil, fmt.Errorf("scan %s: no such table", table)
	}
	view := t.store.cloneAll()
	st := t.store
	s.mu.RUnlock()
	type keyed struct {
		sortKey string
		item    map[string]any
	}
	rows := make([]keyed, 0, view.items.Len())
	var failure error
	view.ascend(func(it *storedItem) bool {
		raw, err := st.itemJSON(it)
		if err != nil {
			failure = fmt.Errorf("scan %s: %w", table, err)
			return false
		}
		item, err := plainItem(raw)
		if err != nil {
			failure = fmt.Errorf("scan %s: %w", table, err)
			return false
		}
		sortKey, _ := json.Marshal([]any{item[t.hashKey], item[t.rangeKey]})
		rows = append(rows, keyed{string(sortKey), item})
		return true
	})
	if failure != nil {
		return nil, failure
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].sortKey < rows[j].sortKey })
	out := make([]map[string]any, len(rows))
	for i, r := range rows {
		out[i] = r.item
	}
	return out, nil
}

func plainItem(raw []byte) (map[string]any, error) {
	var attrs map[string]events.DynamoDBAttributeValue
	if err := json.Unmarshal(raw, &attrs); err != nil {
		return nil, fmt.Errorf("decode item: %w", err)
	}
	item := make(map[string]any, len(attrs))
	for k, v := range attrs {
		item[k] = plainValue(v)
	}
	return item, nil
}

func plainValue(v events.DynamoDBAttributeValue) any {
	switch v.DataType() {
	case events.DataTypeString:
		return v.String()
	case events.DataTypeNumber:
		return json.Number(v.Number())
	case events.DataTypeBoolean:
		return v.Boolean()
	case events.DataTypeBinary:
		return v.Binary()
	case events.DataTypeStringSet:
		return v.StringSet()
	case events.DataTypeNumberSet:
		ns := v.NumberSet()
		out := make([]json.Number, len(ns))
		for i, n := range ns {
			out[i] = json.Number(n)
		}
		return out
	case events.DataTypeBinarySet:
		return v.BinarySet()
	case events.DataTypeList:
		l := v.List()
		out := make([]any, len(l))
		for i, e := range l {
			out[i] = plainValue(e)
		}
		return out
	case events.DataTypeMap:
		m := v.Map()
		out := make(map[string]any, len(m))
		for k, e := range m {
			out[k] = plainValue(e)
		}
		return out
	default: // NULL
		return nil
	}
}

// ScanPage returns up to limit items of a table as Scan does (plain values, but in primary key
// order), starting after the position after ("" = the first item), and the position of the next
// page ("" = none). Positions are opaque.
func (s *Service) ScanPage(table string, limit int, after string) ([]map[string]any, string, error) {
	var startAfter string
	if after != "" {
		key, err := base64.RawURLEncoding.DecodeString(after)
		if err != nil {
			return nil, "", fmt.Errorf("scan %s: invalid position %q", table, after)
		}
		startAfter = string(key)
	}
	s.mu.RLock()
	t := s.tables[table]
	if t == nil {
		s.mu.RUnlock()
		return nil, "", fmt.Errorf("scan %s: no such table", table)
	}
	st := t.store
	page := st.page(startAfter, max(limit, 1))
	s.mu.RUnlock()
	items := make([]map[string]any, 0, len(page))
	for _, it := range page {
		raw, err := st.itemJSON(it)
		if err != nil {
			return nil, "", fmt.Errorf("scan %s: %w", table, err)
		}
		item, err := plainItem(raw)
		if err != nil {
			return nil, "", fmt.Errorf("scan %s: %w", table, err)
		}
		items = append(items, item)
	}
	next := ""
	if len(page) == max(limit, 1) {
		next = base64.RawURLEncoding.EncodeToString([]byte(page[len(page)-1].key()))
	}
	return items, next, nil
}
