package ddbemu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// apiCall sends one raw DynamoDB request and returns the status and the decoded body.
func apiCall(t *testing.T, svc *Service, op, body string) (int, map[string]json.RawMessage) {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", targetPrefix+op)
	svc.ServeHTTP(rec, req)
	var out map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s: decode %s: %v", op, rec.Body, err)
	}
	return rec.Code, out
}

// apiError returns the error type (after '#') and message of a response, "" for a success.
func errorOf(status int, out map[string]json.RawMessage) (typ, msg string) {
	if status == http.StatusOK {
		return "", ""
	}
	_ = json.Unmarshal(out["__type"], &typ)
	if i := strings.LastIndexByte(typ, '#'); i >= 0 {
		typ = typ[i+1:]
	}
	_ = json.Unmarshal(out["message"], &msg)
	return typ, msg
}

// wantValidation calls op with body and wants ValidationException with wantMsg, or (wantMsg "") success.
func wantValidation(t *testing.T, svc *Service, op, body, wantMsg string) {
	t.Helper()
	typ, msg := errorOf(apiCall(t, svc, op, body))
	wantType := ""
	if wantMsg != "" {
		wantType = "ValidationException"
	}
	if typ != wantType || msg != wantMsg {
		t.Fatalf("got %s %q, want %s %q", typ, msg, wantType, wantMsg)
	}
}

// Sizes from "DynamoDB item sizes and formats"
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html).
func TestItemSizeFollowsItemSizesAndFormats(t *testing.T) {
	cases := []struct {
		name string
		item string
		want int
	}{
		{"string: name + UTF-8 bytes", `{"ab":{"S":"héllo"}}`, 2 + 6},
		{"empty string", `{"ab":{"S":""}}`, 2},
		{"number: 1 byte per two significant digits + 1", `{"n":{"N":"12345"}}`, 1 + 3 + 1},
		{"number: leading and trailing zeros trimmed", `{"n":{"N":"-000120.0500"}}`, 1 + 3 + 1},
		{"number zero", `{"n":{"N":"0"}}`, 1 + 1},
		{"binary: raw bytes, not base64", `{"b":{"B":"AAECAw=="}}`, 1 + 4},
		{"bool and null: 1 byte", `{"t":{"BOOL":true},"z":{"NULL":true}}`, 1 + 1 + 1 + 1},
		{"string set", `{"ss":{"SS":["a","bc"]}}`, 2 + 3},
		{"list: 3 bytes + 1 per element", `{"l":{"L":[{"S":"ab"},{"N":"1"}]}}`, 1 + 3 + (1 + 2) + (1 + 2)},
		{"map: elements count their names", `{"m":{"M":{"k":{"S":"v"}}}}`, 1 + 3 + (1 + 1 + 1)},
		{"empty map", `{"m":{"M":{}}}`, 1 + 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var item rawItem
			if err := json.Unmarshal([]byte(c.item), &item); err != nil {
				t.Fatal(err)
			}
			got, err := itemSize(item)
			if err != nil || got != c.want {
				t.Fatalf("itemSize(%s) = %d, %v; want %d", c.item, got, err, c.want)
			}
		})
	}
}

// bigItem is an item of the table Orders of exactly size bytes ("id"+"big" names, "a" id).
func bigItem(id string, size int) string {
	pad := size - len("id") - len(id) - len("big")
	return fmt.Sprintf(`{"id":{"S":%q},"big":{"S":%q}}`, id, strings.Repeat("x", pad))
}

// The 400 KB item limit ("Service, account, and table quotas in Amazon DynamoDB",
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items:
// "The maximum item size in DynamoDB is 400 KB, which includes both attribute name binary length
// and attribute value lengths"), sized as in "DynamoDB item sizes and formats".
func TestItemSizeLimit(t *testing.T) {
	svc, _ := startService(t, Options{}, ordersSpec("Orders", "NEW_AND_OLD_IMAGES"))
	atLimit, overLimit := bigItem("a", maxItemBytes), bigItem("b", maxItemBytes+1)
	half := strings.Repeat("y", maxItemBytes/2)
	cases := []struct {
		name, op, body string
		wantType       string
		wantMsg        string
	}{
		{"put at limit", "PutItem", `{"TableName":"Orders","Item":` + atLimit + `}`, "", ""},
		{"put over limit", "PutItem", `{"TableName":"Orders","Item":` + overLimit + `}`, "ValidationException", msgItemTooLarge},
		{"update growing the item past the limit", "UpdateItem", `{"TableName":"Orders","Key":{"id":{"S":"a"}},
			"UpdateExpression":"SET more = :v","ExpressionAttributeValues":{":v":{"S":"z"}}}`, "ValidationException", msgItemToUpdateTooLarge},
		{"update of a new item past the limit", "UpdateItem", `{"TableName":"Orders","Key":{"id":{"S":"n"}},
			"UpdateExpression":"SET h1 = :h, h2 = :h","ExpressionAttributeValues":{":h":{"S":"` + half + `"}}}`, "ValidationException", msgItemToUpdateTooLarge},
		{"update shrinking the item", "UpdateItem", `{"TableName":"Orders","Key":{"id":{"S":"a"}},"UpdateExpression":"REMOVE big"}`, "", ""},
		{"batch put over limit", "BatchWriteItem", `{"RequestItems":{"Orders":[{"PutRequest":{"Item":` + overLimit + `}}]}}`, "ValidationException", msgItemTooLarge},
		{"transaction put over limit", "TransactWriteItems", `{"TransactItems":[{"Put":{"TableName":"Orders","Item":{"id":{"S":"c"}}}},
			{"Put":{"TableName":"Orders","Item":` + overLimit + `}}]}`, "ValidationException", msgItemTooLarge},
		// An update's size depends on the stored item: AWS cancels the transaction with a
		// ValidationError reason for that action (captured by dynoxide, transact_write_items.rs).
		{"transaction update past the limit", "TransactWriteItems", `{"TransactItems":[{"Put":{"TableName":"Orders","Item":{"id":{"S":"c"}}}},
			{"Update":{"TableName":"Orders","Key":{"id":{"S":"n"}},"UpdateExpression":"SET h1 = :h, h2 = :h","ExpressionAttributeValues":{":h":{"S":"` + half + `"}}}}]}`,
			"TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ValidationError]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := svc.Stream("Orders").Latest()
			typ, msg := errorOf(apiCall(t, svc, c.op, c.body))
			if typ != c.wantType || msg != c.wantMsg {
				t.Fatalf("got %s %q, want %s %q", typ, msg, c.wantType, c.wantMsg)
			}
			if c.wantType != "" && svc.Stream("Orders").Latest() != before {
				t.Fatal("a refused write produced stream records")
			}
		})
	}
	status, out := apiCall(t, svc, "TransactWriteItems", `{"TransactItems":[{"Put":{"TableName":"Orders","Item":{"id":{"S":"c"}}}},
		{"Update":{"TableName":"Orders","Key":{"id":{"S":"n"}},"UpdateExpression":"SET h1 = :h, h2 = :h","ExpressionAttributeValues":{":h":{"S":"`+half+`"}}}}]}`)
	var reasons []struct{ Code, Message string }
	if err := json.Unmarshal(out["CancellationReasons"], &reasons); err != nil || status != http.StatusBadRequest ||
		len(reasons) != 2 || reasons[0].Code != "None" || reasons[1].Code != "ValidationError" || reasons[1].Message != msgItemToUpdateTooLarge {
		t.Fatalf("cancellation reasons %s (%v)", out["CancellationReasons"], err)
	}
	for _, id := range []string{"b", "c", "n"} {
		if _, out := apiCall(t, svc, "GetItem", `{"TableName":"Orders","Key":{"id":{"S":"`+id+`"}}}`); out["Item"] != nil {
			t.Fatalf("refused item %s was written", id)
		}
	}
}

// Key attribute rules from the API reference (PutItem: "Attribute values of type String and Binary
// must have a length greater than zero if the attribute is used as a key attribute for a table or
// index"; "If you specify any attributes that are part of an index key, then the data types for
// those attributes must match those of the schema in the table's attribute definition"), with
// AWS's messages as recorded by moto and dynoxide (see validate.go).
func TestKeyAttributeValidation(t *testing.T) {
	svc, _ := startService(t, Options{}, ordersSpec("Orders", "NEW_IMAGE"))
	const gsi = "customerId-createdAt-index"
	emptyID := msgEmptyKey("id", "S")
	cases := []struct {
		name, op, body string
		wantMsg        string // "" = accepted
	}{
		{"put: empty table key", "PutItem", `{"TableName":"Orders","Item":{"id":{"S":""}}}`, emptyID},
		{"put: wrong-type table key", "PutItem", `{"TableName":"Orders","Item":{"id":{"N":"1"}}}`, msgKeyTypeMismatch("id", "S", "N")},
		{"put: missing table key", "PutItem", `{"TableName":"Orders","Item":{"v":{"N":"1"}}}`, msgMissingKey("id")},
		{"put: empty GSI key", "PutItem", `{"TableName":"Orders","Item":{"id":{"S":"a"},"customerId":{"S":""}}}`, msgEmptyIndexKey(gsi, "customerId", "S")},
		{"put: wrong-type GSI key", "PutItem", `{"TableName":"Orders","Item":{"id":{"S":"a"},"createdAt":{"N":"1"}}}`, msgIndexKeyTypeMismatch(gsi, "createdAt", "S", "N")},
		{"put: empty non-key string is fine", "PutItem", `{"TableName":"Orders","Item":{"id":{"S":"a"},"note":{"S":""}}}`, ""},
		{"get: empty key", "GetItem", `{"TableName":"Orders","Key":{"id":{"S":""}}}`, emptyID},
		{"get: wrong-type key", "GetItem", `{"TableName":"Orders","Key":{"id":{"N":"1"}}}`, msgKeySchemaMismatch},
		{"get: extra key attribute", "GetItem", `{"TableName":"Orders","Key":{"id":{"S":"a"},"v":{"S":"b"}}}`, msgKeySchemaMismatch},
		{"delete: wrong-type key", "DeleteItem", `{"TableName":"Orders","Key":{"id":{"N":"1"}}}`, msgKeySchemaMismatch},
		{"delete: empty key", "DeleteItem", `{"TableName":"Orders","Key":{"id":{"S":""}}}`, emptyID},
		{"update: empty key", "UpdateItem", `{"TableName":"Orders","Key":{"id":{"S":""}},"UpdateExpression":"SET v = :v","ExpressionAttributeValues":{":v":{"S":"x"}}}`, emptyID},
		{"update: sets a GSI key to an empty string", "UpdateItem", `{"TableName":"Orders","Key":{"id":{"S":"a"}},"UpdateExpression":"SET customerId = :v","ExpressionAttributeValues":{":v":{"S":""}}}`, msgUpdateEmptyIndexKey},
		{"update: sets a GSI key to a number", "UpdateItem", `{"TableName":"Orders","Key":{"id":{"S":"a"}},"UpdateExpression":"SET customerId = :v","ExpressionAttributeValues":{":v":{"N":"3"}}}`, msgIndexKeyTypeMismatch(gsi, "customerId", "S", "N")},
		{"update: leaves index keys alone", "UpdateItem", `{"TableName":"Orders","Key":{"id":{"S":"a"}},"UpdateExpression":"SET customerId = :v","ExpressionAttributeValues":{":v":{"S":"c1"}}}`, ""},
		{"batch put: empty key", "BatchWriteItem", `{"RequestItems":{"Orders":[{"PutRequest":{"Item":{"id":{"S":""}}}}]}}`, emptyID},
		{"batch put: wrong-type key", "BatchWriteItem", `{"RequestItems":{"Orders":[{"PutRequest":{"Item":{"id":{"N":"1"}}}}]}}`, msgKeySchemaMismatch},
		{"batch put: empty GSI key", "BatchWriteItem", `{"RequestItems":{"Orders":[{"PutRequest":{"Item":{"id":{"S":"b"},"customerId":{"S":""}}}}]}}`, msgEmptyIndexKey(gsi, "customerId", "S")},
		{"batch delete: empty key", "BatchWriteItem", `{"RequestItems":{"Orders":[{"DeleteRequest":{"Key":{"id":{"S":""}}}}]}}`, emptyID},
		{"batch get: empty key", "BatchGetItem", `{"RequestItems":{"Orders":{"Keys":[{"id":{"S":""}}]}}}`, emptyID},
		{"batch get: wrong-type key", "BatchGetItem", `{"RequestItems":{"Orders":{"Keys":[{"id":{"N":"1"}}]}}}`, msgKeySchemaMismatch},
		{"transaction put: empty key", "TransactWriteItems", `{"TransactItems":[{"Put":{"TableName":"Orders","Item":{"id":{"S":""}}}}]}`, emptyID},
		{"transaction delete: empty key", "TransactWriteItems", `{"TransactItems":[{"Delete":{"TableName":"Orders","Key":{"id":{"S":""}}}}]}`, emptyID},
		{"transaction condition check: empty key", "TransactWriteItems", `{"TransactItems":[{"ConditionCheck":{"TableName":"Orders","Key":{"id":{"S":""}},"ConditionExpression":"attribute_exists(id)"}}]}`, emptyID},
		{"transaction get: empty key", "TransactGetItems", `{"TransactItems":[{"Get":{"TableName":"Orders","Key":{"id":{"S":""}}}}]}`, emptyID},
		{"query: empty partition key", "Query", `{"TableName":"Orders","KeyConditionExpression":"id = :v","ExpressionAttributeValues":{":v":{"S":""}}}`, emptyID},
		{"query: wrong-type partition key", "Query", `{"TableName":"Orders","KeyConditionExpression":"#k = :v","ExpressionAttributeNames":{"#k":"id"},"ExpressionAttributeValues":{":v":{"N":"1"}}}`, msgConditionTypeSchema},
		{"query index: empty partition key", "Query", `{"TableName":"Orders","IndexName":"` + gsi + `","KeyConditionExpression":"customerId = :c AND begins_with(createdAt, :p)","ExpressionAttributeValues":{":c":{"S":""},":p":{"S":"2024"}}}`, msgEmptyKey("customerId", "S")},
		{"query index: wrong-type sort key", "Query", `{"TableName":"Orders","IndexName":"` + gsi + `","KeyConditionExpression":"customerId = :c AND createdAt BETWEEN :a AND :b","ExpressionAttributeValues":{":c":{"S":"c1"},":a":{"S":"1"},":b":{"N":"2"}}}`, msgConditionTypeSchema},
		{"query: legacy KeyConditions", "Query", `{"TableName":"Orders","KeyConditions":{"id":{"AttributeValueList":[{"S":""}],"ComparisonOperator":"EQ"}}}`, emptyID},
		{"query: valid", "Query", `{"TableName":"Orders","KeyConditionExpression":"id = :v","ExpressionAttributeValues":{":v":{"S":"a"}}}`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantValidation(t, svc, c.op, c.body, c.wantMsg)
		})
	}
}

// A wrong-type key in one action cancels the transaction with a ValidationError reason
// (dynoxide, transact_write_items.rs, captured against AWS); empty keys refuse the whole request.
func TestTransactionKeyTypeMismatchIsACancellationReason(t *testing.T) {
	svc, _ := startService(t, Options{}, ordersSpec("Orders", ""))
	status, out := apiCall(t, svc, "TransactWriteItems", `{"TransactItems":[{"Put":{"TableName":"Orders","Item":{"id":{"S":"a"}}}},
		{"Delete":{"TableName":"Orders","Key":{"id":{"N":"1"}}}}]}`)
	typ, _ := errorOf(status, out)
	var reasons []struct{ Code, Message string }
	_ = json.Unmarshal(out["CancellationReasons"], &reasons)
	if typ != "TransactionCanceledException" || len(reasons) != 2 || reasons[1].Code != "ValidationError" || reasons[1].Message != msgKeySchemaMismatch {
		t.Fatalf("got %s %s", typ, out["CancellationReasons"])
	}
}

// ReturnValues as the API reference describes it for PutItem, UpdateItem and DeleteItem
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html#DDB-UpdateItem-request-ReturnValues):
// NONE (the default) returns nothing; PutItem and DeleteItem accept only NONE and ALL_OLD.
func TestReturnValues(t *testing.T) {
	svc, _ := startService(t, Options{}, ordersSpec("Orders", ""))
	put := func(id, rv string) string {
		return fmt.Sprintf(`{"TableName":"Orders","Item":{"id":{"S":%q},"v":{"N":"2"},"w":{"S":"new"}},"ReturnValues":%q}`, id, rv)
	}
	update := func(id, rv string) string {
		return fmt.Sprintf(`{"TableName":"Orders","Key":{"id":{"S":%q}},"UpdateExpression":"SET v = v + :one, m.k = :k, fresh = :k",
			"ExpressionAttributeValues":{":one":{"N":"1"},":k":{"S":"nk"}},"ReturnValues":%q}`, id, rv)
	}
	const old = `{"id":{"S":"r"},"m":{"M":{"k":{"S":"ok"},"x":{"S":"keep"}}},"v":{"N":"1"},"w":{"S":"old"}}`
	cases := []struct {
		name, op, body string
		want           string // Attributes, "" = none
		wantErr        string
	}{
		{"put default", "PutItem", `{"TableName":"Orders","Item":{"id":{"S":"p"},"v":{"N":"1"}}}`, "", ""},
		{"put NONE", "PutItem", put("r", "NONE"), "", ""},
		{"put ALL_OLD of a new item", "PutItem", put("n", "ALL_OLD"), "", ""},
		{"put ALL_OLD", "PutItem", put("r", "ALL_OLD"), old, ""},
		{"put ALL_NEW is invalid", "PutItem", put("r", "ALL_NEW"), "", "Return values set to invalid value"},
		{"update default", "UpdateItem", `{"TableName":"Orders","Key":{"id":{"S":"r"}},"UpdateExpression":"SET v = :v","ExpressionAttributeValues":{":v":{"N":"1"}}}`, "", ""},
		{"update ALL_OLD", "UpdateItem", update("r", "ALL_OLD"), old, ""},
		{"update ALL_NEW", "UpdateItem", update("r", "ALL_NEW"), `{"fresh":{"S":"nk"},"id":{"S":"r"},"m":{"M":{"k":{"S":"nk"},"x":{"S":"keep"}}},"v":{"N":"2"},"w":{"S":"old"}}`, ""},
		{"update UPDATED_OLD", "UpdateItem", update("r", "UPDATED_OLD"), `{"m":{"M":{"k":{"S":"ok"}}},"v":{"N":"1"}}`, ""},
		{"update UPDATED_NEW", "UpdateItem", update("r", "UPDATED_NEW"), `{"fresh":{"S":"nk"},"m":{"M":{"k":{"S":"nk"}}},"v":{"N":"2"}}`, ""},
		{"update ALL_OLD of a new item", "UpdateItem", `{"TableName":"Orders","Key":{"id":{"S":"u"}},"UpdateExpression":"SET v = :v","ExpressionAttributeValues":{":v":{"N":"1"}},"ReturnValues":"ALL_OLD"}`, "", ""},
		{"delete default", "DeleteItem", `{"TableName":"Orders","Key":{"id":{"S":"p"}}}`, "", ""},
		{"delete ALL_OLD", "DeleteItem", `{"TableName":"Orders","Key":{"id":{"S":"r"}},"ReturnValues":"ALL_OLD"}`, old, ""},
		{"delete ALL_NEW is invalid", "DeleteItem", `{"TableName":"Orders","Key":{"id":{"S":"r"}},"ReturnValues":"ALL_NEW"}`, "", "Return values set to invalid value"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Each case starts from the same item r.
			if _, out := apiCall(t, svc, "PutItem", `{"TableName":"Orders","Item":`+old+`}`); out["__type"] != nil {
				t.Fatalf("reset: %s", out["message"])
			}
			status, out := apiCall(t, svc, c.op, c.body)
			if _, msg := errorOf(status, out); msg != c.wantErr {
				t.Fatalf("error %q, want %q", msg, c.wantErr)
			}
			got := ""
			if a, ok := out["Attributes"]; ok {
				var v any
				_ = json.Unmarshal(a, &v)
				b, _ := json.Marshal(v)
				got = string(b)
			}
			if got != c.want {
				t.Fatalf("Attributes = %s, want %s", got, c.want)
			}
		})
	}
}

// Update expression syntax: "Using update expressions in DynamoDB"
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html):
// the top-level attributes each SET, REMOVE, ADD and DELETE action writes.
func TestUpdateRoots(t *testing.T) {
	names := map[string]string{"#n": "name", "#set": "set", "#add": "add"}
	cases := []struct {
		expr string
		want []string
	}{
		{"SET a = :v", []string{"a"}},
		{"set #n.b[2] = list_append(#n.b, :l), c = if_not_exists(c, :z) remove d, e[1]", []string{"name", "c", "d", "e"}},
		{"ADD cnt :one DELETE tags :t SET #set = :v", []string{"cnt", "tags", "set"}},
		{"REMOVE #add", []string{"add"}},
	}
	for _, c := range cases {
		u, err := parseUpdate(c.expr, names, "id", "")
		if err != nil {
			t.Fatalf("parseUpdate(%q): %v", c.expr, err)
		}
		if got := u.roots(names); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("roots(%q) = %q, want %q", c.expr, got, c.want)
		}
	}
}
