package calltaxi_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// samSchemaFile is the official SAM schema, kept next to the repository (absent on users' machines).
var samSchemaFile = filepath.Join("..", "shared", "sam", "sam.schema.json")

// lookAheadPattern is the one pattern in the SAM schema that Go's regexp cannot compile.
const lookAheadPattern = "^(?!AWS::Serverless::).+$"

func compileSAMSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	if _, err := os.Stat(samSchemaFile); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("SAM schema %s not found: schema validation runs only where the shared folder exists (CI)", samSchemaFile)
	}
	sch, err := samSchema()
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// samSchema compiles the schema once per test binary (it is 750 KB).
var samSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	data, err := os.ReadFile(samSchemaFile)
	if err != nil {
		return nil, fmt.Errorf("read SAM schema: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", samSchemaFile, err)
	}
	if rewriteLookAheadPatterns(doc) == 0 {
		return nil, fmt.Errorf("%s no longer contains %q: drop the rewrite", samSchemaFile, lookAheadPattern)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	if err := c.AddResource("sam.schema.json", doc); err != nil {
		return nil, fmt.Errorf("add SAM schema: %w", err)
	}
	sch, err := c.Compile("sam.schema.json")
	if err != nil {
		return nil, fmt.Errorf("compile SAM schema: %w", err)
	}
	return sch, nil
})

// rewriteLookAheadPatterns replaces {"pattern": "^(?!AWS::Serverless::).+$"} by the equivalent
// {"minLength": 1, "not": {"pattern": "^AWS::Serverless::"}} and reports how many it rewrote.
func rewriteLookAheadPatterns(v any) int {
	n := 0
	switch x := v.(type) {
	case map[string]any:
		if x["pattern"] == lookAheadPattern {
			delete(x, "pattern")
			x["minLength"] = json.Number("1")
			negated := map[string]any{"pattern": "^AWS::Serverless::"}
			if existing, ok := x["not"]; ok {
				x["allOf"] = append(asSlice(x["allOf"]), map[string]any{"not": existing})
			}
			x["not"] = negated
			n++
		}
		for _, c := range x {
			n += rewriteLookAheadPatterns(c)
		}
	case []any:
		for _, c := range x {
			n += rewriteLookAheadPatterns(c)
		}
	}
	return n
}

// schemaInstance converts the template to the value types the validator expects.
func schemaInstance(t *testing.T, doc any) any {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(mustJSON(t, doc)))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

func TestTemplateSchema(t *testing.T) {
	sch := compileSAMSchema(t)
	repo := loadRepo(t, ".")
	if err := sch.Validate(schemaInstance(t, repo.tpl.doc)); err != nil {
		t.Errorf("%s does not match the SAM schema:\n%v", templateFile, err)
	}
}

func TestTemplateSchemaRejectsBrokenCopies(t *testing.T) {
	sch := compileSAMSchema(t)
	cases := []struct {
		name     string
		breakIt  func(doc map[string]any)
		mentions string
	}{
		{
			name: "misspelled function property",
			breakIt: func(doc map[string]any) {
				props := asMap(asMap(asMap(doc["Resources"])["OrderFunction"])["Properties"])
				props["Timeuot"] = props["Timeout"]
				delete(props, "Timeout")
			},
			mentions: "Timeuot",
		},
		{
			name: "unknown event type",
			breakIt: func(doc map[string]any) {
				events := asMap(asMap(asMap(asMap(doc["Resources"])["NotifyFunction"])["Properties"])["Events"])
				asMap(events["MyPagesStream"])["Type"] = "DynamoDb"
			},
			mentions: "MyPagesStream",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tpl, err := readTemplate(templateFile)
			if err != nil {
				t.Fatal(err)
			}
			c.breakIt(tpl.doc)
			err = sch.Validate(schemaInstance(t, tpl.doc))
			if err == nil {
				t.Fatal("the broken template passed schema validation")
			}
			if !strings.Contains(err.Error(), c.mentions) {
				t.Errorf("the schema error does not mention %q:\n%v", c.mentions, err)
			}
		})
	}
}
