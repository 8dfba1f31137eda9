package samtemplate

import (
	"fmt"
)

func (b *builder) buildTables() error {
	for _, res := range b.resourcesOf(typeTable, typeSimpleTable) {
		name, err := b.r.physicalName(res)
		if err != nil {
			return err
		}
		t := &Table{LogicalID: res.id, Name: name, Arn: b.r.tableArn(name)}
		p := b.propsOf(res)
		if res.typ == typeSimpleTable {
			err = readSimpleTable(p, t)
		} else {
			err = readTable(p, t)
		}
		if err != nil {
			return err
		}
		if err := checkKeyAttributesDefined(t); err != nil {
			return fmt.Errorf("%s: %w", res.id, err)
		}
		b.t.Tables[res.id] = t
	}
	return nil
}

func readTable(p props, t *Table) error {
	var err error
	if err = p.required("KeySchema"); err != nil {
		return err
	}
	if t.KeySchema, err = keySchema(p, "KeySchema"); err != nil {
		return err
	}
	defs, err := p.blocks("AttributeDefinitions")
	if err != nil {
		return err
	}
	for _, d := range defs {
		var def AttributeDefinition
		if def.AttributeName, err = d.str("AttributeName", ""); err != nil {
			return err
		}
		if def.AttributeType, err = d.str("AttributeType", ""); err != nil {
			return err
		}
		t.AttributeDefinitions = append(t.AttributeDefinitions, def)
	}
	if t.GSIs, err = indexes(p, "GlobalSecondaryIndexes"); err != nil {
		return err
	}
	if t.LSIs, err = indexes(p, "LocalSecondaryIndexes"); err != nil {
		return err
	}
	if t.BillingMode, err = p.str("BillingMode", "PROVISIONED"); err != nil {
		return err
	}
	stream, hasStream, err := p.block("StreamSpecification")
	if err != nil {
		return err
	}
	if hasStream {
		if t.StreamViewType, err = stream.str("StreamViewType", ""); err != nil {
			return err
		}
		t.StreamArn = p.r.streamArn(t.Name)
	}
	ttl, _, err := p.block("TimeToLiveSpecification")
	if err != nil {
		return err
	}
	if enabled, err := ttl.boolean("Enabled", false); err != nil {
		return err
	} else if enabled {
		if t.TTLAttribute, err = ttl.str("AttributeName", ""); err != nil {
			return err
		}
	}
	pitr, _, err := p.block("PointInTimeRecoverySpecification")
	if err != nil {
		return err
	}
	t.PointInTimeRecovery, err = pitr.boolean("PointInTimeRecoveryEnabled", false)
	return err
}

func keySchema(p props, key string) ([]KeyElement, error) {
	elems, err := p.blocks(key)
	if err != nil {
		return nil, err
	}
	out := make([]KeyElement, 0, len(elems))
	for _, e := range elems {
		var k KeyElement
		if k.AttributeName, err = e.str("AttributeName", ""); err != nil {
			return nil, err
		}
		if k.KeyType, err = e.str("KeyType", ""); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

func indexes(p props, key string) ([]GSI, error) {
	list, err := p.blocks(key)
	if err != nil {
		return nil, err
	}
	var out []GSI
	for _, ix := range list {
		var g GSI
		if g.IndexName, err = ix.str("IndexName", ""); err != nil {
			return nil, err
		}
		if g.KeySchema, err = keySchema(ix, "KeySchema"); err != nil {
			return nil, err
		}
		projection, _, err := ix.block("Projection")
		if err != nil {
			return nil, err
		}
		if g.ProjectionType, err = projection.str("ProjectionType", "ALL"); err != nil {
			return nil, err
		}
		if g.NonKeyAttributes, err = projection.strings("NonKeyAttributes"); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// simpleTableTypes maps SimpleTable PrimaryKey.Type to a DynamoDB attribute type.
var simpleTableTypes = map[string]string{"String": "S", "Number": "N", "Binary": "B"}

func readSimpleTable(p props, t *Table) error {
	pk, _, err := p.block("PrimaryKey")
	if err != nil {
		return err
	}
	name, err := pk.str("Name", "id")
	if err != nil {
		return err
	}
	typ, err := pk.str("Type", "String")
	if err != nil {
		return err
	}
	attrType, ok := simpleTableTypes[typ]
	if !ok {
		return &pathError{path: pk.at("Type"), err: fmt.Errorf("%q is not String, Number or Binary", typ)}
	}
	t.KeySchema = []KeyElement{{AttributeName: name, KeyType: "HASH"}}
	t.AttributeDefinitions = []AttributeDefinition{{AttributeName: name, AttributeType: attrType}}
	t.BillingMode = "PAY_PER_REQUEST"
	if p.has("ProvisionedThroughput") {
		t.BillingMode = "PROVISIONED"
	}
	return nil
}

// checkKeyAttributesDefined rejects key schemas naming attributes missing from AttributeDefinitions.
func checkKeyAttributesDefined(t *Table) error {
	defined := map[string]bool{}
	for _, d := range t.AttributeDefinitions {
		defined[d.AttributeName] = true
	}
	check := func(where string, keys []KeyElement) error {
		hasHash := false
		for _, k := range keys {
			if !defined[k.AttributeName] {
				return fmt.Errorf("%s: key attribute %q is not in AttributeDefinitions", where, k.AttributeName)
			}
			hasHash = hasHash || k.KeyType == "HASH"
		}
		if !hasHash {
			return fmt.Errorf("%s: no HASH key", where)
		}
		return nil
	}
	if err := check("KeySchema", t.KeySchema); err != nil {
		return err
	}
	for _, ix := range append(append([]GSI{}, t.GSIs...), t.LSIs...) {
		if err := check("index "+ix.IndexName, ix.KeySchema); err != nil {
			return err
		}
	}
	return nil
}
