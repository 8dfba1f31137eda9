package samtemplate

import (
	"reflect"
	"testing"
)

func TestTables(t *testing.T) {
	tpl := loadFixture(t, "tables.yaml", Options{})
	const arnPrefix = "arn:aws:dynamodb:us-east-1:000000000000:table/"
	tests := []struct {
		id   string
		want Table
	}{
		{"Full", Table{
			LogicalID: "Full", Name: "full", Arn: arnPrefix + "full", StreamArn: arnPrefix + "full/stream/" + StreamLabel,
			KeySchema:            []KeyElement{{AttributeName: "pk", KeyType: "HASH"}, {AttributeName: "sk", KeyType: "RANGE"}},
			AttributeDefinitions: []AttributeDefinition{{AttributeName: "pk", AttributeType: "S"}, {AttributeName: "sk", AttributeType: "N"}, {AttributeName: "gpk", AttributeType: "S"}, {AttributeName: "lsk", AttributeType: "S"}},
			GSIs: []GSI{
				{IndexName: "by-gpk", KeySchema: []KeyElement{{AttributeName: "gpk", KeyType: "HASH"}, {AttributeName: "sk", KeyType: "RANGE"}}, ProjectionType: "INCLUDE", NonKeyAttributes: []string{"a", "b"}},
				{IndexName: "by-gpk-keys", KeySchema: []KeyElement{{AttributeName: "gpk", KeyType: "HASH"}}, ProjectionType: "KEYS_ONLY"},
			},
			LSIs:           []GSI{{IndexName: "by-lsk", KeySchema: []KeyElement{{AttributeName: "pk", KeyType: "HASH"}, {AttributeName: "lsk", KeyType: "RANGE"}}, ProjectionType: "ALL"}},
			StreamViewType: "KEYS_ONLY", TTLAttribute: "expiresAt", BillingMode: "PAY_PER_REQUEST", PointInTimeRecovery: true,
		}},
		{"Minimal", Table{
			LogicalID: "Minimal", Name: "call-taxi-Minimal", Arn: arnPrefix + "call-taxi-Minimal",
			KeySchema: []KeyElement{{AttributeName: "id", KeyType: "HASH"}}, AttributeDefinitions: []AttributeDefinition{{AttributeName: "id", AttributeType: "S"}},
			BillingMode: "PROVISIONED",
		}},
		{"Simple", Table{
			LogicalID: "Simple", Name: "call-taxi-Simple", Arn: arnPrefix + "call-taxi-Simple",
			KeySchema: []KeyElement{{AttributeName: "id", KeyType: "HASH"}}, AttributeDefinitions: []AttributeDefinition{{AttributeName: "id", AttributeType: "S"}},
			BillingMode: "PAY_PER_REQUEST",
		}},
		{"SimpleNumber", Table{
			LogicalID: "SimpleNumber", Name: "simple-number", Arn: arnPrefix + "simple-number",
			KeySchema: []KeyElement{{AttributeName: "n", KeyType: "HASH"}}, AttributeDefinitions: []AttributeDefinition{{AttributeName: "n", AttributeType: "N"}},
			BillingMode: "PROVISIONED",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			got := tpl.Tables[tt.id]
			if got == nil {
				t.Fatalf("table %s missing", tt.id)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", *got, tt.want)
			}
		})
	}
	if len(tpl.Tables) != len(tests) {
		t.Errorf("got %d tables, want %d", len(tpl.Tables), len(tests))
	}
}
