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

// DynamoAPI is the part of the DynamoDB client the store uses.
type DynamoAPI = ddbitem.Client

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

// MarkPaid moves PENDING_PAYMENT → PAID, out of the pending index.
func (s *DynamoStore) MarkPaid(ctx context.Context, id string, p PaymentInfo, at time.Time) (Order, error) {
	return s.update(ctx, id, StatusPendingPayment, StatusPaid, at, paidAttributes(p), attrPendingShard)
}

func paidAttributes(p PaymentInfo) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"paymentId": ddbitem.S(p.PaymentID), "cardLast4": ddbitem.S(p.CardLast4), "cardBrand": ddbitem.S(p.CardBrand),
	}
}

// MarkDeclined moves PENDING_PAYMENT → DECLINED, out of the pending index.
func (s *DynamoStore) MarkDeclined(ctx context.Context, id, reason string, at time.Time) (Order, error) {
	return s.update(ctx, id, StatusPendingPayment, StatusDeclined, at, declinedAttributes(reason), attrPendingShard)
}

func declinedAttributes(reason string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"declineReason": ddbitem.S(reason)}
}

// MarkCanceled moves PAID → CANCELED.
func (s *DynamoStore) MarkCanceled(ctx context.Context, id string, at time.Time) (Order, error) {
	return s.update(ctx, id, StatusPaid, StatusCanceled, at, nil, "")
}

// MarkPickedUp records the pickup on a PAID order; the status stays PAID.
func (s *DynamoStore) MarkPickedUp(ctx context.Context, id string, at time.Time) (Order, error) {
	return s.updateIf(ctx, id, StatusPaid, StatusPaid, at, map[string]types.AttributeValue{
		"pickedUpAt": ddbitem.S(formatTime(at)),
	}, "", new(expression.AttributeNotExists(expression.Name("pickedUpAt"))))
}

// Park takes a PENDING_PAYMENT order out of the pending index, only if it is still at version.
func (s *DynamoStore) Park(ctx context.Context, id string, version int64, at time.Time) error {
	_, err := s.updateIf(ctx, id, StatusPendingPayment, StatusPendingPayment, at, nil, attrPendingShard,
		new(expression.Name("version").Equal(expression.Value(version))))
	return err
}

// Unpark puts a PENDING_PAYMENT order back in the pending index.
func (s *DynamoStore) Unpark(ctx context.Context, id string, at time.Time) (Order, error) {
	return s.update(ctx, id, StatusPendingPayment, StatusPendingPayment, at, map[string]types.AttributeValue{
		attrPendingShard: ddbitem.S(PendingShard(id)),
	}, "")
}

// ListPending returns up to limit orders of the pending index created before the given time, each shard
// oldest first (the index is eventually consistent: a row may already have left PENDING_PAYMENT).
func (s *DynamoStore) ListPending(ctx context.Context, createdBefore string, limit int) ([]Order, error) {
	var orders []Order
	for shard := range pendingShards {
		paginator := dynamodb.NewQueryPaginator(s.client, &dynamodb.QueryInput{
			TableName:              aws.String(s.table),
			IndexName:              aws.String(pendingIndex),
			KeyConditionExpression: aws.String("#shard = :shard AND #createdAt < :before"),
			// An order that left PENDING_PAYMENT can still be read from the index for a moment (GSIs are
			// eventually consistent), and the local cloud's engine keeps removed attributes (minidyn ignores
			// REMOVE): the filter keeps both out.
			FilterExpression:         aws.String("#status = :pending"),
			ExpressionAttributeNames: map[string]string{"#shard": attrPendingShard, "#createdAt": "createdAt", "#status": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":shard": ddbitem.S(pendingShardName(shard)), ":before": ddbitem.S(createdBefore), ":pending": ddbitem.S(StatusPendingPayment),
			},
		})
		for paginator.HasMorePages() && len(orders) < limit {
			page, err := paginator.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("query pending orders of shard %d: %w", shard, err)
			}
			var batch []Order
			if err := attributevalue.UnmarshalListOfMaps(page.Items, &batch); err != nil {
				return nil, fmt.Errorf("decode pending orders: %w", err)
			}
			orders = append(orders, batch...)
		}
	}
	if len(orders) > limit {
		orders = orders[:limit]
	}
	return orders, nil
}

func (s *DynamoStore) update(ctx context.Context, id, from, to string, at time.Time, set map[string]types.AttributeValue, remove string) (Order, error) {
	return s.updateIf(ctx, id, from, to, at, set, remove, nil)
}

// updateIf sets status to `to` (plus the extra attributes, minus remove) only if the order is in `from`
// and the extra condition (if any) holds, bumping version; ErrWrongState when it is not (or does not exist).
func (s *DynamoStore) updateIf(ctx context.Context, id, from, to string, at time.Time, set map[string]types.AttributeValue, remove string, cond *expression.ConditionBuilder) (Order, error) {
	expr, err := transition(from, to, at, set, remove, cond)
	if err != nil {
		return Order{}, fmt.Errorf("update order %s to %s: %w", id, to, err)
	}
	var out *dynamodb.UpdateItemOutput
	err = ddbitem.RetryConflicts(ctx, func() (err error) {
		out, err = s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                 aws.String(s.table),
			Key:                       orderKey(id),
			ConditionExpression:       expr.Condition(),
			UpdateExpression:          expr.Update(),
			ExpressionAttributeNames:  expr.Names(),
			ExpressionAttributeValues: expr.Values(),
			ReturnValues:              types.ReturnValueAllNew,
		})
		return err
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

// transition is the conditional update of a state change: status `to` (plus the extra attributes, minus
// remove), updatedAt and version + 1, only if the order exists in `from` and the extra condition holds.
func transition(from, to string, at time.Time, set map[string]types.AttributeValue, remove string, cond *expression.ConditionBuilder) (expression.Expression, error) {
	update := expression.Set(expression.Name("status"), expression.Value(to)).
		Set(expression.Name("updatedAt"), expression.Value(formatTime(at))).
		Set(expression.Name("version"), expression.Name("version").Plus(expression.Value(1)))
	for attr, v := range set {
		update = update.Set(expression.Name(attr), expression.Value(v))
	}
	if remove != "" {
		update = update.Remove(expression.Name(remove))
	}
	condition := expression.AttributeExists(expression.Name("id")).And(expression.Name("status").Equal(expression.Value(from)))
	if cond != nil {
		condition = condition.And(*cond)
	}
	return expression.NewBuilder().WithUpdate(update).WithCondition(condition).Build()
}

func orderKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"id": ddbitem.S(id)}
}
