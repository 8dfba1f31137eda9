// Package ddbtest gives tests a real DynamoDB API: the embedded minidyn server behind an httptest
// listener, reached through the real aws-sdk-go-v2 client.
package ddbtest

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	miniserver "github.com/truora/minidyn/server"
)

// Index is a GSI with string keys and ALL projection.
type Index struct {
	Name, Hash, Range string
}

// Table is a table with a string hash key and optional string GSIs.
type Table struct {
	Name, Hash, Range string
	Indexes           []Index
}

// New starts a fresh DynamoDB with the tables and returns a client for it.
func New(t testing.TB, tables ...Table) *dynamodb.Client {
	t.Helper()
	srv := httptest.NewServer(miniserver.NewServer())
	t.Cleanup(srv.Close)
	client := dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	for _, tbl := range tables {
		Create(t, client, tbl)
	}
	return client
}

// Create creates one table.
func Create(t testing.TB, client *dynamodb.Client, tbl Table) {
	t.Helper()
	attrs := map[string]bool{tbl.Hash: true}
	keys := []types.KeySchemaElement{{AttributeName: aws.String(tbl.Hash), KeyType: types.KeyTypeHash}}
	if tbl.Range != "" {
		attrs[tbl.Range] = true
		keys = append(keys, types.KeySchemaElement{AttributeName: aws.String(tbl.Range), KeyType: types.KeyTypeRange})
	}
	var gsis []types.GlobalSecondaryIndex
	for _, ix := range tbl.Indexes {
		attrs[ix.Hash] = true
		schema := []types.KeySchemaElement{{AttributeName: aws.String(ix.Hash), KeyType: types.KeyTypeHash}}
		if ix.Range != "" {
			attrs[ix.Range] = true
			schema = append(schema, types.KeySchemaElement{AttributeName: aws.String(ix.Range), KeyType: types.KeyTypeRange})
		}
		gsis = append(gsis, types.GlobalSecondaryIndex{
			IndexName:  aws.String(ix.Name),
			KeySchema:  schema,
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		})
	}
	var defs []types.AttributeDefinition
	for name := range attrs {
		defs = append(defs, types.AttributeDefinition{AttributeName: aws.String(name), AttributeType: types.ScalarAttributeTypeS})
	}
	_, err := client.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:              aws.String(tbl.Name),
		AttributeDefinitions:   defs,
		KeySchema:              keys,
		GlobalSecondaryIndexes: gsis,
		BillingMode:            types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("create table %s: %v", tbl.Name, err)
	}
}
