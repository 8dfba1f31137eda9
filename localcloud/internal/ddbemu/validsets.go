package ddbemu

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
)

// Sets (SS, NS, BS) must have at least one member and no duplicates ("Supported data types and
// naming rules in Amazon DynamoDB", Set types:
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.SetTypes).
// DynamoDB refuses a request carrying an empty or duplicated set anywhere (an item, a key, a key
// condition, an update's values) with a ValidationException. Wording as DynamoDB returns it,
// recorded by moto (moto/dynamodb/responses.py, parsing/executors.py: "An number set  may not be
// empty", two spaces, and the ExpressionAttributeValues prefix and "for key" suffix) and minidyn
// (types/validate_item.go: "Input collection [...] contains duplicates.").

var setWords = map[string]string{"SS": "string", "NS": "number", "BS": "binary"}

func msgEmptySet(typ string) string {
	return "One or more parameter values were invalid: An " + setWords[typ] + " set  may not be empty"
}

func msgDuplicateSet(members []string) string {
	return "One or more parameter values were invalid: Input collection [" + strings.Join(members, ", ") + "] contains duplicates."
}

// checkSets returns the ValidationException message for the first empty or duplicated set in a
// request body, "" if there is none. ExpressionAttributeValues are checked first, in placeholder
// order, with DynamoDB's prefix and the placeholder named.
func checkSets(body []byte) string {
	if !bytes.Contains(body, []byte(`"SS"`)) && !bytes.Contains(body, []byte(`"NS"`)) && !bytes.Contains(body, []byte(`"BS"`)) {
		return ""
	}
	var req map[string]any
	if json.Unmarshal(body, &req) != nil {
		return "" // malformed requests are reported where they are decoded
	}
	if eav, ok := req["ExpressionAttributeValues"].(map[string]any); ok {
		keys := make([]string, 0, len(eav))
		for k := range eav {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if msg := setProblem(eav[k]); msg != "" {
				return "ExpressionAttributeValues contains invalid value: " + msg + " for key " + k
			}
		}
		delete(req, "ExpressionAttributeValues")
	}
	return setProblem(req)
}

// setProblem walks a decoded JSON value for attribute values {"SS"|"NS"|"BS": [...]}. Anything
// else that is an object or array is walked into (maps, lists, request structure); an object whose
// single member is named SS, NS or BS but holds an object is a map attribute of that name.
func setProblem(v any) string {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 1 {
			for typ, members := range v {
				if list, ok := members.([]any); ok && setWords[typ] != "" {
					return checkSetMembers(typ, list)
				}
			}
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if msg := setProblem(v[k]); msg != "" {
				return msg
			}
		}
	case []any:
		for _, e := range v {
			if msg := setProblem(e); msg != "" {
				return msg
			}
		}
	}
	return ""
}

// checkSetMembers: members are compared as sent (NS as its digits, BS as its base64), as minidyn did.
func checkSetMembers(typ string, list []any) string {
	if len(list) == 0 {
		return msgEmptySet(typ)
	}
	members := make([]string, len(list))
	seen := make(map[string]bool, len(list))
	dup := false
	for i, m := range list {
		s, _ := m.(string)
		members[i] = s
		dup = dup || seen[s]
		seen[s] = true
	}
	if dup {
		return msgDuplicateSet(members)
	}
	return ""
}
