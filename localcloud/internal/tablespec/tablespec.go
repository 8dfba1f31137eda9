// Package tablespec holds the DynamoDB table shapes that both the template reader (samtemplate) and the
// DynamoDB emulator (ddbemu) speak, so a key schema is declared once.
package tablespec

// KeyElement is one element of a key schema.
type KeyElement struct {
	AttributeName string
	KeyType       string // HASH | RANGE
}

// AttributeDefinition declares the type of a key attribute.
type AttributeDefinition struct {
	AttributeName string
	AttributeType string // S | N | B
}

// Index is a secondary index.
type Index struct {
	IndexName        string
	KeySchema        []KeyElement
	ProjectionType   string // ALL | KEYS_ONLY | INCLUDE
	NonKeyAttributes []string
}
