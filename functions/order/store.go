package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/calltaxi/call-taxi/shared/ddbitem"
)

// DynamoAPI is the part of the DynamoDB client the store uses.
type DynamoAPI interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// DynamoStore keeps orders in the Orders table.
type DynamoStore struct {
	client DynamoAPI
	table  string
}

var _ Store = (*DynamoStore)(nil)

// NewDynamoStore returns a store on the named table.
func NewDynamoStore(client DynamoAPI, table string) *DynamoStore {
	return &DynamoStore{client: client, table: table}
}

// Create puts a new order; ErrOrderExists when the id is taken.
func (s *DynamoStore) Create(ctx context.Context, o Order) error {
	err := ddbitem.PutNew(ctx, s.client, s.table, "id", o)
	if errors.Is(err, ddbitem.ErrConditionFailed) {
		return ErrOrderExists
	}
	if err != nil {
		return fmt.Errorf("put order %s: %w", o.ID, err)
	}
	return nil
}

// Get reads an order strongly consistently; ErrOrderNotFound when there is none.
func (s *DynamoStore) Get(ctx context.Context, id string) (Order, error) {
	var o Order
	found, err := ddbitem.Get(ctx, s.client, s.table, orderKey(id), &o)
	if err != nil {
		return Order{}, fmt.Errorf("get order %s: %w", id, err)
	}
	if !found {
		return Order{}, ErrOrderNotFound
	}
	return o, nil
}

// MarkPaid moves PENDING_PAYMENT → PAID.
func (s *DynamoStore) MarkPaid(ctx context.Context, id string, p PaymentInfo, at time.Time) (Order, error) {
	return s.transition(ctx, id, StatusPendingPayment, StatusPaid, at, map[string]types.AttributeValue{
		"paymentId": str(p.PaymentID), "cardLast4": str(p.CardLast4), "cardBrand": str(p.CardBrand),
	})
}

// MarkDeclined moves PENDING_PAYMENT → DECLINED.
func (s *DynamoStore) MarkDeclined(ctx context.Context, id, reason string, at time.Time) (Order, error) {
	return s.transition(ctx, id, StatusPendingPayment, StatusDeclined, at, map[string]types.AttributeValue{
		"declineReason": str(reason),
	})
}

// MarkCanceled moves PAID → CANCELED.
func (s *DynamoStore) MarkCanceled(ctx context.Context, id string, at time.Time) (Order, error) {
	return s.transition(ctx, id, StatusPaid, StatusCanceled, at, nil)
}

// transition sets status to `to` (plus the extra attributes) only if the order is in `from`, bumping
// version; ErrWrongState when it is not (or does not exist).
func (s *DynamoStore) transition(ctx context.Context, id, from, to string, at time.Time, set map[string]types.AttributeValue) (Order, error) {
	names := map[string]string{"#id": "id", "#status": "status", "#updatedAt": "updatedAt", "#version": "version"}
	values := map[string]types.AttributeValue{
		":from": str(from), ":to": str(to), ":at": str(formatTime(at)),
		":one": &types.AttributeValueMemberN{Value: strconv.Itoa(1)},
	}
	update := "SET #status = :to, #updatedAt = :at, #version = #version + :one"
	i := 0
	for attr, v := range set {
		i++
		name, value := fmt.Sprintf("#a%d", i), fmt.Sprintf(":a%d", i)
		names[name], values[value] = attr, v
		update += ", " + name + " = " + value
	}
	out, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       orderKey(id),
		ConditionExpression:       aws.String("attribute_exists(#id) AND #status = :from"),
		UpdateExpression:          aws.String(update),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
		ReturnValues:              types.ReturnValueAllNew,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return Order{}, fmt.Errorf("order %s %s → %s: %w", id, from, to, ErrWrongState)
	}
	if err != nil {
		return Order{}, fmt.Errorf("update order %s to %s: %w", id, to, err)
	}
	var o Order
	if err := attributevalue.UnmarshalMap(out.Attributes, &o); err != nil {
		return Order{}, fmt.Errorf("decode order %s: %w", id, err)
	}
	return o, nil
}

func orderKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"id": str(id)}
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }
