package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/calltaxi/call-taxi/shared/ddbitem"
)

// statusIndex is the Reservations GSI (status, createdAt).
const statusIndex = "status-createdAt-index"

// DynamoStore is the Reservations table.
type DynamoStore struct {
	client *dynamodb.Client
	table  string
}

var _ Store = (*DynamoStore)(nil)

// NewDynamoStore returns the store on the named table.
func NewDynamoStore(client *dynamodb.Client, table string) *DynamoStore {
	return &DynamoStore{client: client, table: table}
}

func (s *DynamoStore) Get(ctx context.Context, id string) (*Reservation, error) {
	var r Reservation
	found, err := ddbitem.Get(ctx, s.client, s.table, ddbitem.Key("id", id), &r)
	if err != nil || !found {
		return nil, err
	}
	return &r, nil
}

// Save writes r if the stored row is still the version before it (or absent, for version 1).
func (s *DynamoStore) Save(ctx context.Context, r Reservation) error {
	var err error
	if r.Version <= 1 {
		err = ddbitem.PutNew(ctx, s.client, s.table, "id", r)
	} else {
		err = ddbitem.PutIfNumber(ctx, s.client, s.table, r, "version", r.Version-1)
	}
	if errors.Is(err, ddbitem.ErrConditionFailed) {
		err = ErrVersionConflict
	}
	if err != nil {
		return fmt.Errorf("save reservation %s v%d: %w", r.ID, r.Version, err)
	}
	return nil
}

func (s *DynamoStore) ListByStatus(ctx context.Context, status string, limit int) ([]Reservation, error) {
	out, err := s.client.Query(ctx, &dynamodb.QueryInput{
		TableName:                aws.String(s.table),
		IndexName:                aws.String(statusIndex),
		KeyConditionExpression:   aws.String("#status = :status"),
		ExpressionAttributeNames: map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":status": &types.AttributeValueMemberS{Value: status},
		},
		ScanIndexForward: aws.Bool(false),
		Limit:            aws.Int32(int32(limit)),
	})
	if err != nil {
		return nil, fmt.Errorf("query reservations %s: %w", status, err)
	}
	items := make([]Reservation, 0, len(out.Items))
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &items); err != nil {
		return nil, fmt.Errorf("decode reservations: %w", err)
	}
	return items, nil
}
