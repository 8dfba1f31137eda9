package ddbemu

import (
	"encoding/json"
	"fmt"

	"github.com/calltaxi/call-taxi/localcloud/internal/tablespec"
)

// The table shapes are shared with the template reader.
type (
	KeyElement          = tablespec.KeyElement
	AttributeDefinition = tablespec.AttributeDefinition
	IndexSpec           = tablespec.Index // a global secondary index
)

// TableSpec is what the local cloud reads from template.yaml for one table.
type TableSpec struct {
	Name                   string
	KeySchema              []KeyElement
	AttributeDefinitions   []AttributeDefinition
	GlobalSecondaryIndexes []IndexSpec
	StreamViewType         string // "" (no stream) | KEYS_ONLY | NEW_IMAGE | OLD_IMAGE | NEW_AND_OLD_IMAGES
	TTLAttribute           string // "" = none
}

var validViewTypes = map[string]bool{
	"": true, "KEYS_ONLY": true, "NEW_IMAGE": true, "OLD_IMAGE": true, "NEW_AND_OLD_IMAGES": true,
}

func (t TableSpec) validate() error {
	if t.Name == "" {
		return fmt.Errorf("table spec without a name")
	}
	if len(t.KeySchema) == 0 {
		return fmt.Errorf("table %s: empty key schema", t.Name)
	}
	if !validViewTypes[t.StreamViewType] {
		return fmt.Errorf("table %s: unknown StreamViewType %q", t.Name, t.StreamViewType)
	}
	return nil
}

// keyNames returns the hash key name and the range key name ("" when absent).
func keyNames(schema []KeyElement) (hash, rangeKey string) {
	for _, k := range schema {
		switch k.KeyType {
		case "HASH":
			hash = k.AttributeName
		case "RANGE":
			rangeKey = k.AttributeName
		}
	}
	return hash, rangeKey
}

// createTableRequest renders the DynamoDB CreateTable JSON body for a spec.
func createTableRequest(t TableSpec) ([]byte, error) {
	type keyElem struct{ AttributeName, KeyType string }
	type projection struct {
		ProjectionType   string
		NonKeyAttributes []string `json:",omitempty"`
	}
	type gsi struct {
		IndexName  string
		KeySchema  []keyElem
		Projection projection
	}
	keys := func(in []KeyElement) []keyElem {
		out := make([]keyElem, len(in))
		for i, k := range in {
			out[i] = keyElem{k.AttributeName, k.KeyType}
		}
		return out
	}
	body := map[string]any{
		"TableName":   t.Name,
		"KeySchema":   keys(t.KeySchema),
		"BillingMode": "PAY_PER_REQUEST",
	}
	defs := make([]map[string]string, len(t.AttributeDefinitions))
	for i, d := range t.AttributeDefinitions {
		defs[i] = map[string]string{"AttributeName": d.AttributeName, "AttributeType": d.AttributeType}
	}
	body["AttributeDefinitions"] = defs
	if len(t.GlobalSecondaryIndexes) > 0 {
		idx := make([]gsi, len(t.GlobalSecondaryIndexes))
		for i, g := range t.GlobalSecondaryIndexes {
			pt := g.ProjectionType
			if pt == "" {
				pt = "ALL"
			}
			idx[i] = gsi{IndexName: g.IndexName, KeySchema: keys(g.KeySchema), Projection: projection{pt, g.NonKeyAttributes}}
		}
		body["GlobalSecondaryIndexes"] = idx
	}
	if t.StreamViewType != "" {
		body["StreamSpecification"] = map[string]any{"StreamEnabled": true, "StreamViewType": t.StreamViewType}
	}
	return json.Marshal(body)
}

// specFromCreateTableRequest recovers a TableSpec from a CreateTable body sent through the API.
func specFromCreateTableRequest(body []byte) (TableSpec, error) {
	var req struct {
		TableName              string
		KeySchema              []KeyElement
		AttributeDefinitions   []AttributeDefinition
		GlobalSecondaryIndexes []struct {
			IndexName  string
			KeySchema  []KeyElement
			Projection struct {
				ProjectionType   string
				NonKeyAttributes []string
			}
		}
		StreamSpecification *struct {
			StreamEnabled  bool
			StreamViewType string
		}
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return TableSpec{}, fmt.Errorf("decode CreateTable: %w", err)
	}
	spec := TableSpec{Name: req.TableName, KeySchema: req.KeySchema, AttributeDefinitions: req.AttributeDefinitions}
	for _, g := range req.GlobalSecondaryIndexes {
		spec.GlobalSecondaryIndexes = append(spec.GlobalSecondaryIndexes, IndexSpec{
			IndexName: g.IndexName, KeySchema: g.KeySchema,
			ProjectionType: g.Projection.ProjectionType, NonKeyAttributes: g.Projection.NonKeyAttributes,
		})
	}
	if req.StreamSpecification != nil && req.StreamSpecification.StreamEnabled {
		spec.StreamViewType = req.StreamSpecification.StreamViewType
	}
	return spec, nil
}
