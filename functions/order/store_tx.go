package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/calltaxi/call-taxi/shared/apperr"
	"github.com/calltaxi/call-taxi/shared/ddbitem"
	"github.com/calltaxi/call-taxi/shared/idempotency"
)

// TxAPI is the part of the DynamoDB client the keyed writes use.
type TxAPI interface {
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// DynamoKeyedOrders writes an order of the Orders table and its Idempotency-Key record of the
// OrderIdempotency table in one TransactWriteItems (each table's item actions: the Orders item a Put or an
// Update, the key's record an Update). The Orders stream carries the order's change as it would a single
// write's: the same item, so the same images and events (the idempotency table has no stream).
type DynamoKeyedOrders struct {
	client TxAPI
	table  string
	keys   *idempotency.Store
}

var _ KeyedOrders = (*DynamoKeyedOrders)(nil)

// NewDynamoKeyedOrders returns the keyed writes on the Orders table and the keys' store.
func NewDynamoKeyedOrders(client TxAPI, ordersTable string, keys *idempotency.Store) *DynamoKeyedOrders {
	return &DynamoKeyedOrders{client: client, table: ordersTable, keys: keys}
}

// The actions of a keyed transaction, in order: their indexes locate the cancellation reasons. The key's
// comes first: an engine that stops at the first failed condition (the embedded minidyn) still reports the
// key's, which decides the answer; DynamoDB reports every action's.
const (
	keyedActionKey   = 0
	keyedActionOrder = 1
)

// Cancellation reason codes (DynamoDB API reference, TransactWriteItems).
const (
	reasonConditionalCheckFailed = "ConditionalCheckFailed"
	reasonThrottling             = "ThrottlingError"
	reasonThroughputExceeded     = "ProvisionedThroughputExceeded"
)

// keyedThrottleRetryAfter is what a client is told to wait when DynamoDB throttles a keyed transaction.
const keyedThrottleRetryAfter = time.Second

// CreateClaimed implements KeyedOrders.
func (k *DynamoKeyedOrders) CreateClaimed(ctx context.Context, o Order, key, fingerprint string) (idempotency.Record, bool, error) {
	item, err := attributevalue.MarshalMap(o)
	if err != nil {
		return idempotency.Record{}, false, fmt.Errorf("encode order %s: %w", o.ID, err)
	}
	claim, err := k.keys.ClaimItem(key, fingerprint, o.ID)
	if err != nil {
		return idempotency.Record{}, false, err
	}
	actions := make([]types.TransactWriteItem, 2)
	actions[keyedActionOrder] = types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(k.table), Item: item,
		ConditionExpression:      aws.String("attribute_not_exists(#id)"),
		ExpressionAttributeNames: map[string]string{"#id": "id"},
	}}
	actions[keyedActionKey] = claim
	reasons, err := k.transact(ctx, actions)
	switch {
	case err != nil:
		return idempotency.Record{}, false, fmt.Errorf("create order %s claiming its key: %w", o.ID, err)
	case reasons == nil:
		return idempotency.Record{
			Key: key, Status: idempotency.InProgress, Fingerprint: fingerprint, Ref: o.ID,
		}, true, nil
	case failed(reasons, keyedActionKey):
		// The key was used before: replay, refuse, or take over the attempt that used it (or, holding o.ID,
		// it is this call's own claim, committed by a try whose answer was lost: o was written with it).
		return k.keys.Taken(ctx, key, fingerprint, o.ID, reasons[keyedActionKey].Item)
	case failed(reasons, keyedActionOrder):
		return idempotency.Record{}, false, fmt.Errorf("create order %s claiming its key: %w", o.ID, ErrOrderExists)
	default:
		return idempotency.Record{}, false, fmt.Errorf("create order %s claiming its key: %w", o.ID, cancelled(reasons))
	}
}

// MarkPaidAnswering implements KeyedOrders.
func (k *DynamoKeyedOrders) MarkPaidAnswering(ctx context.Context, id string, p PaymentInfo, at time.Time, key string, result any) error {
	return k.answer(ctx, id, StatusPaid, at, paidAttributes(p), key, result)
}

// MarkDeclinedAnswering implements KeyedOrders.
func (k *DynamoKeyedOrders) MarkDeclinedAnswering(ctx context.Context, id, reason string, at time.Time, key string, result any) error {
	return k.answer(ctx, id, StatusDeclined, at, declinedAttributes(reason), key, result)
}

// answer moves the order PENDING_PAYMENT → to (out of the pending index) and completes key with result.
func (k *DynamoKeyedOrders) answer(ctx context.Context, id, to string, at time.Time, set map[string]types.AttributeValue, key string, result any) error {
	expr, err := transition(StatusPendingPayment, to, at, set, attrPendingShard, nil)
	if err != nil {
		return fmt.Errorf("update order %s to %s: %w", id, to, err)
	}
	complete, err := k.keys.CompleteItem(key, result)
	if err != nil {
		return err
	}
	actions := make([]types.TransactWriteItem, 2)
	actions[keyedActionOrder] = types.TransactWriteItem{Update: &types.Update{
		TableName: aws.String(k.table), Key: orderKey(id),
		ConditionExpression: expr.Condition(), UpdateExpression: expr.Update(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	}}
	actions[keyedActionKey] = complete
	reasons, err := k.transact(ctx, actions)
	switch {
	case err != nil:
		return fmt.Errorf("order %s to %s answering its key: %w", id, to, err)
	case reasons == nil:
		return nil
	case failed(reasons, keyedActionOrder):
		return fmt.Errorf("order %s %s → %s: %w", id, StatusPendingPayment, to, ErrWrongState)
	default:
		return fmt.Errorf("order %s to %s answering its key: %w", id, to, cancelled(reasons))
	}
}

// transact runs the transaction, retrying transaction conflicts with jittered backoff (conflicts that
// outlast the retries are a 503 with Retry-After, as for single writes). A cancellation is returned as
// its reasons, one per action; any other failure as the error.
func (k *DynamoKeyedOrders) transact(ctx context.Context, actions []types.TransactWriteItem) ([]types.CancellationReason, error) {
	err := ddbitem.RetryConflicts(ctx, func() error {
		_, err := k.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: actions})
		return err
	})
	canceled, ok := errors.AsType[*types.TransactionCanceledException](err)
	switch {
	case err == nil:
		return nil, nil
	case !ok || ddbitem.IsTransactionConflict(err):
		// Not a cancellation, or conflicts that outlasted the retries (already a 503 with Retry-After).
		return nil, err
	case len(canceled.CancellationReasons) != len(actions):
		return nil, fmt.Errorf("%d cancellation reasons for %d actions: %w", len(canceled.CancellationReasons), len(actions), err)
	}
	return canceled.CancellationReasons, nil
}

func failed(reasons []types.CancellationReason, action int) bool {
	return aws.ToString(reasons[action].Code) == reasonConditionalCheckFailed
}

// cancelled is a cancellation no condition explains: throttling is the client's to retry (503 with
// Retry-After); anything else (a validation error) is a bug.
func cancelled(reasons []types.CancellationReason) error {
	codes := make([]string, len(reasons))
	throttled := false
	for i, r := range reasons {
		codes[i] = aws.ToString(r.Code)
		throttled = throttled || codes[i] == reasonThrottling || codes[i] == reasonThroughputExceeded
	}
	err := fmt.Errorf("transaction cancelled: %v", codes)
	if throttled {
		return apperr.TryAgain("the order tables are busy, retry shortly with the same Idempotency-Key", keyedThrottleRetryAfter, err)
	}
	return err
}
