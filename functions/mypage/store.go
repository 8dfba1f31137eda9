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

// CustomerIndex is the GSI listing a customer's rows by creation time.
const CustomerIndex = "customerId-createdAt-index"

// DynamoAPI is the part of the DynamoDB client the store uses.
type DynamoAPI interface {
	ddbitem.Getter
	ddbitem.Putter
	ddbitem.Querier
}

// DynamoStore keeps views in MyPagesTable.
type DynamoStore struct {
	client DynamoAPI
	table  string
}

var _ Store = (*DynamoStore)(nil)

// NewDynamoStore returns a store over table.
func NewDynamoStore(client DynamoAPI, table string) *DynamoStore {
	return &DynamoStore{client: client, table: table}
}

// Get implements Store.
func (s *DynamoStore) Get(ctx context.Context, orderID string) (View, bool, error) {
	var v View
	found, err := ddbitem.Get(ctx, s.client, s.table, ddbitem.Key("orderId", orderID), &v)
	if err != nil {
		return View{}, false, fmt.Errorf("get view %s: %w", orderID, err)
	}
	return v, found, nil
}

// Save implements Store.
func (s *DynamoStore) Save(ctx context.Context, v View, expectedRev int64) error {
	var err error
	if expectedRev == 0 {
		err = ddbitem.PutNew(ctx, s.client, s.table, "orderId", v)
	} else {
		err = ddbitem.PutIfNumber(ctx, s.client, s.table, v, "rev", expectedRev)
	}
	if errors.Is(err, ddbitem.ErrConditionFailed) {
		return ErrConflict
	}
	if err != nil {
		return fmt.Errorf("put view %s: %w", v.OrderID, err)
	}
	return nil
}

// ListByCustomer implements Store. The status filter runs after DynamoDB's page limit, so it pages until
// it has limit bookings or the customer's rows run out.
func (s *DynamoStore) ListByCustomer(ctx context.Context, customerID string, limit int) ([]View, error) {
	views := make([]View, 0, limit)
	var start map[string]types.AttributeValue
	for {
		out, err := s.client.Query(ctx, &dynamodb.QueryInput{
			TableName:                aws.String(s.table),
			IndexName:                aws.String(CustomerIndex),
			KeyConditionExpression:   aws.String("#customerId = :customerId"),
			FilterExpression:         aws.String("#status <> :notBooking"),
			ExpressionAttributeNames: map[string]string{"#customerId": "customerId", "#status": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":customerId": &types.AttributeValueMemberS{Value: customerID},
				":notBooking": &types.AttributeValueMemberS{Value: ""},
			},
			ScanIndexForward:  aws.Bool(false),
			Limit:             aws.Int32(int32(limit)),
			ExclusiveStartKey: start,
		})
		if err != nil {
			return nil, fmt.Errorf("query views of customer: %w", err)
		}
		for _, item := range out.Items {
			var v View
			if err := attributevalue.UnmarshalMap(item, &v); err != nil {
				return nil, fmt.Errorf("decode view: %w", err)
			}
			views = append(views, v)
			if len(views) == limit {
				return views, nil
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return views, nil
		}
		start = out.LastEvaluatedKey
	}
}
