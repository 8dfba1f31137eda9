// Package ddbitem holds the item operations every context's store repeats: a strongly consistent read
// decoded into a struct, and a put that only succeeds on the state the caller expects (a new key, or the
// version it read). A lost condition is ErrConditionFailed, which each store maps to its own domain error.
// A write that a DynamoDB transaction holds up is retried (see RetryConflicts).
package ddbitem

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

// ErrConditionFailed means the item was not in the state the write required.
var ErrConditionFailed = errors.New("ddbitem: condition failed")

// Getter is the read the helpers need.
type Getter interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// Putter is the write the helpers need.
type Putter interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// Key is a single string key attribute.
func Key(name, value string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{name: &types.AttributeValueMemberS{Value: value}}
}

// Get reads the item with key strongly consistently into out; found is false when there is none.
func Get(ctx context.Context, client Getter, table string, key map[string]types.AttributeValue, out any) (found bool, err error) {
	res, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return false, fmt.Errorf("get from %s: %w", table, err)
	}
	if res.Item == nil {
		return false, nil
	}
	if err := attributevalue.UnmarshalMap(res.Item, out); err != nil {
		return false, fmt.Errorf("decode item of %s: %w", table, err)
	}
	return true, nil
}

// PutNew writes v only if no item has its key (keyAttr is the table's hash key attribute).
func PutNew(ctx context.Context, client Putter, table, keyAttr string, v any) error {
	return put(ctx, client, table, v, "attribute_not_exists(#k)", map[string]string{"#k": keyAttr}, nil)
}

// PutIfNumber writes v only if the stored item's numeric attribute attr equals expected (optimistic
// locking on a version or revision counter).
func PutIfNumber(ctx context.Context, client Putter, table string, v any, attr string, expected int64) error {
	return put(ctx, client, table, v, "#a = :expected", map[string]string{"#a": attr},
		map[string]types.AttributeValue{":expected": &types.AttributeValueMemberN{Value: strconv.FormatInt(expected, 10)}})
}

func put(ctx context.Context, client Putter, table string, v any, condition string, names map[string]string, values map[string]types.AttributeValue) error {
	item, err := attributevalue.MarshalMap(v)
	if err != nil {
		return fmt.Errorf("encode item for %s: %w", table, err)
	}
	err = RetryConflicts(ctx, func() error {
		_, err := client.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:                 aws.String(table),
			Item:                      item,
			ConditionExpression:       aws.String(condition),
			ExpressionAttributeNames:  names,
			ExpressionAttributeValues: values,
		})
		return err
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ErrConditionFailed
	}
	if err != nil {
		return fmt.Errorf("put into %s: %w", table, err)
	}
	return nil
}

// TimeLayout is how every table stores an instant: UTC, milliseconds, so stored times sort as strings.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// S is a string attribute value.
func S(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// N is a number attribute value.
func N(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

// Updater is an update of one item.
type Updater interface {
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// Querier is a query of a table or an index.
type Querier interface {
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// GetUpdater is a read and an update: what a store of one keyed record at a time needs.
type GetUpdater interface {
	Getter
	Updater
}

// Client is the part of the DynamoDB client a context's store uses.
type Client interface {
	Getter
	Putter
	Updater
	Querier
}
