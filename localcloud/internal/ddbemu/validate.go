package ddbemu

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// AWS's ValidationException messages for key attributes. Sources: the PutItem/GetItem API
// references ("Attribute values of type String and Binary must have a length greater than
// zero if the attribute is used as a key attribute for a table or index"), and for the exact
// wording the messages DynamoDB returns, as recorded by moto (moto/dynamodb/exceptions.py,
// responses.py) and dynoxide (src/actions/helpers.rs, captured against eu-west-2).
const (
	msgKeySchemaMismatch   = "The provided key element does not match the schema"
	msgConditionTypeSchema = "One or more parameter values were invalid: Condition parameter type does not match schema type"
	msgUpdateEmptyIndexKey = "One or more parameter values are not valid. The update expression attempted to update a secondary index key to a value that is not supported. The AttributeValue for a key attribute cannot contain an empty string value."
)

func msgEmptyKey(attr, typ string) string {
	return fmt.Sprintf("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s", emptyWord(typ), attr)
}

func msgMissingKey(attr string) string {
	return "One or more parameter values were invalid: Missing the key " + attr + " in the item"
}

func msgKeyTypeMismatch(attr, want, got string) string {
	return fmt.Sprintf("One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s", attr, want, got)
}

func msgEmptyIndexKey(index, attr, typ string) string {
	return fmt.Sprintf("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s", emptyWord(typ), index, attr)
}

func msgIndexKeyTypeMismatch(index, attr, want, got string) string {
	return fmt.Sprintf("One or more parameter values were invalid: Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s", attr, want, got, index)
}

func emptyWord(typ string) string {
	if typ == "B" {
		return "binary"
	}
	return "string"
}

// invalid is a request AWS refuses with a ValidationException. Inside TransactWriteItems,
// empty key values and oversized puts are refused for the whole request (hoist); other
// problems become the item's ValidationError cancellation reason.
type invalid struct {
	msg   string
	hoist bool
}

func refuse(msg string) *invalid { return &invalid{msg: msg, hoist: true} }

// indexKeys is the key schema of a global secondary index.
type indexKeys struct {
	name       string
	attrs      []string // hash, then range if any
	projection string   // ALL ("" too), KEYS_ONLY or INCLUDE
	include    []string // INCLUDE: the projected non-key attributes
}

// attrType returns the type of a DynamoDB JSON value ("S", "N", "M", ...) and whether it is
// an empty string or binary.
func attrType(v json.RawMessage) (typ string, empty bool) {
	var av map[string]json.RawMessage
	if json.Unmarshal(v, &av) != nil || len(av) != 1 {
		return "", false
	}
	for t, raw := range av {
		typ = t
		empty = (t == "S" || t == "B") && string(raw) == `""`
	}
	return typ, empty
}

// checkKey validates a Key argument (GetItem, DeleteItem, UpdateItem, batch and transaction keys):
// exactly the table's key attributes, of their declared types, not empty.
func (t *tableState) checkKey(key rawItem) *invalid {
	if len(key) != len(t.keyAttrs()) {
		return &invalid{msg: msgKeySchemaMismatch}
	}
	for _, name := range t.keyAttrs() {
		v, ok := key[name]
		if !ok {
			return &invalid{msg: msgKeySchemaMismatch}
		}
		typ, empty := attrType(v)
		if want := t.attrTypes[name]; want != "" && typ != want {
			return &invalid{msg: msgKeySchemaMismatch}
		}
		if empty {
			return refuse(msgEmptyKey(name, typ))
		}
	}
	return nil
}

// checkItem validates the key and index key attributes of a whole item (PutItem, transaction Put,
// batch PutRequest). batch selects BatchWriteItem's wording for a wrong-type table key.
func (t *tableState) checkItem(item rawItem, batch bool) *invalid {
	for _, name := range t.keyAttrs() {
		v, ok := item[name]
		if !ok {
			return &invalid{msg: msgMissingKey(name)}
		}
		typ, empty := attrType(v)
		if want := t.attrTypes[name]; want != "" && typ != want {
			if batch {
				return &invalid{msg: msgKeySchemaMismatch}
			}
			return &invalid{msg: msgKeyTypeMismatch(name, want, typ)}
		}
		if empty {
			return refuse(msgEmptyKey(name, typ))
		}
	}
	return t.checkIndexKeys(item, nil)
}

// checkIndexKeys validates the index key attributes present in item (absent ones leave the item
// out of the index). With old set (UpdateItem), only values the update changed are checked.
func (t *tableState) checkIndexKeys(item, old rawItem) *invalid {
	for _, idx := range t.indexes {
		for _, name := range idx.attrs {
			v, ok := item[name]
			if !ok || (old != nil && string(old[name]) == string(v)) {
				continue
			}
			typ, empty := attrType(v)
			if want := t.attrTypes[name]; want != "" && typ != want {
				return &invalid{msg: msgIndexKeyTypeMismatch(idx.name, name, want, typ)}
			}
			if empty {
				if old != nil {
					return refuse(msgUpdateEmptyIndexKey)
				}
				return refuse(msgEmptyIndexKey(idx.name, name, typ))
			}
		}
	}
	return nil
}

// keyConditionTokens splits a KeyConditionExpression into names, placeholders and operators.
var keyConditionTokens = regexp.MustCompile(`#[A-Za-z0-9_]+|:[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*|<=|>=|<>|[=<>(),]`)

// checkQuery validates the key condition values of a Query against the key schema of the
// table or of the index it reads: same type as the key attribute, not empty.
func (t *tableState) checkQuery(body []byte) *invalid {
	var req struct {
		IndexName                 string
		KeyConditionExpression    string
		ExpressionAttributeNames  map[string]string
		ExpressionAttributeValues rawItem
		KeyConditions             map[string]struct{ AttributeValueList []json.RawMessage }
	}
	if json.Unmarshal(body, &req) != nil {
		return nil // the engine reports malformed requests
	}
	keys := t.keyAttrs()
	if req.IndexName != "" {
		keys = nil
		for _, idx := range t.indexes {
			if idx.name == req.IndexName {
				keys = idx.attrs
			}
		}
	}
	check := func(attr string, v json.RawMessage) *invalid {
		want := t.attrTypes[attr]
		if want == "" || v == nil || !slices.Contains(keys, attr) {
			return nil
		}
		typ, empty := attrType(v)
		if typ != want {
			return &invalid{msg: msgConditionTypeSchema}
		}
		if empty {
			return refuse(msgEmptyKey(attr, typ))
		}
		return nil
	}
	attrs := make([]string, 0, len(req.KeyConditions))
	for attr := range req.KeyConditions {
		attrs = append(attrs, attr)
	}
	sort.Strings(attrs)
	for _, attr := range attrs {
		for _, v := range req.KeyConditions[attr].AttributeValueList {
			if bad := check(attr, v); bad != nil {
				return bad
			}
		}
	}
	for _, p := range keyConditionPairs(req.KeyConditionExpression) {
		attr := p[0]
		if strings.HasPrefix(attr, "#") {
			attr = req.ExpressionAttributeNames[attr]
		}
		if bad := check(attr, req.ExpressionAttributeValues[p[1]]); bad != nil {
			return bad
		}
	}
	return nil
}

// keyConditionPairs returns the (attribute, :placeholder) pairs a key condition compares:
// "a = :v" (either side), "a BETWEEN :x AND :y" and "begins_with(a, :v)".
func keyConditionPairs(expr string) [][2]string {
	toks := keyConditionTokens.FindAllString(expr, -1)
	isAttr := func(s string) bool {
		if strings.HasPrefix(s, "#") {
			return true
		}
		switch strings.ToUpper(s) {
		case "AND", "BETWEEN", "BEGINS_WITH":
			return false
		}
		return s != "" && (s[0] == '_' || s[0] >= 'A' && s[0] <= 'Z' || s[0] >= 'a' && s[0] <= 'z')
	}
	isValue := func(s string) bool { return strings.HasPrefix(s, ":") }
	at := func(i int) string {
		if i < 0 || i >= len(toks) {
			return ""
		}
		return toks[i]
	}
	var pairs [][2]string
	for i, tok := range toks {
		switch {
		case tok == "=" || tok == "<" || tok == ">" || tok == "<=" || tok == ">=":
			l, r := at(i-1), at(i+1)
			if isAttr(l) && isValue(r) {
				pairs = append(pairs, [2]string{l, r})
			} else if isValue(l) && isAttr(r) {
				pairs = append(pairs, [2]string{r, l})
			}
		case strings.EqualFold(tok, "BETWEEN"):
			if a := at(i - 1); isAttr(a) {
				for _, v := range []string{at(i + 1), at(i + 3)} {
					if isValue(v) {
						pairs = append(pairs, [2]string{a, v})
					}
				}
			}
		case strings.EqualFold(tok, "begins_with"):
			if a, v := at(i+2), at(i+4); at(i+1) == "(" && isAttr(a) && isValue(v) {
				pairs = append(pairs, [2]string{a, v})
			}
		}
	}
	return pairs
}
