package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/calltaxi/call-taxi/shared/ddbitem"
)

// orderIndex is the Payments GSI on orderId.
const orderIndex = "orderId-index"

// DynamoAPI is the part of the DynamoDB client the store uses.
type DynamoAPI = ddbitem.Client

// DynamoStore keeps payments in the Payments table.
type DynamoStore struct {
	client DynamoAPI
	table  string
}

var _ Store = (*DynamoStore)(nil)

// NewDynamoStore returns a store on the named table.
func NewDynamoStore(client DynamoAPI, table string) *DynamoStore {
	return &DynamoStore{client: client, table: table}
}

// Create puts a new payment; ErrPaymentExists when the order already has one.
func (s *DynamoStore) Create(ctx context.Context, p Payment) error {
	err := ddbitem.PutNew(ctx, s.client, s.table, "id", p)
	if errors.Is(err, ddbitem.ErrConditionFailed) {
		return ErrPaymentExists
	}
	if err != nil {
		return fmt.Errorf("put payment %s: %w", p.ID, err)
	}
	return nil
}

// Get reads a payment strongly consistently; ErrPaymentNotFound when there is none.
func (s *DynamoStore) Get(ctx context.Context, id string) (Payment, error) {
	var p Payment
	found, err := ddbitem.Get(ctx, s.client, s.table, ddbitem.Key("id", id), &p)
	if err != nil {
		return Payment{}, fmt.Errorf("get payment %s: %w", id, err)
	}
	if !found {
		return Payment{}, ErrPaymentNotFound
	}
	return p, nil
}

// Transition implements Store.
func (s *DynamoStore) Transition(ctx context.Context, id, from, to, declineReason string, at time.Time) (Payment, error) {
	update := expression.Set(expression.Name("status"), expression.Value(to)).
		Set(expression.Name("updatedAt"), expression.Value(formatTime(at))).
		Set(expression.Name("version"), expression.Name("version").Plus(expression.Value(1)))
	if declineReason != "" {
		update = update.Set(expression.Name("declineReason"), expression.Value(declineReason))
	}
	condition := expression.AttributeExists(expression.Name("id")).And(expression.Name("status").Equal(expression.Value(from)))
	expr, err := expression.NewBuilder().WithUpdate(update).WithCondition(condition).Build()
	if err != nil {
		return Payment{}, fmt.Errorf("update payment %s to %s: %w", id, to, err)
	}
	out, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       map[string]types.AttributeValue{"id": ddbitem.S(id)},
		ConditionExpression:       expr.Condition(),
		UpdateExpression:          expr.Update(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ReturnValues:              types.ReturnValueAllNew,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return Payment{}, fmt.Errorf("payment %s %s → %s: %w", id, from, to, ErrWrongState)
	}
	if err != nil {
		return Payment{}, fmt.Errorf("update payment %s to %s: %w", id, to, err)
	}
	var p Payment
	if err := attributevalue.UnmarshalMap(out.Attributes, &p); err != nil {
		return Payment{}, fmt.Errorf("decode payment %s: %w", id, err)
	}
	return p, nil
}

// ListByOrder returns the payments of an order (the orderId GSI, eventually consistent).
func (s *DynamoStore) ListByOrder(ctx context.Context, orderID string) ([]Payment, error) {
	paginator := dynamodb.NewQueryPaginator(s.client, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(orderIndex),
		KeyConditionExpression:    aws.String("#orderId = :orderId"),
		ExpressionAttributeNames:  map[string]string{"#orderId": "orderId"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":orderId": ddbitem.S(orderID)},
	})
	payments := []Payment{}
	for paginator.HasMorePages() {
		page, err := paginator.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query payments of order %s: %w", orderID, err)
		}
		var batch []Payment
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &batch); err != nil {
			return nil, fmt.Errorf("decode payments of order %s: %w", orderID, err)
		}
		payments = append(payments, batch...)
	}
	return payments, nil
}
