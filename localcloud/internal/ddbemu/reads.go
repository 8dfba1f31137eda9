package ddbemu

import (
	"bytes"
	"encoding/json"
	"hash/fnv"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/google/btree"
)

// maxPageBytes is the 1 MB of data a Query or Scan reads at most per call ("Paginating table query
// results", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html).
const maxPageBytes = 1 << 20

func notFound() engineResult {
	return apiError(http.StatusBadRequest, "ResourceNotFoundException", "Requested resource not found")
}

func badRequest(err error) engineResult { return validationError(err.Error()) }

// getRequest is GetItem's request, and one key of BatchGetItem and TransactGetItems.
type getRequest struct {
	TableName                string
	Key                      rawItem
	ProjectionExpression     string
	ExpressionAttributeNames map[string]string
}

// getItem reads one item (GetItem, https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html);
// nil when there is none. Callers hold s.mu shared.
func (s *Service) getItem(req getRequest) (json.RawMessage, *engineResult) {
	t := s.tables[req.TableName]
	if t == nil {
		return nil, ptr(notFound())
	}
	if bad := t.checkKey(req.Key); bad != nil {
		return nil, ptr(validationError(bad.msg))
	}
	if err := checkPlaceholders(req.ExpressionAttributeNames, nil, req.ProjectionExpression); err != nil {
		return nil, ptr(badRequest(err))
	}
	proj, err := parseProjection(req.ProjectionExpression, req.ExpressionAttributeNames)
	if err != nil {
		return nil, ptr(badRequest(err))
	}
	key, err := t.store.primaryKey(req.Key)
	if err != nil {
		return nil, ptr(validationError(msgKeySchemaMismatch))
	}
	item := t.store.get(key)
	if item == nil {
		return nil, nil
	}
	raw, err := t.store.itemJSON(item)
	if err != nil {
		return nil, ptr(internalError(err))
	}
	if proj == nil {
		return raw, nil
	}
	out, err := projectRaw(proj, exprInput{names: req.ExpressionAttributeNames}, raw)
	if err != nil {
		return nil, ptr(internalError(err))
	}
	return out, nil
}

func projectRaw(p *projection, in exprInput, raw []byte) (json.RawMessage, error) {
	attrs, err := decodeAttrs(raw)
	if err != nil {
		return nil, err
	}
	out, err := p.apply(in, attrs)
	if err != nil {
		return nil, err
	}
	return canonicalItem(out)
}

func (s *Service) read(op string, body []byte) engineResult {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return shutDown()
	}
	switch op {
	case "GetItem":
		var req getRequest
		if err := json.Unmarshal(body, &req); err != nil {
			return serializationError(err)
		}
		item, res := s.getItem(req)
		if res != nil {
			return *res
		}
		if item == nil {
			return rawResult([]byte(`{}`))
		}
		return rawResult(joinJSON(`{"Item":`, item, `}`))
	case "BatchGetItem":
		return s.batchGet(body)
	case "TransactGetItems":
		return s.transactGet(body)
	case "Query", "Scan":
		var req searchRequest
		if err := json.Unmarshal(body, &req); err != nil {
			return serializationError(err)
		}
		req.scan, req.body = op == "Scan", body
		return s.search(req)
	}
	return apiError(http.StatusBadRequest, "UnknownOperationException", "operation "+op+" is not supported by the local DynamoDB")
}

func serializationError(err error) engineResult {
	return apiError(http.StatusBadRequest, "SerializationException", err.Error())
}

func rawResult(body []byte) engineResult { return engineResult{status: http.StatusOK, body: body} }

func joinJSON(parts ...any) []byte {
	var buf bytes.Buffer
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			buf.WriteString(v)
		case []byte:
			buf.Write(v)
		case json.RawMessage:
			buf.Write(v)
		}
	}
	return buf.Bytes()
}

// batchGet is BatchGetItem (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html):
// up to 100 keys, no duplicates; items that do not exist are left out.
func (s *Service) batchGet(body []byte) engineResult {
	var req struct {
		RequestItems map[string]struct {
			Keys                     []rawItem
			ProjectionExpression     string
			ExpressionAttributeNames map[string]string
		}
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return serializationError(err)
	}
	names := make([]string, 0, len(req.RequestItems))
	total := 0
	for name, r := range req.RequestItems {
		names = append(names, name)
		total += len(r.Keys)
	}
	sort.Strings(names)
	if total > 100 {
		return validationError("Too many items requested for the BatchGetItem call")
	}
	responses := map[string][]json.RawMessage{}
	for _, name := range names {
		r := req.RequestItems[name]
		seen := map[string]bool{}
		items := []json.RawMessage{}
		for _, key := range r.Keys {
			id, _ := json.Marshal(key)
			if seen[string(id)] {
				return validationError("Provided list of item keys contains duplicates")
			}
			seen[string(id)] = true
			item, res := s.getItem(getRequest{TableName: name, Key: key, ProjectionExpression: r.ProjectionExpression, ExpressionAttributeNames: r.ExpressionAttributeNames})
			if res != nil {
				return *res
			}
			if item != nil {
				items = append(items, item)
			}
		}
		responses[name] = items
	}
	return jsonResult(map[string]any{"Responses": responses, "UnprocessedKeys": map[string]any{}})
}

// transactGet is TransactGetItems (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactGetItems.html):
// one response per request, in order, an empty one for a missing item.
func (s *Service) transactGet(body []byte) engineResult {
	var req struct{ TransactItems []struct{ Get *getRequest } }
	if err := json.Unmarshal(body, &req); err != nil {
		return serializationError(err)
	}
	if len(req.TransactItems) == 0 || len(req.TransactItems) > 100 {
		return validationError("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100 and greater than or equal to 1")
	}
	seen := map[string]bool{}
	for _, it := range req.TransactItems {
		if it.Get == nil {
			return validationError("transaction item must include Get")
		}
		id, _ := json.Marshal(it.Get.Key)
		if k := it.Get.TableName + "\x00" + string(id); seen[k] {
			return validationError("Transaction request cannot include multiple operations on one item")
		} else {
			seen[k] = true
		}
	}
	// Every table is locked for writing, so the items are read at one point in time.
	var targets []writeTarget
	for _, it := range req.TransactItems {
		if t := s.tables[it.Get.TableName]; t != nil {
			targets = append(targets, writeTarget{table: t})
		}
	}
	unlock := lockTables(targets)
	defer unlock()
	responses := make([]map[string]json.RawMessage, 0, len(req.TransactItems))
	for _, it := range req.TransactItems {
		item, res := s.getItem(*it.Get)
		if res != nil {
			return *res
		}
		r := map[string]json.RawMessage{}
		if item != nil {
			r["Item"] = item
		}
		responses = append(responses, r)
	}
	return jsonResult(map[string]any{"Responses": responses})
}

// searchRequest is a Query or Scan request.
type searchRequest struct {
	scan                      bool
	body                      []byte
	TableName                 string
	IndexName                 string
	KeyConditionExpression    string
	FilterExpression          string
	ProjectionExpression      string
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues rawItem
	ExclusiveStartKey         rawItem
	Limit                     *int
	ScanIndexForward          *bool
	Select                    string
	Segment                   *int
	TotalSegments             *int
}

// search runs a Query or a Scan (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html,
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html). Limit is "the maximum
// number of items to evaluate (not necessarily the number of matching items)"; ScannedCount counts the
// items evaluated, Count those that passed the filter, and LastEvaluatedKey is set when the read stopped
// at Limit or at 1 MB (Query.Pagination.html, Query.Count.html). A Query reads only its partition, from
// its sort key bound or ExclusiveStartKey on.
func (s *Service) search(req searchRequest) engineResult {
	t := s.tables[req.TableName]
	if t == nil {
		return notFound()
	}
	if !req.scan {
		if bad := t.checkQuery(req.body); bad != nil {
			return validationError(bad.msg)
		}
	}
	exprs := []string{req.FilterExpression, req.ProjectionExpression}
	if !req.scan {
		exprs = append(exprs, req.KeyConditionExpression)
	}
	if err := checkPlaceholders(req.ExpressionAttributeNames, req.ExpressionAttributeValues, exprs...); err != nil {
		return badRequest(err)
	}
	if req.Limit != nil && *req.Limit < 1 {
		return validationError("1 validation error detected: Value '" + strconv.Itoa(*req.Limit) + "' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")
	}
	in, err := newExprInput(req.ExpressionAttributeNames, req.ExpressionAttributeValues)
	if err != nil {
		return badRequest(err)
	}
	filter, err := parseCondition("FilterExpression", req.FilterExpression, req.ExpressionAttributeNames)
	if err != nil {
		return badRequest(err)
	}
	proj, err := parseProjection(req.ProjectionExpression, req.ExpressionAttributeNames)
	if err != nil {
		return badRequest(err)
	}
	st := t.store
	var idx *indexStore
	hashKey, rangeKey := st.hashKey, st.rangeKey
	if req.IndexName != "" {
		if idx = st.index(req.IndexName); idx == nil {
			return validationError("The table does not have the specified index: " + req.IndexName)
		}
		hashKey, rangeKey = idx.attrs[0], ""
		if len(idx.attrs) > 1 {
			rangeKey = idx.attrs[1]
		}
	}
	forward := req.scan || req.ScanIndexForward == nil || *req.ScanIndexForward
	var kc *keyCondition
	if !req.scan {
		if kc, err = parseKeyCondition(req.KeyConditionExpression, req.ExpressionAttributeNames, req.ExpressionAttributeValues, hashKey, rangeKey); err != nil {
			return badRequest(err)
		}
	}
	var startAfter seekKey
	if len(req.ExclusiveStartKey) > 0 {
		if startAfter.key, err = st.primaryKey(req.ExclusiveStartKey); err != nil {
			return validationError("The provided starting key is invalid: " + err.Error())
		}
		if idx != nil {
			startAfter.item = startAfter.key
			if startAfter.key = idx.indexKey(req.ExclusiveStartKey); startAfter.key == "" {
				return validationError("The provided starting key is invalid")
			}
		}
	}
	segment := func(string) bool { return true }
	if req.TotalSegments != nil && req.Segment != nil && *req.TotalSegments > 0 {
		total, seg := uint32(*req.TotalSegments), uint32(*req.Segment)
		segment = func(key string) bool {
			part, _ := splitComponent(key)
			h := fnv.New32a()
			_, _ = h.Write([]byte(part))
			return h.Sum32()%total == seg
		}
	}
	limit := -1
	if req.Limit != nil {
		limit = *req.Limit
	}

	var (
		items      []json.RawMessage
		scanned    int
		readBytes  int
		lastItem   *storedItem
		stopped    bool
		failure    error
		countOnly  = req.Select == "COUNT"
		emitted    int
		partition  string
		partLength int
	)
	if kc != nil {
		partition, partLength = kc.partition, len(kc.partition)
	}
	visit := func(at seekKey, item *storedItem) bool {
		if at == startAfter {
			return true
		}
		key := at.key
		if kc != nil {
			if len(key) < partLength || key[:partLength] != partition {
				return false
			}
			rangeValue := ""
			if rangeKey != "" {
				rangeValue, _ = splitComponent(key[partLength:])
			}
			match, done := kc.rangeStatus(rangeValue, forward)
			if done {
				return false
			}
			if !match {
				return true
			}
		} else if !segment(key) {
			return true
		}
		if limit >= 0 && scanned >= limit || readBytes >= maxPageBytes {
			stopped = true
			return false
		}
		raw, err := st.itemJSON(item)
		if err != nil {
			failure = err
			return false
		}
		scanned++
		readBytes += len(raw)
		lastItem = item
		var attrs rawItem
		decoded := func() (rawItem, error) {
			if attrs == nil {
				var err error
				attrs, err = decodeAttrs(raw)
				return attrs, err
			}
			return attrs, nil
		}
		if idx != nil && idx.projection != "" && idx.projection != "ALL" {
			a, err := decoded()
			if err != nil {
				failure = err
				return false
			}
			attrs = idx.project(a, st.keyAttrs())
			if raw, err = canonicalItem(attrs); err != nil {
				failure = err
				return false
			}
		}
		if filter != nil {
			a, err := decoded()
			if err != nil {
				failure = err
				return false
			}
			typed, err := decodeTypesItem(a)
			if err != nil {
				failure = err
				return false
			}
			ok, err := filter.match(in, typed)
			if err != nil {
				failure = err
				return false
			}
			if !ok {
				return true
			}
		}
		emitted++
		if countOnly {
			return true
		}
		if proj != nil {
			a, err := decoded()
			if err != nil {
				failure = err
				return false
			}
			p, err := proj.apply(in, a)
			if err != nil {
				failure = err
				return false
			}
			if raw, err = canonicalItem(p); err != nil {
				failure = err
				return false
			}
		}
		items = append(items, raw)
		return true
	}

	st.mu.RLock()
	a := st.arena
	switch {
	case idx == nil:
		walk(st.primary, forward, pivotFor(kc, forward, startAfter), func(s itemSlot) bool {
			it := a.item(s.ref)
			return visit(seekKey{key: it.key()}, it)
		})
	default:
		walk(idx.tree, forward, pivotFor(kc, forward, startAfter), func(e indexEntry) bool {
			r := a.resolve(e)
			return visit(seekKey{key: r.key, item: r.item.key()}, r.item)
		})
	}
	st.mu.RUnlock()
	if failure != nil {
		return badRequest(failure)
	}
	if limit >= 0 && scanned == limit {
		stopped = true
	}
	out := map[string]any{"Count": emitted, "ScannedCount": scanned}
	if !countOnly {
		if items == nil {
			items = []json.RawMessage{}
		}
		out["Items"] = items
	}
	if stopped && lastItem != nil {
		attrs, err := st.itemAttrs(lastItem)
		if err != nil {
			return internalError(err)
		}
		lek := rawItem{}
		for _, k := range st.keyAttrs() {
			lek[k] = attrs[k]
		}
		if idx != nil {
			for _, k := range idx.attrs {
				lek[k] = attrs[k]
			}
		}
		out["LastEvaluatedKey"] = lek
	}
	return jsonResult(out)
}

// seekKey is a position in a tree: a primary key (item ""), or in an index an index key and the
// primary key of an item with it ("" = before every item with that index key).
type seekKey struct{ key, item string }

func (a seekKey) compare(b seekKey) int {
	if c := strings.Compare(a.key, b.key); c != 0 {
		return c
	}
	return strings.Compare(a.item, b.item)
}

// pivotFor is where a walk starts: the key condition's bound, or the ExclusiveStartKey if that lies
// further in the direction of travel. Comparing (index key, primary key) pairs orders as the
// concatenations did: encodings are self-delimiting (keyenc.go), and a bound that extends a complete
// index key extends it by 0xFF, which follows any primary key as it follows any key value.
func pivotFor(kc *keyCondition, forward bool, startAfter seekKey) *seekKey {
	var pivot *seekKey
	if kc != nil {
		pivot = &seekKey{key: kc.startKey(forward)}
	}
	if startAfter.key != "" && (pivot == nil || (forward && startAfter.compare(*pivot) > 0) || (!forward && startAfter.compare(*pivot) < 0)) {
		pivot = &startAfter
	}
	return pivot
}

type keyed interface{ itemSlot | indexEntry }

func walk[T keyed](tree *btree.BTreeG[T], forward bool, pivot *seekKey, fn func(T) bool) {
	var probe T
	if pivot != nil {
		switch p := any(&probe).(type) {
		case *itemSlot:
			*p = keySlot(pivot.key)
			defer p.release()
		case *indexEntry:
			*p = indexProbe(pivot.key, pivot.item)
			defer p.release()
		}
	}
	switch {
	case forward && pivot == nil:
		tree.Ascend(fn)
	case forward:
		tree.AscendGreaterOrEqual(probe, fn)
	case pivot == nil:
		tree.Descend(fn)
	default:
		tree.DescendLessOrEqual(probe, fn)
	}
}

// project keeps what a KEYS_ONLY or INCLUDE index holds of an item
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.Projections).
func (idx *indexStore) project(attrs rawItem, tableKeys []string) rawItem {
	out := rawItem{}
	for _, group := range [][]string{tableKeys, idx.attrs, idx.include} {
		for _, k := range group {
			if v, ok := attrs[k]; ok {
				out[k] = v
			}
		}
	}
	return out
}
