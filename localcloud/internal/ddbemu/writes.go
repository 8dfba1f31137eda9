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

type rawItem = map[string]json.RawMessage

// itemAction is one item write or check as the API sends it: PutItem, UpdateItem, DeleteItem, a
// transaction's Put, Update, Delete or ConditionCheck, or a batch's PutRequest or DeleteRequest.
type itemAction struct {
	TableName                           string
	Key                                 rawItem
	Item                                rawItem
	UpdateExpression                    string
	ConditionExpression                 string
	ExpressionAttributeNames            map[string]string
	ExpressionAttributeValues           rawItem
	ReturnValues                        string
	ReturnValuesOnConditionCheckFailure string
}

const (
	kindPut            = "Put"
	kindUpdate         = "Update"
	kindDelete         = "Delete"
	kindConditionCheck = "ConditionCheck"
)

// writeTarget is one item a write request touches: its table, primary key and action, and once
// evaluated, the item before and after.
type writeTarget struct {
	table  *tableState
	key    rawItem
	kind   string
	req    *itemAction
	action int // index in TransactItems

	storeKey  string
	old       *storedItem
	oldRaw    []byte // the old item's DynamoDB JSON
	oldAttrs  rawItem
	next      rawItem // nil: no item after the write
	nextRaw   []byte
	update    *update
	exprInput exprInput
}

func (t *writeTarget) writes() bool { return t.kind != kindConditionCheck }

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

// writeLocked applies a write request: every item's old and new image is computed in one pass
// under the locks of the tables it touches, then the new images are logged, swapped into the
// tables and turned into stream records. identity marks TTL deletions. Callers hold s.mu (shared
// is enough): writes to different tables run in parallel.
func (s *Service) writeLocked(op string, body []byte, identity *events.DynamoDBUserIdentity) engineResult {
	req, errRes := s.parseWrite(op, body)
	if errRes != nil {
		return *errRes
	}
	targets := req.targets
	unlock := lockTables(targets)
	defer unlock()
	if identity == nil && !s.replaying {
		if res := s.checkConflicts(req); res != nil {
			return *res
		}
	}
	if res := s.evaluate(&req); res != nil {
		return *res
	}
	if res := s.commit(req); res != nil {
		return *res
	}
	if op == "TransactWriteItems" && !s.replaying {
		s.holds.holdAll(slices.DeleteFunc(slices.Clone(targets), func(t writeTarget) bool { return !t.writes() }))
	}
	s.emitRecords(targets, identity)
	return s.writeResponse(req)
}

// evaluate checks each action's condition on the current item and computes the item after it.
// A failed condition is a ConditionalCheckFailedException, or in a transaction a
// ConditionalCheckFailed cancellation reason ("TransactWriteItems",
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html).
func (s *Service) evaluate(req *writeRequest) *engineResult {
	reasons := map[int]cancelReason{}
	for i, r := range req.reasons {
		reasons[i] = cancelReason{code: reasonValidationError, msg: r}
	}
	for i := range req.targets {
		t := &req.targets[i]
		st := t.table.store
		a := t.req
		key, err := st.primaryKey(t.key)
		if err != nil {
			return ptr(validationError(msgKeySchemaMismatch))
		}
		t.storeKey = key
		if t.old = st.getLocked(key); t.old != nil {
			if t.oldRaw, err = st.itemJSON(t.old); err != nil {
				return ptr(internalError(err))
			}
			if t.oldAttrs, err = decodeAttrs(t.oldRaw); err != nil {
				return ptr(internalError(err))
			}
		}
		if err := checkPlaceholders(a.ExpressionAttributeNames, a.ExpressionAttributeValues, a.UpdateExpression, a.ConditionExpression); err != nil {
			return ptr(badRequest(err))
		}
		if t.exprInput, err = newExprInput(a.ExpressionAttributeNames, a.ExpressionAttributeValues); err != nil {
			return ptr(badRequest(err))
		}
		if t.kind == kindConditionCheck && strings.TrimSpace(a.ConditionExpression) == "" {
			return ptr(validationError("The ConditionCheck request must have a ConditionExpression"))
		}
		cond, err := parseCondition("ConditionExpression", a.ConditionExpression, a.ExpressionAttributeNames)
		if err != nil {
			return ptr(badRequest(err))
		}
		if t.kind == kindUpdate {
			if t.update, err = parseUpdate(a.UpdateExpression, a.ExpressionAttributeNames, st.hashKey, st.rangeKey); err != nil {
				return ptr(badRequest(err))
			}
		}
		if cond != nil {
			current, err := decodeTypesItem(t.oldAttrs)
			if err != nil {
				return ptr(internalError(err))
			}
			ok, err := cond.match(t.exprInput, current)
			if err != nil {
				return ptr(badRequest(err))
			}
			if !ok {
				var item json.RawMessage
				if a.ReturnValuesOnConditionCheckFailure == "ALL_OLD" && t.old != nil {
					item = t.oldRaw
				}
				if req.op != "TransactWriteItems" {
					return ptr(conditionalCheckFailed(item))
				}
				if _, seen := reasons[t.action]; !seen {
					reasons[t.action] = cancelReason{code: "ConditionalCheckFailed", msg: "The conditional request failed", item: item}
				}
				continue
			}
		}
		switch t.kind {
		case kindPut:
			t.next = a.Item
		case kindDelete:
			t.next = nil
		case kindConditionCheck:
			t.next = t.oldAttrs
		case kindUpdate:
			base := t.oldAttrs
			if base == nil {
				base = t.key
			}
			if t.next, err = t.update.apply(t.exprInput, base); err != nil {
				return ptr(validationError(err.Error()))
			}
			bad := t.table.checkIndexKeys(t.next, orEmpty(t.oldAttrs))
			if bad == nil && oversized(t.next) {
				bad = &invalid{msg: msgItemToUpdateTooLarge}
			}
			if bad != nil {
				if req.op != "TransactWriteItems" || bad.hoist {
					return ptr(validationError(bad.msg))
				}
				if _, seen := reasons[t.action]; !seen {
					reasons[t.action] = cancelReason{code: reasonValidationError, msg: bad.msg}
				}
				continue
			}
		}
		if t.next != nil && t.writes() {
			if t.nextRaw, err = canonicalItem(t.next); err != nil {
				return ptr(validationError(err.Error()))
			}
		}
	}
	if len(reasons) > 0 {
		return ptr(cancellation(req.actions, reasons))
	}
	return nil
}

func conditionalCheckFailed(item json.RawMessage) engineResult {
	body := map[string]any{
		"__type":  "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
		"message": "The conditional request failed",
	}
	if item != nil {
		body["Item"] = item
	}
	b, _ := json.Marshal(body)
	return engineResult{status: http.StatusBadRequest, body: b}
}

// commit logs the new images and swaps them into the tables.
func (s *Service) commit(req writeRequest) *engineResult {
	var entries []walItem
	perTable := map[*tableState][]storeChange{}
	var order []*tableState
	for i := range req.targets {
		t := &req.targets[i]
		if !t.writes() || (t.old == nil && t.next == nil) {
			continue
		}
		change := storeChange{key: t.storeKey, old: t.old, oldAttrs: t.oldAttrs, nextAttrs: t.next}
		entry := walItem{Table: t.table.spec.Name}
		if t.next != nil {
			packer := t.table.store.packer // nil: this item makes it, and is logged unpacked
			packed, err := t.table.store.pack(t.nextRaw)
			if err != nil {
				return ptr(internalError(err))
			}
			change.next = packed
			if packer != nil {
				entry.Packed, entry.Dict = packed, packer.dictCRC
			} else {
				entry.Item = t.nextRaw
			}
		} else {
			entry.Key = mustJSON(t.key)
		}
		if _, seen := perTable[t.table]; !seen {
			order = append(order, t.table)
		}
		perTable[t.table] = append(perTable[t.table], change)
		entries = append(entries, entry)
	}
	if len(entries) > 0 && !s.replaying {
		if err := s.logItems(entries); err != nil {
			return ptr(internalError(err))
		}
	}
	for _, t := range order {
		t.store.apply(perTable[t])
	}
	return nil
}

// emitRecords appends a stream record for every item the write changed, in request order per stream.
func (s *Service) emitRecords(targets []writeTarget, identity *events.DynamoDBUserIdentity) {
	if s.replaying {
		return
	}
	now := s.opts.Now()
	perStream := map[*Stream][]events.DynamoDBEventRecord{}
	var order []*Stream
	for _, t := range targets {
		st := t.table.stream
		if st == nil || !t.writes() {
			continue
		}
		oldImg, err := decodeImage(t.oldRaw)
		if err != nil {
			s.log.Error("decode old image", "table", t.table.spec.Name, "err", err)
			continue
		}
		var newImg *itemImage
		if t.next != nil {
			if newImg, err = decodeImage(t.nextRaw); err != nil {
				s.log.Error("decode new image", "table", t.table.spec.Name, "err", err)
				continue
			}
		}
		kind := changeKind(oldImg, newImg)
		if kind == "" {
			continue
		}
		rec := buildRecord(recordMeta{
			region: s.opts.Region, arn: st.arn, viewType: st.viewType,
			keyAttrs: t.table.keyAttrs(), now: now, identity: identity,
		}, kind, oldImg, newImg)
		if _, seen := perStream[st]; !seen {
			order = append(order, st)
		}
		perStream[st] = append(perStream[st], rec)
	}
	for _, st := range order {
		st.append(perStream[st]...)
	}
}

// writeResponse renders the answer: Attributes as ReturnValues asks (API references of PutItem,
// UpdateItem, DeleteItem: "NONE - If ReturnValues is not specified, or if its value is NONE, then
// nothing is returned"), an empty UnprocessedItems for a batch.
func (s *Service) writeResponse(req writeRequest) engineResult {
	switch {
	case req.op == "BatchWriteItem":
		return rawResult([]byte(`{"UnprocessedItems":{}}`))
	case !req.single() || len(req.targets) != 1:
		return rawResult([]byte(`{}`))
	}
	t := req.targets[0]
	var attrs json.RawMessage
	switch req.returnValues {
	case "ALL_OLD":
		attrs = t.oldRaw
	case "ALL_NEW":
		attrs = t.nextRaw
	case "UPDATED_OLD", "UPDATED_NEW":
		from := t.oldAttrs
		if req.returnValues == "UPDATED_NEW" {
			from = t.next
		}
		if from != nil {
			projected, err := t.update.updatedPaths(t.exprInput, from)
			if err != nil {
				return internalError(err)
			}
			if len(projected) > 0 {
				if attrs, err = canonicalItem(projected); err != nil {
					return internalError(err)
				}
			}
		}
	}
	if len(attrs) == 0 {
		return rawResult([]byte(`{}`))
	}
	return rawResult(joinJSON(`{"Attributes":`, attrs, `}`))
}

func orEmpty(item rawItem) rawItem {
	if item == nil {
		return rawItem{}
	}
	return item
}

func ptr(r engineResult) *engineResult { return &r }

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

func validationError(msg string) engineResult {
	return apiError(http.StatusBadRequest, "ValidationException", msg)
}

func internalError(err error) engineResult {
	return apiError(http.StatusInternalServerError, "InternalServerError", err.Error())
}

// cancelReason is one entry of a TransactionCanceledException's CancellationReasons.
type cancelReason struct {
	code, msg string
	item      json.RawMessage // ReturnValuesOnConditionCheckFailure ALL_OLD
}

// cancellation is AWS's TransactionCanceledException with one reason per action (None where reasons has none).
func cancellation(actions int, reasons map[int]cancelReason) engineResult {
	codes := make([]string, actions)
	list := make([]map[string]any, actions)
	for i := range actions {
		if r, ok := reasons[i]; ok {
			codes[i], list[i] = r.code, map[string]any{"Code": r.code, "Message": r.msg}
			if r.item != nil {
				list[i]["Item"] = r.item
			}
		} else {
			codes[i], list[i] = "None", map[string]any{"Code": "None"}
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
// refuses before running it: unknown tables, invalid keys, index keys and ReturnValues, oversized
// items, and two actions on one item.
func (s *Service) parseWrite(op string, body []byte) (writeRequest, *engineResult) {
	req := writeRequest{op: op}
	fail := func(res engineResult) (writeRequest, *engineResult) { return writeRequest{}, &res }
	bad := func(err error) (writeRequest, *engineResult) { return fail(serializationError(err)) }
	switch op {
	case "PutItem", "UpdateItem", "DeleteItem":
		var a itemAction
		if err := json.Unmarshal(body, &a); err != nil {
			return bad(err)
		}
		if a.ReturnValues != "NONE" {
			req.returnValues = a.ReturnValues
		}
		switch req.returnValues {
		case "", "ALL_OLD":
		case "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW":
			if op != "UpdateItem" {
				return fail(validationError("Return values set to invalid value"))
			}
		default:
			return fail(validationError(fmt.Sprintf("1 validation error detected: Value '%s' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [NONE, ALL_OLD, UPDATED_OLD, UPDATED_NEW, ALL_NEW]", req.returnValues)))
		}
		t := s.tables[a.TableName]
		if t == nil {
			return fail(notFound())
		}
		var problem *invalid
		kind := strings.TrimSuffix(op, "Item")
		switch op {
		case "PutItem":
			problem = t.checkItem(a.Item, false)
			if problem == nil && oversized(a.Item) {
				problem = refuse(msgItemTooLarge)
			}
			a.Key = pickKey(t, a.Item)
		default:
			problem = t.checkKey(a.Key)
		}
		if problem != nil {
			return fail(validationError(problem.msg))
		}
		req.targets = append(req.targets, writeTarget{table: t, key: a.Key, kind: kind, req: &a})
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
		total := 0
		for name, writes := range r.RequestItems {
			tables = append(tables, name)
			total += len(writes)
		}
		sort.Strings(tables)
		if total > 25 {
			return fail(validationError("Too many items requested for the BatchWriteItem call"))
		}
		for _, name := range tables {
			t := s.tables[name]
			if t == nil {
				return fail(notFound())
			}
			for _, w := range r.RequestItems[name] {
				var problem *invalid
				a := &itemAction{TableName: name}
				kind := kindPut
				switch {
				case w.PutRequest != nil && w.DeleteRequest == nil:
					a.Item = w.PutRequest.Item
					problem = t.checkItem(a.Item, true)
					if problem == nil && oversized(a.Item) {
						problem = refuse(msgItemTooLarge)
					}
					a.Key = pickKey(t, a.Item)
				case w.DeleteRequest != nil && w.PutRequest == nil:
					kind, a.Key = kindDelete, w.DeleteRequest.Key
					problem = t.checkKey(a.Key)
				default:
					return fail(validationError("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"))
				}
				if problem != nil {
					return fail(validationError(problem.msg))
				}
				req.targets = append(req.targets, writeTarget{table: t, key: a.Key, kind: kind, req: a})
			}
		}
		if hasDuplicateKeys(req.targets) {
			return fail(validationError("Provided list of item keys contains duplicates"))
		}
	case "TransactWriteItems":
		var r struct {
			TransactItems []struct {
				Put            *itemAction
				Update         *itemAction
				Delete         *itemAction
				ConditionCheck *itemAction
			}
		}
		if err := json.Unmarshal(body, &r); err != nil {
			return bad(err)
		}
		if len(r.TransactItems) == 0 || len(r.TransactItems) > 100 {
			return fail(validationError("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100 and greater than or equal to 1"))
		}
		req.actions = len(r.TransactItems)
		for i, it := range r.TransactItems {
			var a *itemAction
			var kind string
			switch {
			case it.Put != nil:
				a, kind = it.Put, kindPut
			case it.Update != nil:
				a, kind = it.Update, kindUpdate
			case it.Delete != nil:
				a, kind = it.Delete, kindDelete
			case it.ConditionCheck != nil:
				a, kind = it.ConditionCheck, kindConditionCheck
			default:
				return fail(validationError("transaction item must include one of Put, Update, Delete, or ConditionCheck"))
			}
			t := s.tables[a.TableName]
			if t == nil {
				return fail(notFound())
			}
			var problem *invalid
			if kind == kindPut {
				problem = t.checkItem(a.Item, false)
				if problem == nil && oversized(a.Item) {
					problem = refuse(msgItemTooLarge)
				}
				a.Key = pickKey(t, a.Item)
			} else {
				problem = t.checkKey(a.Key)
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
			req.targets = append(req.targets, writeTarget{table: t, key: a.Key, kind: kind, req: a, action: i})
		}
		if hasDuplicateKeys(req.targets) {
			return fail(validationError("Transaction request cannot include multiple operations on one item"))
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
