package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/calltaxi/call-taxi/shared/ddbitem"
)

// The items of the assignment transaction, in order: their indexes locate the cancellation reasons.
const (
	assignItemAssignment = 0
	assignItemTaxi       = 1
)

const reasonConditionalCheckFailed = "ConditionalCheckFailed"

func (s *DynamoStore) Assign(ctx context.Context, a Assignment, grade string) error {
	item, err := attributevalue.MarshalMap(a)
	if err != nil {
		return fmt.Errorf("encode assignment %s: %w", a.ReservationID, err)
	}
	held, err := expression.NewBuilder().WithCondition(assignmentOpenCondition(a.Attempt)).Build()
	if err != nil {
		return fmt.Errorf("assignment condition: %w", err)
	}
	one := expression.Value(1)
	take, err := expression.NewBuilder().WithCondition(taxiTakesCondition(grade)).WithUpdate(expression.
		Set(expression.Name("stockCnt"), expression.Name("stockCnt").Minus(one)).
		Set(expression.Name("assignedCnt"), expression.Name("assignedCnt").Plus(one)).
		Set(expression.Name("version"), expression.Name("version").Plus(one)).
		Set(expression.Name("updatedAt"), expression.Value(a.UpdatedAt))).Build()
	if err != nil {
		return fmt.Errorf("taxi update: %w", err)
	}
	items := make([]types.TransactWriteItem, 2)
	items[assignItemAssignment] = types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(s.assignments), Item: item,
		ConditionExpression: held.Condition(), ExpressionAttributeNames: held.Names(), ExpressionAttributeValues: held.Values(),
	}}
	items[assignItemTaxi] = types.TransactWriteItem{Update: &types.Update{
		TableName: aws.String(s.taxis), Key: map[string]types.AttributeValue{"id": ddbitem.S(a.TaxiID)},
		UpdateExpression: take.Update(), ConditionExpression: take.Condition(),
		ExpressionAttributeNames: take.Names(), ExpressionAttributeValues: take.Values(),
	}}
	err = ddbitem.RetryConflicts(ctx, func() error {
		_, err := s.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		return err
	})
	var canceled *types.TransactionCanceledException
	if errors.As(err, &canceled) {
		return refusal(canceled.CancellationReasons)
	}
	if err != nil {
		return fmt.Errorf("assign taxi %s to %s: %w", a.TaxiID, a.ReservationID, err)
	}
	return nil
}

// refusal reads which conditions failed. Without a usable answer (no reasons, or a transaction conflict
// that outlasted the retries) it blames both, so the caller re-reads both rows and decides from what it finds.
func refusal(reasons []types.CancellationReason) *AssignRefusedError {
	failed := func(i int) bool {
		return i < len(reasons) && aws.ToString(reasons[i].Code) == reasonConditionalCheckFailed
	}
	r := &AssignRefusedError{AssignmentExists: failed(assignItemAssignment), TaxiRefused: failed(assignItemTaxi)}
	if !r.AssignmentExists && !r.TaxiRefused {
		r.AssignmentExists, r.TaxiRefused = true, true
	}
	return r
}

func (s *DynamoStore) Release(ctx context.Context, a Assignment, at string) error {
	return s.giveBack(ctx, a, AssignmentReleased, "releasedCnt", at)
}

func (s *DynamoStore) Complete(ctx context.Context, a Assignment, at string) error {
	return s.giveBack(ctx, a, AssignmentCompleted, "completedCnt", at)
}

// giveBack moves an ASSIGNED row to status and returns its unit to the taxi, counting it in counter.
func (s *DynamoStore) giveBack(ctx context.Context, a Assignment, status, counter, at string) error {
	n, v := expression.Name, expression.Value
	release := update{
		set:       expression.Set(n("status"), v(status)).Set(n("updatedAt"), v(at)),
		condition: n("status").Equal(v(AssignmentAssigned)),
	}
	release.correlate(a.CorrelationID)
	released, err := release.build()
	if err != nil {
		return err
	}
	// if_not_exists: taxis registered before rides could complete have no completedCnt.
	back, err := expression.NewBuilder().WithCondition(expression.AttributeExists(n("id"))).WithUpdate(expression.
		Set(n("stockCnt"), n("stockCnt").Plus(v(1))).
		Set(n(counter), expression.Plus(n(counter).IfNotExists(v(0)), v(1))).
		Set(n("version"), n("version").Plus(v(1))).
		Set(n("updatedAt"), v(at))).Build()
	if err != nil {
		return fmt.Errorf("taxi give-back expression: %w", err)
	}
	items := []types.TransactWriteItem{
		{Update: &types.Update{
			TableName: aws.String(s.assignments), Key: map[string]types.AttributeValue{"reservationId": ddbitem.S(a.ReservationID)},
			UpdateExpression: released.Update(), ConditionExpression: released.Condition(),
			ExpressionAttributeNames: released.Names(), ExpressionAttributeValues: released.Values(),
		}},
		{Update: &types.Update{
			TableName: aws.String(s.taxis), Key: map[string]types.AttributeValue{"id": ddbitem.S(a.TaxiID)},
			UpdateExpression: back.Update(), ConditionExpression: back.Condition(),
			ExpressionAttributeNames: back.Names(), ExpressionAttributeValues: back.Values(),
		}},
	}
	err = ddbitem.RetryConflicts(ctx, func() error {
		_, err := s.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		return err
	})
	var canceled *types.TransactionCanceledException
	if errors.As(err, &canceled) {
		return fmt.Errorf("%s assignment %s: %w", status, a.ReservationID, ErrVersionConflict)
	}
	if err != nil {
		return fmt.Errorf("%s assignment %s: %w", status, a.ReservationID, err)
	}
	return nil
}
