package ddbtest

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Conflicting is a DynamoDB client that refuses its first Conflicts single-item writes (PutItem and
// UpdateItem, counted together in Writes) with TransactionConflictException, as DynamoDB refuses a write
// to an item an ongoing TransactWriteItems includes ("Transaction conflict handling in DynamoDB",
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-conflict-handling).
type Conflicting struct {
	*dynamodb.Client
	Conflicts int
	Writes    int
}

func (c *Conflicting) refuse() error {
	c.Writes++
	if c.Writes <= c.Conflicts {
		return &types.TransactionConflictException{Message: aws.String("Transaction is ongoing for the item")}
	}
	return nil
}

// PutItem refuses the write while conflicts remain, else puts the item.
func (c *Conflicting) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if err := c.refuse(); err != nil {
		return nil, err
	}
	return c.Client.PutItem(ctx, in, opts...)
}

// UpdateItem refuses the write while conflicts remain, else updates the item.
func (c *Conflicting) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	if err := c.refuse(); err != nil {
		return nil, err
	}
	return c.Client.UpdateItem(ctx, in, opts...)
}
