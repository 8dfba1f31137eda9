package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
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
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: id}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("get reservation %s: %w", id, err)
	}
	if out.Item == nil {
		return nil, nil
	}
	var r Reservation
	if err := attributevalue.UnmarshalMap(out.Item, &r); err != nil {
		return nil, fmt.Errorf("decode reservation %s: %w", id, err)
	}
	return &r, nil
}

func (s *DynamoStore) Save(ctx context.Context, r Reservation) error {
	item, err := attributevalue.MarshalMap(r)
	if err != nil {
		return fmt.Errorf("encode reservation %s: %w", r.ID, err)
	}
	in := &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}
	if r.Version <= 1 {
		in.ConditionExpression = aws.String("attribute_not_exists(#id)")
		in.ExpressionAttributeNames = map[string]string{"#id": "id"}
	} else {
		in.ConditionExpression = aws.String("#version = :prev")
		in.ExpressionAttributeNames = map[string]string{"#version": "version"}
		in.ExpressionAttributeValues = map[string]types.AttributeValue{
			":prev": &types.AttributeValueMemberN{Value: strconv.FormatInt(r.Version-1, 10)},
		}
	}
	if _, err := s.client.PutItem(ctx, in); err != nil {
		var ccf *types.ConditionalCheckFailedException
		if errors.As(err, &ccf) {
			return fmt.Errorf("save reservation %s v%d: %w", r.ID, r.Version, ErrVersionConflict)
		}
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
