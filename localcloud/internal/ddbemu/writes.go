package ddbemu

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// writeTarget is one item a write request touches: its table and primary key.
type writeTarget struct {
	table *tableState
	key   map[string]json.RawMessage
	old   *itemImage
}

type rawItem = map[string]json.RawMessage

// writeLocked applies a write request, logs it and emits stream records for the
// items it changed. identity marks TTL deletions. Callers hold s.mu (shared is
// enough): the tables the request touches are locked here, so the read-old /
// write / read-new sequence and the stream order are consistent per table while
// writes to different tables run in parallel.
func (s *Service) writeLocked(op string, body []byte, identity *events.DynamoDBUserIdentity) engineResult {
	targets, errRes := s.writeTargets(op, body)
	if errRes != nil {
		return *errRes
	}
	unlock := lockTables(targets)
	defer unlock()
	streamed := targets[:0]
	for _, t := range targets {
		if t.table.stream == nil {
			continue
		}
		old, err := s.readImage(t.table, t.key)
		if err != nil {
			return apiError(http.StatusInternalServerError, "InternalServerError", err.Error())
		}
		t.old = old
		streamed = append(streamed, t)
	}
	res := s.callEngine(op, body)
	if !res.ok() {
		return res
	}
	s.appendLog(op, body)
	now := s.opts.Now()
	perStream := map[*Stream][]events.DynamoDBEventRecord{}
	var order []*Stream
	for _, t := range streamed {
		newImg, err := s.readImage(t.table, t.key)
		if err != nil {
			s.log.Error("read item after write", "table", t.table.spec.Name, "err", err)
			continue
		}
		kind := changeKind(t.old, newImg)
		if kind == "" {
			continue
		}
		st := t.table.stream
		rec := buildRecord(recordMeta{
			region: s.opts.Region, arn: st.arn, viewType: st.viewType,
			keyAttrs: t.table.keyAttrs(), now: now, identity: identity,
		}, kind, t.old, newImg)
		if _, seen := perStream[st]; !seen {
			order = append(order, st)
		}
		perStream[st] = append(perStream[st], rec)
	}
	for _, st := range order {
		st.append(perStream[st]...)
	}
	return res
}

// lockTables locks every table the targets touch, in name order (so two requests
// spanning the same tables cannot deadlock), and returns the unlock.
func lockTables(targets []writeTarget) func() {
	var tables []*tableState
	for _, t := range targets {
		if !slices.Contains(tables, t.table) {
			tables = append(tables, t.table)
		}
	}
	slices.SortFunc(tables, func(a, b *tableState) int { return strings.Compare(a.spec.Name, b.spec.Name) })
	for _, t := range tables {
		t.writeMu.Lock()
	}
	return func() {
		for i := len(tables) - 1; i >= 0; i-- {
			tables[i].writeMu.Unlock()
		}
	}
}

func (s *Service) readImage(t *tableState, key rawItem) (*itemImage, error) {
	raw, err := s.getItemRaw(t.spec.Name, key)
	if err != nil {
		return nil, err
	}
	return decodeImage(raw)
}

// writeTargets lists the items a write request touches, in request order.
// Items of unknown tables or with incomplete keys are skipped: the engine rejects them.
func (s *Service) writeTargets(op string, body []byte) ([]writeTarget, *engineResult) {
	type keyed struct {
		TableName string
		Key       rawItem
		Item      rawItem
	}
	var targets []writeTarget
	add := func(table string, key, item rawItem) {
		t := s.tables[table]
		if t == nil {
			return
		}
		if key == nil {
			key = pickKey(t, item)
		}
		if key != nil {
			targets = append(targets, writeTarget{table: t, key: key})
		}
	}
	bad := func(err error) ([]writeTarget, *engineResult) {
		r := apiError(http.StatusBadRequest, "SerializationException", err.Error())
		return nil, &r
	}
	switch op {
	case "PutItem", "UpdateItem", "DeleteItem":
		var req keyed
		if err := json.Unmarshal(body, &req); err != nil {
			return bad(err)
		}
		add(req.TableName, req.Key, req.Item)
	case "BatchWriteItem":
		var req struct {
			RequestItems map[string][]struct {
				PutRequest    *struct{ Item rawItem }
				DeleteRequest *struct{ Key rawItem }
			}
		}
		if err := json.Unmarshal(body, &req); err != nil {
			return bad(err)
		}
		tables := make([]string, 0, len(req.RequestItems))
		for name := range req.RequestItems {
			tables = append(tables, name)
		}
		sort.Strings(tables)
		for _, name := range tables {
			for _, w := range req.RequestItems[name] {
				switch {
				case w.PutRequest != nil:
					add(name, nil, w.PutRequest.Item)
				case w.DeleteRequest != nil:
					add(name, w.DeleteRequest.Key, nil)
				}
			}
		}
		if hasDuplicateKeys(targets) {
			r := apiError(http.StatusBadRequest, "ValidationException", "Provided list of item keys contains duplicates")
			return nil, &r
		}
	case "TransactWriteItems":
		var req struct {
			TransactItems []struct {
				Put    *keyed
				Update *keyed
				Delete *keyed
			}
		}
		if err := json.Unmarshal(body, &req); err != nil {
			return bad(err)
		}
		for _, it := range req.TransactItems {
			for _, k := range []*keyed{it.Put, it.Update, it.Delete} {
				if k != nil {
					add(k.TableName, k.Key, k.Item)
				}
			}
		}
	}
	return targets, nil
}

// pickKey extracts the primary key attributes from a full item, nil if one is missing.
func pickKey(t *tableState, item rawItem) rawItem {
	key := rawItem{}
	for _, name := range t.keyAttrs() {
		v, ok := item[name]
		if !ok {
			return nil
		}
		key[name] = v
	}
	return key
}

func keyIdentity(t writeTarget) string {
	b, _ := json.Marshal(t.key) // sorted keys, compacted values
	return t.table.spec.Name + "\x00" + string(b)
}

func hasDuplicateKeys(targets []writeTarget) bool {
	seen := make(map[string]bool, len(targets))
	for _, t := range targets {
		id := keyIdentity(t)
		if seen[id] {
			return true
		}
		seen[id] = true
	}
	return false
}
