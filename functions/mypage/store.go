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

// CustomerIndex is the GSI listing a customer's rows by creation time.
const CustomerIndex = "customerId-createdAt-index"

// DynamoAPI is the part of the DynamoDB client the store uses.
type DynamoAPI interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
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
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            map[string]types.AttributeValue{"orderId": &types.AttributeValueMemberS{Value: orderID}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return View{}, false, fmt.Errorf("get view %s: %w", orderID, err)
	}
	if out.Item == nil {
		return View{}, false, nil
	}
	var v View
	if err := attributevalue.UnmarshalMap(out.Item, &v); err != nil {
		return View{}, false, fmt.Errorf("decode view %s: %w", orderID, err)
	}
	return v, true, nil
}

// Save implements Store.
func (s *DynamoStore) Save(ctx context.Context, v View, expectedRev int64) error {
	item, err := attributevalue.MarshalMap(v)
	if err != nil {
		return fmt.Errorf("encode view %s: %w", v.OrderID, err)
	}
	in := &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}
	if expectedRev == 0 {
		in.ConditionExpression = aws.String("attribute_not_exists(#orderId)")
		in.ExpressionAttributeNames = map[string]string{"#orderId": "orderId"}
	} else {
		in.ConditionExpression = aws.String("#rev = :rev")
		in.ExpressionAttributeNames = map[string]string{"#rev": "rev"}
		in.ExpressionAttributeValues = map[string]types.AttributeValue{
			":rev": &types.AttributeValueMemberN{Value: strconv.FormatInt(expectedRev, 10)},
		}
	}
	_, err = s.client.PutItem(ctx, in)
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
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
