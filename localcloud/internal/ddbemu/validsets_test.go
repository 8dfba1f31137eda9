package ddbemu

import "testing"

// Sets must not be empty and must not repeat a member ("Supported data types and naming rules in
// Amazon DynamoDB", Set types:
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.SetTypes);
// DynamoDB refuses such a request with a ValidationException wherever the set appears.
func TestSetsMustBeNonEmptyAndUniquePerDataTypesSetTypes(t *testing.T) {
	svc, _ := startService(t, Options{}, ordersSpec("Orders", "NEW_IMAGE"))
	const eav = "ExpressionAttributeValues contains invalid value: "
	cases := []struct {
		name, op, body string
		wantMsg        string // "" = accepted
	}{
		{"put: empty string set", "PutItem", `{"TableName":"Orders","Item":{"id":{"S":"a"},"tags":{"SS":[]}}}`, msgEmptySet("SS")},
		{"put: empty number set", "PutItem", `{"TableName":"Orders","Item":{"id":{"S":"a"},"n":{"NS":[]}}}`, "One or more parameter values were invalid: An number set  may not be empty"},
		{"put: empty binary set", "PutItem", `{"TableName":"Orders","Item":{"id":{"S":"a"},"b":{"BS":[]}}}`, "One or more parameter values were invalid: An binary set  may not be empty"},
		{"put: empty set inside a map and a list", "PutItem", `{"TableName":"Orders","Item":{"id":{"S":"a"},"m":{"M":{"l":{"L":[{"SS":[]}]}}}}}`, msgEmptySet("SS")},
		{"put: duplicate strings", "PutItem", `{"TableName":"Orders","Item":{"id":{"S":"a"},"tags":{"SS":["x","y","x"]}}}`, "One or more parameter values were invalid: Input collection [x, y, x] contains duplicates."},
		{"put: duplicate numbers", "PutItem", `{"TableName":"Orders","Item":{"id":{"S":"a"},"n":{"NS":["1","1"]}}}`, msgDuplicateSet([]string{"1", "1"})},
		{"put: duplicate binaries", "PutItem", `{"TableName":"Orders","Item":{"id":{"S":"a"},"b":{"BS":["AQ==","AQ=="]}}}`, msgDuplicateSet([]string{"AQ==", "AQ=="})},
		{"put: map attribute named SS is not a set", "PutItem", `{"TableName":"Orders","Item":{"id":{"S":"a"},"SS":{"M":{"NS":{"NS":["1","2"]}}}}}`, ""},
		{"put: valid sets", "PutItem", `{"TableName":"Orders","Item":{"id":{"S":"a"},"tags":{"SS":["x","y"]},"n":{"NS":["1","2"]},"b":{"BS":["AQ=="]}}}`, ""},
		{"batch put: empty set", "BatchWriteItem", `{"RequestItems":{"Orders":[{"PutRequest":{"Item":{"id":{"S":"b"},"tags":{"SS":[]}}}}]}}`, msgEmptySet("SS")},
		{"transaction put: duplicate set", "TransactWriteItems", `{"TransactItems":[{"Put":{"TableName":"Orders","Item":{"id":{"S":"b"},"tags":{"SS":["x","x"]}}}}]}`, msgDuplicateSet([]string{"x", "x"})},
		{"update: ADD an empty set", "UpdateItem", `{"TableName":"Orders","Key":{"id":{"S":"a"}},"UpdateExpression":"ADD tags :t","ExpressionAttributeValues":{":t":{"SS":[]}}}`, eav + msgEmptySet("SS") + " for key :t"},
		{"update: SET an empty number set", "UpdateItem", `{"TableName":"Orders","Key":{"id":{"S":"a"}},"UpdateExpression":"SET n = :n","ExpressionAttributeValues":{":n":{"NS":[]}}}`, eav + msgEmptySet("NS") + " for key :n"},
		{"update: SET a duplicated set", "UpdateItem", `{"TableName":"Orders","Key":{"id":{"S":"a"}},"UpdateExpression":"SET n = :n","ExpressionAttributeValues":{":n":{"NS":["2","2"]}}}`, eav + msgDuplicateSet([]string{"2", "2"}) + " for key :n"},
		{"update: legacy AttributeUpdates empty set", "UpdateItem", `{"TableName":"Orders","Key":{"id":{"S":"a"}},"AttributeUpdates":{"tags":{"Action":"ADD","Value":{"SS":[]}}}}`, msgEmptySet("SS")},
		{"update: ADD a set", "UpdateItem", `{"TableName":"Orders","Key":{"id":{"S":"a"}},"UpdateExpression":"ADD tags :t","ExpressionAttributeValues":{":t":{"SS":["z"]}}}`, ""},
		{"query: empty set as key condition value", "Query", `{"TableName":"Orders","KeyConditionExpression":"id = :v","ExpressionAttributeValues":{":v":{"SS":[]}}}`, eav + msgEmptySet("SS") + " for key :v"},
		{"query: legacy KeyConditions empty set", "Query", `{"TableName":"Orders","KeyConditions":{"id":{"AttributeValueList":[{"NS":[]}],"ComparisonOperator":"EQ"}}}`, msgEmptySet("NS")},
		{"scan: filter value with duplicates", "Scan", `{"TableName":"Orders","FilterExpression":"tags = :t","ExpressionAttributeValues":{":t":{"SS":["q","q"]}}}`, eav + msgDuplicateSet([]string{"q", "q"}) + " for key :t"},
		{"get: key holding an empty set", "GetItem", `{"TableName":"Orders","Key":{"id":{"SS":[]}}}`, msgEmptySet("SS")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantValidation(t, svc, c.op, c.body, c.wantMsg)
		})
	}
}
