package ddbemu

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// "REMOVE - Removes one or more attributes from an item" (Update expressions,
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html).
func TestUpdateExpressionsREMOVE(t *testing.T) {
	svc, _ := startService(t, Options{}, ordersSpec("Orders", ""))
	const item = `{"id":{"S":"a"},"result":{"S":"done"},"customerId":{"S":"c"},"createdAt":{"S":"t1"},"m":{"M":{"x":{"N":"1"},"y":{"N":"2"}}},"l":{"L":[{"S":"0"},{"S":"1"}]},"n":{"N":"1.50"}}`
	cases := []struct {
		name, update, names string
		want                string // the item after, "" = unchanged
	}{
		{"top-level attribute", "REMOVE #r", `{"#r":"result"}`,
			`{"createdAt":{"S":"t1"},"customerId":{"S":"c"},"id":{"S":"a"},"l":{"L":[{"S":"0"},{"S":"1"}]},"m":{"M":{"x":{"N":"1"},"y":{"N":"2"}}},"n":{"N":"1.50"}}`},
		{"index key, leaving the index", "REMOVE customerId", "",
			`{"createdAt":{"S":"t1"},"id":{"S":"a"},"l":{"L":[{"S":"0"},{"S":"1"}]},"m":{"M":{"x":{"N":"1"},"y":{"N":"2"}}},"n":{"N":"1.50"},"result":{"S":"done"}}`},
		{"nested map key", "REMOVE m.x", "",
			`{"createdAt":{"S":"t1"},"customerId":{"S":"c"},"id":{"S":"a"},"l":{"L":[{"S":"0"},{"S":"1"}]},"m":{"M":{"y":{"N":"2"}}},"n":{"N":"1.50"},"result":{"S":"done"}}`},
		{"list element", "REMOVE l[0]", "",
			`{"createdAt":{"S":"t1"},"customerId":{"S":"c"},"id":{"S":"a"},"l":{"L":[{"S":"1"}]},"m":{"M":{"x":{"N":"1"},"y":{"N":"2"}}},"n":{"N":"1.50"},"result":{"S":"done"}}`},
		{"with SET, untouched number kept as stored", "SET z = :z REMOVE #r", `{"#r":"result"}`,
			`{"createdAt":{"S":"t1"},"customerId":{"S":"c"},"id":{"S":"a"},"l":{"L":[{"S":"0"},{"S":"1"}]},"m":{"M":{"x":{"N":"1"},"y":{"N":"2"}}},"n":{"N":"1.50"},"z":{"S":"v"}}`},
		{"absent attribute", "REMOVE nothing", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if status, out := apiCall(t, svc, "PutItem", `{"TableName":"Orders","Item":`+item+`}`); status != 200 {
				t.Fatalf("PutItem: %s", out["message"])
			}
			body := fmt.Sprintf(`{"TableName":"Orders","Key":{"id":{"S":"a"}},"UpdateExpression":%q,"ReturnValues":"ALL_NEW"`, c.update)
			if c.names != "" {
				body += `,"ExpressionAttributeNames":` + c.names
			}
			if strings.Contains(c.update, ":z") {
				body += `,"ExpressionAttributeValues":{":z":{"S":"v"}}`
			}
			status, out := apiCall(t, svc, "UpdateItem", body+"}")
			if status != 200 {
				t.Fatalf("UpdateItem: %s", out["message"])
			}
			want := c.want
			if want == "" {
				want = string(mustCanonical(t, item))
			}
			if got := string(mustCanonical(t, string(out["Attributes"]))); got != want {
				t.Fatalf("ALL_NEW = %s\nwant      %s", got, want)
			}
			_, get := apiCall(t, svc, "GetItem", `{"TableName":"Orders","Key":{"id":{"S":"a"}}}`)
			if got := string(mustCanonical(t, string(get["Item"]))); got != want {
				t.Fatalf("stored = %s\nwant     %s", got, want)
			}
			_, q := apiCall(t, svc, "Query", `{"TableName":"Orders","IndexName":"customerId-createdAt-index","KeyConditionExpression":"customerId = :c","ExpressionAttributeValues":{":c":{"S":"c"}}}`)
			inIndex := string(q["Count"]) == "1"
			if wantInIndex := strings.Contains(want, `"customerId"`); inIndex != wantInIndex {
				t.Fatalf("in the index: %v, want %v", inIndex, wantInIndex)
			}
		})
	}
}

func mustCanonical(t *testing.T, raw string) []byte {
	t.Helper()
	var item rawItem
	if err := json.Unmarshal([]byte(raw), &item); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	b, err := canonicalItem(item)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Sort key order and Query paging: "If the data type of the sort key is Number, the results are stored
// in numeric order. For type String, the results are stored in order of UTF-8 bytes" (Query,
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.html); Limit is the number of
// items evaluated before the filter, ScannedCount counts them, Count those the filter kept, and
// LastEvaluatedKey marks where the next page starts (Query.Pagination.html, Query.FilterExpression.html).
func TestQueryOrderAndPaging(t *testing.T) {
	spec := TableSpec{
		Name:                 "Events",
		KeySchema:            []KeyElement{{AttributeName: "pk", KeyType: "HASH"}, {AttributeName: "n", KeyType: "RANGE"}},
		AttributeDefinitions: []AttributeDefinition{{AttributeName: "pk", AttributeType: "S"}, {AttributeName: "n", AttributeType: "N"}, {AttributeName: "g", AttributeType: "S"}},
		GlobalSecondaryIndexes: []IndexSpec{{IndexName: "g-index", ProjectionType: "KEYS_ONLY",
			KeySchema: []KeyElement{{AttributeName: "g", KeyType: "HASH"}}}},
	}
	svc, _ := startService(t, Options{}, spec)
	numbers := []string{"10", "-2.5", "0", "9", "1e2", "-10", "0.001", "99999999999999999999", "-0.5", "2"}
	for i, n := range numbers {
		g := ""
		if i%2 == 0 {
			g = `,"g":{"S":"even"}`
		}
		body := fmt.Sprintf(`{"TableName":"Events","Item":{"pk":{"S":"p"},"n":{"N":%q},"odd":{"BOOL":%t}%s}}`, n, i%2 == 1, g)
		if status, out := apiCall(t, svc, "PutItem", body); status != 200 {
			t.Fatalf("PutItem %s: %s", n, out["message"])
		}
	}
	if status, out := apiCall(t, svc, "PutItem", `{"TableName":"Events","Item":{"pk":{"S":"other"},"n":{"N":"1"}}}`); status != 200 {
		t.Fatalf("PutItem: %s", out["message"])
	}
	type page struct {
		Items            []map[string]map[string]any
		Count            int
		ScannedCount     int
		LastEvaluatedKey json.RawMessage
	}
	query := func(t *testing.T, extra string) page {
		t.Helper()
		status, out := apiCall(t, svc, "Query", `{"TableName":"Events","KeyConditionExpression":"pk = :p`+extra+`}`)
		if status != 200 {
			t.Fatalf("Query: %s", out["message"])
		}
		b, _ := json.Marshal(out)
		var p page
		_ = json.Unmarshal(b, &p)
		return p
	}
	ns := func(p page) string {
		var out []string
		for _, it := range p.Items {
			out = append(out, fmt.Sprint(it["n"]["N"]))
		}
		return strings.Join(out, " ")
	}
	cases := []struct {
		name, extra, want string
		count, scanned    int
		more              bool
	}{
		{"numeric order", `","ExpressionAttributeValues":{":p":{"S":"p"}}`, "-10 -2.5 -0.5 0 0.001 2 9 10 1e2 99999999999999999999", 10, 10, false},
		{"backward", `","ScanIndexForward":false,"ExpressionAttributeValues":{":p":{"S":"p"}}`, "99999999999999999999 1e2 10 9 2 0.001 0 -0.5 -2.5 -10", 10, 10, false},
		{"BETWEEN", ` AND n BETWEEN :a AND :b","ExpressionAttributeValues":{":p":{"S":"p"},":a":{"N":"-1"},":b":{"N":"10"}}`, "-0.5 0 0.001 2 9 10", 6, 6, false},
		{"less than, backward", ` AND n < :a","ScanIndexForward":false,"ExpressionAttributeValues":{":p":{"S":"p"},":a":{"N":"0"}}`, "-0.5 -2.5 -10", 3, 3, false},
		{"Limit counts items before the filter", `","Limit":4,"FilterExpression":"odd = :t","ExpressionAttributeValues":{":p":{"S":"p"},":t":{"BOOL":true}}`, "-10 -2.5", 2, 4, true},
		{"filter, no limit", `","FilterExpression":"odd = :t","ExpressionAttributeValues":{":p":{"S":"p"},":t":{"BOOL":true}}`, "-10 -2.5 2 9 99999999999999999999", 5, 10, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := query(t, c.extra)
			if got := ns(p); got != c.want || p.Count != c.count || p.ScannedCount != c.scanned || (len(p.LastEvaluatedKey) > 0) != c.more {
				t.Fatalf("got %q count %d scanned %d LEK %s, want %q %d %d more=%v", got, p.Count, p.ScannedCount, p.LastEvaluatedKey, c.want, c.count, c.scanned, c.more)
			}
		})
	}
	t.Run("pages of 3 with ExclusiveStartKey", func(t *testing.T) {
		var all []string
		start := ""
		for range 10 {
			p := query(t, `","Limit":3,"ExpressionAttributeValues":{":p":{"S":"p"}}`+start)
			all = append(all, ns(p))
			if len(p.LastEvaluatedKey) == 0 {
				break
			}
			start = `,"ExclusiveStartKey":` + string(p.LastEvaluatedKey)
		}
		if got := strings.Join(slices.DeleteFunc(all, func(s string) bool { return s == "" }), " "); got != "-10 -2.5 -0.5 0 0.001 2 9 10 1e2 99999999999999999999" {
			t.Fatalf("pages: %q", got)
		}
	})
	t.Run("sparse KEYS_ONLY index", func(t *testing.T) {
		status, out := apiCall(t, svc, "Query", `{"TableName":"Events","IndexName":"g-index","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"even"}}}`)
		if status != 200 {
			t.Fatalf("Query: %s", out["message"])
		}
		var items []rawItem
		_ = json.Unmarshal(out["Items"], &items)
		if len(items) != 5 {
			t.Fatalf("%d items in the sparse index, want 5", len(items))
		}
		for _, it := range items {
			if _, ok := it["odd"]; ok || len(it) != 3 {
				t.Fatalf("KEYS_ONLY item %v", it)
			}
		}
	})
}

// Keys are encoded so that byte order is DynamoDB's order (keyenc.go).
func TestKeyEncodingOrder(t *testing.T) {
	cases := []struct {
		name   string
		values []string // DynamoDB JSON values in ascending order
	}{
		{"numbers", []string{`{"N":"-1e10"}`, `{"N":"-100"}`, `{"N":"-99.5"}`, `{"N":"-1"}`, `{"N":"-0.01"}`, `{"N":"0"}`, `{"N":"0.000"}`, `{"N":"1E-3"}`, `{"N":"1"}`, `{"N":"1.5"}`, `{"N":"15"}`, `{"N":"100"}`, `{"N":"12345678901234567890123"}`}},
		{"strings by UTF-8 bytes", []string{`{"S":""}`, `{"S":"A"}`, `{"S":"Z"}`, `{"S":"a"}`, `{"S":"a\u0000"}`, `{"S":"ab"}`, `{"S":"é"}`, `{"S":"가"}`}},
		{"binary unsigned", []string{`{"B":"AA=="}`, `{"B":"AQ=="}`, `{"B":"fw=="}`, `{"B":"gA=="}`, `{"B":"/w=="}`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var prev string
			for i, v := range c.values {
				enc, err := encodeKeyValue(nil, json.RawMessage(v))
				if err != nil {
					t.Fatalf("%s: %v", v, err)
				}
				if comp, rest := splitComponent(string(enc) + "tail"); comp != string(enc) || rest != "tail" {
					t.Fatalf("%s: component %q, rest %q", v, comp, rest)
				}
				if i > 0 && string(enc) < prev {
					t.Fatalf("%s sorts before %s", v, c.values[i-1])
				}
				if i > 0 && string(enc) == prev && !strings.HasPrefix(v, `{"N":"0`) {
					t.Fatalf("%s encodes like %s", v, c.values[i-1])
				}
				prev = string(enc)
			}
		})
	}
}

// "Numbers can have up to 38 digits of precision" (Data types,
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html):
// values an update sets keep their digits, and attributes it does not touch keep their bytes.
func TestUpdateKeepsNumberDigits(t *testing.T) {
	svc, _ := startService(t, Options{}, ordersSpec("Orders", ""))
	if status, out := apiCall(t, svc, "PutItem", `{"TableName":"Orders","Item":{"id":{"S":"a"},"keep":{"N":"123456789012345678901234567890"}}}`); status != 200 {
		t.Fatalf("PutItem: %s", out["message"])
	}
	cases := []struct{ name, update, values, want string }{
		{"SET from a placeholder", "SET big = :v", `{":v":{"N":"98765432109876543210"}}`,
			`{"big":{"N":"98765432109876543210"},"id":{"S":"a"},"keep":{"N":"123456789012345678901234567890"}}`},
		{"SET a map from a placeholder", "SET big = :v", `{":v":{"M":{"z":{"N":"1"},"a":{"N":"10000000000000000001"}}}}`,
			`{"big":{"M":{"a":{"N":"10000000000000000001"},"z":{"N":"1"}}},"id":{"S":"a"},"keep":{"N":"123456789012345678901234567890"}}`},
		{"arithmetic", "SET c = :one + :one", `{":one":{"N":"1"}}`,
			`{"big":{"M":{"a":{"N":"10000000000000000001"},"z":{"N":"1"}}},"c":{"N":"2"},"id":{"S":"a"},"keep":{"N":"123456789012345678901234567890"}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := fmt.Sprintf(`{"TableName":"Orders","Key":{"id":{"S":"a"}},"UpdateExpression":%q,"ExpressionAttributeValues":%s,"ReturnValues":"ALL_NEW"}`, c.update, c.values)
			status, out := apiCall(t, svc, "UpdateItem", body)
			if status != 200 {
				t.Fatalf("UpdateItem: %s", out["message"])
			}
			if got := string(mustCanonical(t, string(out["Attributes"]))); got != c.want {
				t.Fatalf("ALL_NEW = %s\nwant      %s", got, c.want)
			}
		})
	}
}

// decodeAttrs splits canonical items itself and leaves everything else to encoding/json; both
// give the same attributes.
func TestDecodeAttrsMatchesEncodingJSON(t *testing.T) {
	cases := []struct {
		name, raw string
		fast      bool // split without encoding/json
	}{
		{"empty item", `{}`, true},
		{"canonical order", `{"createdAt":{"S":"2026"},"id":{"S":"a"},"pickup":{"M":{"lat":{"N":"37.5"},"x":{"L":[{"S":"}]{["},{"BOOL":true}]}}}}`, true},
		{"escapes in a value", `{"a":{"S":"q\"}\\"},"b":{"SS":["x","y"]}}`, true},
		{"escaped name", `{"a\u003cb":{"S":"x"}}`, false},
		{"spaces", `{ "a": {"S":"x"} }`, false},
		{"duplicate name", `{"a":{"S":"x"},"a":{"S":"y"}}`, false},
		{"null item", `null`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, fast := splitCanonical([]byte(c.raw))
			if fast != c.fast {
				t.Errorf("split itself: %v, want %v", fast, c.fast)
			}
			got, err := decodeAttrs([]byte(c.raw))
			var want rawItem
			wantErr := json.Unmarshal([]byte(c.raw), &want)
			if (err != nil) != (wantErr != nil) || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("decodeAttrs = %s, %v; encoding/json: %s, %v", got, err, want, wantErr)
			}
		})
	}
	for _, bad := range []string{`{"a":{"S":"x"}`, `{"a":{"S":"x"}}}`, `{"a":{"S":"x"},}`, `{"a"}`, `{"a":1}`, `{`} {
		if _, ok := splitCanonical([]byte(bad)); ok {
			t.Errorf("splitCanonical(%s) accepted", bad)
		}
	}
}

// Key values read without encoding/json agree with it.
func TestScalarValueFastPath(t *testing.T) {
	cases := []struct {
		raw, typ, value string
		fast, bad       bool
	}{
		{raw: `{"S":"order-1"}`, typ: "S", value: "order-1", fast: true},
		{raw: `{"N":"-1.5e3"}`, typ: "N", value: "-1.5e3", fast: true},
		{raw: `{"S":""}`, typ: "S", value: "", fast: true},
		{raw: `{"S":"a\"b"}`, typ: "S", value: `a"b`},
		{raw: `{"S":"\u00e9"}`, typ: "S", value: "é"},
		{raw: `{"B":"AAE="}`, typ: "B", value: "\x00\x01"},
		{raw: `{ "S":"x"}`, typ: "S", value: "x"},
		{raw: `{"BOOL":true}`, bad: true},
		{raw: `{"S":"a","N":"1"}`, typ: "S", value: "a"},
	}
	for _, c := range cases {
		t.Run(c.raw, func(t *testing.T) {
			if _, _, fast := plainScalar([]byte(c.raw)); fast != c.fast {
				t.Errorf("fast path %v, want %v", fast, c.fast)
			}
			typ, value, err := scalarValue(json.RawMessage(c.raw))
			if (err != nil) != c.bad || typ != c.typ || value != c.value {
				t.Fatalf("scalarValue = %q %q %v, want %q %q (refused: %v)", typ, value, err, c.typ, c.value, c.bad)
			}
		})
	}
}
