package ddbemu

import (
	"encoding/json"
	"fmt"
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
	// update is the UpdateItem request or transaction Update action; it is tried on the
	// scratch engine first, to check the item it would produce.
	update map[string]json.RawMessage
	action int // index in TransactItems
}

type rawItem = map[string]json.RawMessage

// writeRequest is a parsed, statically validated item write.
type writeRequest struct {
	op           string
	targets      []writeTarget
	returnValues string         // PutItem, UpdateItem, DeleteItem; "" = NONE
	actions      int            // TransactWriteItems: number of actions
	reasons      map[int]string // TransactWriteItems: ValidationError cancellation reasons by action
}

func (r *writeRequest) single() bool {
	return r.op == "PutItem" || r.op == "UpdateItem" || r.op == "DeleteItem"
}

// writeLocked applies a write request, logs it and emits stream records for the
// items it changed. identity marks TTL deletions. Callers hold s.mu (shared is
// enough): the tables the request touches are locked here, so the read-old /
// write / read-new sequence and the stream order are consistent per table while
// writes to different tables run in parallel.
func (s *Service) writeLocked(op string, body []byte, identity *events.DynamoDBUserIdentity) engineResult {
	req, errRes := s.parseWrite(op, body)
	if errRes != nil {
		return *errRes
	}
	targets := req.targets
	unlock := lockTables(targets)
	defer unlock()
	if identity == nil {
		if res := s.checkConflicts(req); res != nil {
			return *res
		}
	}
	wantOld := req.single() && req.returnValues != ""
	for i := range targets {
		t := &targets[i]
		if t.table.stream == nil && t.update == nil && !wantOld {
			continue
		}
		old, err := s.readImage(t.table, t.key)
		if err != nil {
			return internalError(err)
		}
		t.old = old
	}
	if res := s.checkUpdates(req); res != nil {
		return *res
	}
	var before rawItem
	if req.single() && req.returnValues == "UPDATED_OLD" && len(targets) == 1 {
		before = s.updatedAttributes(targets[0], body)
	}
	res := s.callEngine(op, body)
	if !res.ok() {
		return res
	}
	s.appendLog(op, body)
	if op == "TransactWriteItems" {
		s.holds.holdAll(targets)
	}
	now := s.opts.Now()
	perStream := map[*Stream][]events.DynamoDBEventRecord{}
	var order []*Stream
	var newImg *itemImage
	for _, t := range targets {
		wantNew := req.single() && req.returnValues == "ALL_NEW"
		if t.table.stream == nil && !wantNew {
			continue
		}
		img, err := s.readImage(t.table, t.key)
		if err != nil {
			s.log.Error("read item after write", "table", t.table.spec.Name, "err", err)
			continue
		}
		newImg = img
		if t.table.stream == nil {
			continue
		}
		kind := changeKind(t.old, img)
		if kind == "" {
			continue
		}
		st := t.table.stream
		rec := buildRecord(recordMeta{
			region: s.opts.Region, arn: st.arn, viewType: st.viewType,
			keyAttrs: t.table.keyAttrs(), now: now, identity: identity,
		}, kind, t.old, img)
		if _, seen := perStream[st]; !seen {
			order = append(order, st)
		}
		perStream[st] = append(perStream[st], rec)
	}
	for _, st := range order {
		st.append(perStream[st]...)
	}
	if req.single() && len(targets) == 1 {
		return s.withReturnValues(res, req, targets[0], before, newImg, body)
	}
	return res
}

// withReturnValues sets the response's Attributes as ReturnValues asks (API reference of PutItem,
// UpdateItem, DeleteItem: "NONE - If ReturnValues is not specified, or if its value is NONE, then
// nothing is returned"). The engine's own Attributes are not AWS's: it returns the new item for
// PutItem by default and for ALL_OLD/UPDATED_OLD.
func (s *Service) withReturnValues(res engineResult, req writeRequest, t writeTarget, before rawItem, newImg *itemImage, body []byte) engineResult {
	var out map[string]json.RawMessage
	if err := json.Unmarshal(res.body, &out); err != nil {
		return internalError(fmt.Errorf("decode %s response: %w", req.op, err))
	}
	engineAttrs := out["Attributes"]
	delete(out, "Attributes")
	var attrs json.RawMessage
	switch req.returnValues {
	case "ALL_OLD":
		if t.old != nil {
			attrs = t.old.raw
		}
	case "ALL_NEW":
		if newImg != nil {
			attrs = newImg.raw
		}
	case "UPDATED_OLD":
		attrs = encodeAttrs(before)
	case "UPDATED_NEW":
		if after := s.updatedAttributes(t, body); after != nil {
			attrs = encodeAttrs(after)
		} else {
			attrs = engineAttrs
		}
	}
	if len(attrs) > 0 && string(attrs) != "null" && string(attrs) != "{}" {
		out["Attributes"] = attrs
	}
	return jsonResult(out)
}

func encodeAttrs(item rawItem) json.RawMessage {
	if len(item) == 0 {
		return nil
	}
	b, err := json.Marshal(item)
	if err != nil {
		return nil
	}
	return b
}

// updatedAttributes reads the attributes (down to the nested paths) an UpdateItem request names,
// as they are now; nil if the request cannot be read.
func (s *Service) updatedAttributes(t writeTarget, body []byte) rawItem {
	var req struct {
		UpdateExpression         string
		ExpressionAttributeNames map[string]string
		AttributeUpdates         map[string]json.RawMessage
	}
	if json.Unmarshal(body, &req) != nil {
		return nil
	}
	names := map[string]string{}
	var paths []string
	if req.UpdateExpression != "" {
		paths = updatePaths(req.UpdateExpression)
		for _, p := range paths {
			for _, alias := range nameAlias.FindAllString(p, -1) {
				if n, ok := req.ExpressionAttributeNames[alias]; ok {
					names[alias] = n
				}
			}
		}
	} else {
		attrs := make([]string, 0, len(req.AttributeUpdates))
		for a := range req.AttributeUpdates {
			attrs = append(attrs, a)
		}
		sort.Strings(attrs)
		for i, a := range attrs {
			alias := fmt.Sprintf("#u%d", i)
			names[alias] = a
			paths = append(paths, alias)
		}
	}
	if len(paths) == 0 {
		return nil
	}
	get := map[string]any{
		"TableName": t.table.spec.Name, "Key": t.key, "ConsistentRead": true,
		"ProjectionExpression": strings.Join(paths, ", "),
	}
	if len(names) > 0 {
		get["ExpressionAttributeNames"] = names
	}
	var out struct{ Item rawItem }
	if err := s.callEngineJSON("GetItem", get, &out); err != nil {
		s.log.Warn("read updated attributes", "table", t.table.spec.Name, "err", err)
		return nil
	}
	if out.Item == nil {
		return rawItem{}
	}
	return out.Item
}

// checkUpdates tries each update on the scratch engine and refuses it when the item it would
// produce is over the size limit or has an invalid index key. Inside a transaction an oversized
// result is a ValidationError cancellation reason, not a refusal of the whole request.
func (s *Service) checkUpdates(req writeRequest) *engineResult {
	reasons := req.reasons
	for _, t := range req.targets {
		if t.update == nil {
			continue
		}
		newItem := s.simulateUpdate(t)
		if newItem == nil {
			continue // the engine will report why the update fails
		}
		var oldItem rawItem
		if t.old != nil {
			if err := json.Unmarshal(t.old.raw, &oldItem); err != nil {
				return ptr(internalError(fmt.Errorf("decode item: %w", err)))
			}
		}
		bad := t.table.checkIndexKeys(newItem, orEmpty(oldItem))
		if bad == nil && oversized(newItem) {
			bad = &invalid{msg: msgItemToUpdateTooLarge}
		}
		if bad == nil {
			continue
		}
		if req.op != "TransactWriteItems" || bad.hoist {
			return ptr(validationError(bad.msg))
		}
		if reasons == nil {
			reasons = map[int]string{}
		}
		if _, seen := reasons[t.action]; !seen {
			reasons[t.action] = bad.msg
		}
	}
	if len(reasons) > 0 {
		return ptr(transactionCanceled(req.actions, reasons))
	}
	return nil
}

func orEmpty(item rawItem) rawItem {
	if item == nil {
		return rawItem{}
	}
	return item
}

func ptr(r engineResult) *engineResult { return &r }

// simulateUpdate applies an update to a copy of the item on the scratch engine and returns the
// resulting item, nil if the update fails there. Callers hold the table's write lock, which
// also serialises use of its scratch table.
func (s *Service) simulateUpdate(t writeTarget) rawItem {
	name := t.table.spec.Name
	defer func() {
		if err := s.callScratchJSON("DeleteItem", map[string]any{"TableName": name, "Key": t.key}, nil); err != nil {
			s.log.Warn("clear scratch item", "table", name, "err", err)
		}
	}()
	if t.old != nil {
		if err := s.callScratchJSON("PutItem", map[string]any{"TableName": name, "Item": json.RawMessage(t.old.raw)}, nil); err != nil {
			s.log.Warn("copy item to scratch", "table", name, "err", err)
			return nil
		}
	}
	req := map[string]json.RawMessage{}
	for _, f := range []string{"Key", "UpdateExpression", "ConditionExpression", "ExpressionAttributeNames",
		"ExpressionAttributeValues", "AttributeUpdates", "Expected", "ConditionalOperator"} {
		if v, ok := t.update[f]; ok {
			req[f] = v
		}
	}
	req["TableName"], _ = json.Marshal(name)
	req["ReturnValues"] = json.RawMessage(`"ALL_NEW"`)
	var out struct{ Attributes rawItem }
	if err := s.callScratchJSON("UpdateItem", req, &out); err != nil {
		return nil
	}
	return orEmpty(out.Attributes)
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

func validationError(msg string) engineResult {
	return apiError(http.StatusBadRequest, "ValidationException", msg)
}

func internalError(err error) engineResult {
	return apiError(http.StatusInternalServerError, "InternalServerError", err.Error())
}

// transactionCanceled is AWS's TransactionCanceledException with a ValidationError reason for the
// actions in reasons and None for the others.
func transactionCanceled(actions int, reasons map[int]string) engineResult {
	coded := make(map[int]cancelReason, len(reasons))
	for i, msg := range reasons {
		coded[i] = cancelReason{code: reasonValidationError, msg: msg}
	}
	return cancellation(actions, coded)
}

// cancelReason is one entry of a TransactionCanceledException's CancellationReasons.
type cancelReason struct{ code, msg string }

// cancellation is AWS's TransactionCanceledException with one reason per action (None where reasons has none).
func cancellation(actions int, reasons map[int]cancelReason) engineResult {
	codes := make([]string, actions)
	list := make([]map[string]string, actions)
	for i := range actions {
		if r, ok := reasons[i]; ok {
			codes[i], list[i] = r.code, map[string]string{"Code": r.code, "Message": r.msg}
		} else {
			codes[i], list[i] = "None", map[string]string{"Code": "None"}
		}
	}
	body, _ := json.Marshal(map[string]any{
		"__type":              "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
		"message":             "Transaction cancelled, please refer cancellation reasons for specific reasons [" + strings.Join(codes, ", ") + "]",
		"CancellationReasons": list,
	})
	return engineResult{status: http.StatusBadRequest, body: body}
}

// parseWrite lists the items a write request touches, in request order, and refuses what AWS
// refuses before running it: invalid keys, index keys and ReturnValues, and oversized items.
// Items of unknown tables are skipped: the engine rejects them.
func (s *Service) parseWrite(op string, body []byte) (writeRequest, *engineResult) {
	req := writeRequest{op: op}
	type keyed struct {
		TableName    string
		Key          rawItem
		Item         rawItem
		ReturnValues string
	}
	fail := func(res engineResult) (writeRequest, *engineResult) { return writeRequest{}, &res }
	bad := func(err error) (writeRequest, *engineResult) {
		return fail(apiError(http.StatusBadRequest, "SerializationException", err.Error()))
	}
	switch op {
	case "PutItem", "UpdateItem", "DeleteItem":
		var k keyed
		if err := json.Unmarshal(body, &k); err != nil {
			return bad(err)
		}
		if k.ReturnValues != "NONE" {
			req.returnValues = k.ReturnValues
		}
		if op != "UpdateItem" && req.returnValues != "" && req.returnValues != "ALL_OLD" {
			return fail(validationError("Return values set to invalid value"))
		}
		t := s.tables[k.TableName]
		if t == nil {
			return req, nil
		}
		var problem *invalid
		var update map[string]json.RawMessage
		switch op {
		case "PutItem":
			problem = t.checkItem(k.Item, false)
			if problem == nil && oversized(k.Item) {
				problem = refuse(msgItemTooLarge)
			}
			k.Key = pickKey(t, k.Item)
		case "UpdateItem":
			problem = t.checkKey(k.Key)
			if err := json.Unmarshal(body, &update); err != nil {
				return bad(err)
			}
		default:
			problem = t.checkKey(k.Key)
		}
		if problem != nil {
			return fail(validationError(problem.msg))
		}
		req.targets = append(req.targets, writeTarget{table: t, key: k.Key, update: update})
	case "BatchWriteItem":
		var r struct {
			RequestItems map[string][]struct {
				PutRequest    *struct{ Item rawItem }
				DeleteRequest *struct{ Key rawItem }
			}
		}
		if err := json.Unmarshal(body, &r); err != nil {
			return bad(err)
		}
		tables := make([]string, 0, len(r.RequestItems))
		for name := range r.RequestItems {
			tables = append(tables, name)
		}
		sort.Strings(tables)
		for _, name := range tables {
			t := s.tables[name]
			if t == nil {
				continue
			}
			for _, w := range r.RequestItems[name] {
				var problem *invalid
				var key rawItem
				switch {
				case w.PutRequest != nil:
					problem = t.checkItem(w.PutRequest.Item, true)
					if problem == nil && oversized(w.PutRequest.Item) {
						problem = refuse(msgItemTooLarge)
					}
					key = pickKey(t, w.PutRequest.Item)
				case w.DeleteRequest != nil:
					problem, key = t.checkKey(w.DeleteRequest.Key), w.DeleteRequest.Key
				default:
					continue
				}
				if problem != nil {
					return fail(validationError(problem.msg))
				}
				req.targets = append(req.targets, writeTarget{table: t, key: key})
			}
		}
		if hasDuplicateKeys(req.targets) {
			return fail(validationError("Provided list of item keys contains duplicates"))
		}
	case "TransactWriteItems":
		var r struct {
			TransactItems []struct {
				Put            *keyed
				Update         json.RawMessage
				Delete         *keyed
				ConditionCheck *keyed
			}
		}
		if err := json.Unmarshal(body, &r); err != nil {
			return bad(err)
		}
		req.actions = len(r.TransactItems)
		for i, it := range r.TransactItems {
			var k *keyed
			var problem *invalid
			var update map[string]json.RawMessage
			switch {
			case it.Put != nil:
				k = it.Put
				if t := s.tables[k.TableName]; t != nil {
					problem = t.checkItem(k.Item, false)
					if problem == nil && oversized(k.Item) {
						problem = refuse(msgItemTooLarge)
					}
					k.Key = pickKey(t, k.Item)
				}
			case it.Update != nil:
				k = &keyed{}
				if err := json.Unmarshal(it.Update, k); err != nil {
					return bad(err)
				}
				if err := json.Unmarshal(it.Update, &update); err != nil {
					return bad(err)
				}
			case it.Delete != nil:
				k = it.Delete
			case it.ConditionCheck != nil:
				k = it.ConditionCheck
			default:
				continue
			}
			t := s.tables[k.TableName]
			if t == nil {
				continue
			}
			if it.Put == nil {
				problem = t.checkKey(k.Key)
			}
			if problem != nil {
				if problem.hoist {
					return fail(validationError(problem.msg))
				}
				if req.reasons == nil {
					req.reasons = map[int]string{}
				}
				req.reasons[i] = problem.msg
				continue
			}
			if it.ConditionCheck == nil {
				req.targets = append(req.targets, writeTarget{table: t, key: k.Key, update: update, action: i})
			}
		}
	}
	return req, nil
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
