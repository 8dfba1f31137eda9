// Package idempotency makes a request safe to repeat: the first caller of a key does the work, a repeat
// gets the stored result, and a caller whose earlier attempt did not finish takes the work over, keeping
// the reference (e.g. the order id) the first attempt chose. Records expire through DynamoDB TTL; an expired
// record is free even while TTL has not yet deleted it.
package idempotency

import (
	"context"
	"encoding/json"
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

// API is the part of the DynamoDB client the store uses.
type API = ddbitem.GetUpdater

// Record states.
const (
	InProgress = "IN_PROGRESS"
	Completed  = "COMPLETED"
)

// Errors a caller maps to responses.
var (
	ErrInProgress = errors.New("idempotency: an earlier request with this key is still in progress")
	ErrMismatch   = errors.New("idempotency: key reused with a different request")
)

// Record is one key's state.
type Record struct {
	Key         string          `dynamodbav:"key"`
	Status      string          `dynamodbav:"status"`
	Fingerprint string          `dynamodbav:"fingerprint"`
	Ref         string          `dynamodbav:"ref"`
	Result      json.RawMessage `dynamodbav:"result,omitempty"`
	LockedUntil int64           `dynamodbav:"lockedUntil"`
	ExpiresAt   int64           `dynamodbav:"expiresAt"`
}

// Store keeps records in one table whose key attribute is "key" and TTL attribute "expiresAt".
type Store struct {
	client API
	table  string
	ttl    time.Duration
	lease  time.Duration
	now    func() time.Time
}

// New returns a store; ttl is how long a key is remembered, lease how long an in-progress attempt is
// trusted before another may take over (longer than the work's own timeout).
func New(client API, table string, ttl, lease time.Duration) *Store {
	return &Store{client: client, table: table, ttl: ttl, lease: lease, now: time.Now}
}

// Begin claims key for this attempt. It returns started=true with the record to work on (its Ref is the
// first attempt's ref when taking over), or started=false with a completed record to replay. A live
// attempt elsewhere is ErrInProgress; a different fingerprint is ErrMismatch.
//
// An expired record is free, whatever it holds: DynamoDB TTL deletes expired items lazily, so the record may
// still be there long after expiresAt (DynamoDB developer guide, "Working with expired items"). Claiming it
// is a fresh claim with this attempt's ref and no result.
func (s *Store) Begin(ctx context.Context, key, fingerprint, ref string) (Record, bool, error) {
	now := s.now()
	n, v := expression.Name, expression.Value
	lockedUntil, expiresAt := v(now.Add(s.lease).UnixMilli()), v(now.Add(s.ttl).Unix())
	rec, err := s.claim(ctx, key,
		expression.AttributeNotExists(n("key")).Or(n("expiresAt").LessThan(v(now.Unix()))),
		expression.Remove(n("result")).
			Set(n("status"), v(InProgress)).Set(n("lockedUntil"), lockedUntil).Set(n("expiresAt"), expiresAt).
			Set(n("fingerprint"), v(fingerprint)).Set(n("ref"), v(ref)))
	if errors.Is(err, errTaken) {
		// Taking over an abandoned, unexpired attempt keeps the ref it chose.
		rec, err = s.claim(ctx, key,
			n("status").Equal(v(InProgress)).And(n("lockedUntil").LessThan(v(now.UnixMilli())), n("fingerprint").Equal(v(fingerprint))),
			expression.Set(n("lockedUntil"), lockedUntil).Set(n("expiresAt"), expiresAt))
	}
	if err == nil {
		return rec, true, nil
	}
	if !errors.Is(err, errTaken) {
		return Record{}, false, err
	}
	rec, err = s.get(ctx, key)
	if err != nil {
		return Record{}, false, err
	}
	switch {
	case rec.Fingerprint != fingerprint:
		return rec, false, ErrMismatch
	case rec.Status == Completed:
		return rec, false, nil
	default:
		return rec, false, ErrInProgress
	}
}

// errTaken means a claim's condition failed: the key is held or completed.
var errTaken = errors.New("idempotency: key taken")

// claim runs one conditional claim and returns the claimed record.
func (s *Store) claim(ctx context.Context, key string, condition expression.ConditionBuilder, update expression.UpdateBuilder) (Record, error) {
	expr, err := expression.NewBuilder().WithCondition(condition).WithUpdate(update).Build()
	if err != nil {
		return Record{}, fmt.Errorf("claim idempotency key: %w", err)
	}
	out, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       map[string]types.AttributeValue{"key": &types.AttributeValueMemberS{Value: key}},
		ConditionExpression:       expr.Condition(),
		UpdateExpression:          expr.Update(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ReturnValues:              types.ReturnValueAllNew,
	})
	if _, lost := errors.AsType[*types.ConditionalCheckFailedException](err); lost {
		return Record{}, errTaken
	}
	if err != nil {
		return Record{}, fmt.Errorf("claim idempotency key: %w", err)
	}
	var rec Record
	if err := attributevalue.UnmarshalMap(out.Attributes, &rec); err != nil {
		return Record{}, fmt.Errorf("decode idempotency record: %w", err)
	}
	return rec, nil
}

// Complete stores the result to replay for later repeats of key.
func (s *Store) Complete(ctx context.Context, key string, result any) error {
	raw, err := json.Marshal(result)
	if err != nil {
		return fmt.Errorf("encode idempotent result: %w", err)
	}
	_, err = s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      map[string]types.AttributeValue{"key": &types.AttributeValueMemberS{Value: key}},
		UpdateExpression:         aws.String("SET #status = :completed, #result = :result"),
		ExpressionAttributeNames: map[string]string{"#status": "status", "#result": "result"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":completed": &types.AttributeValueMemberS{Value: Completed},
			":result":    &types.AttributeValueMemberB{Value: raw},
		},
	})
	if err != nil {
		return fmt.Errorf("complete idempotency key: %w", err)
	}
	return nil
}

// Release ends this attempt without a result, so the next repeat takes over at once (keeping the ref).
func (s *Store) Release(ctx context.Context, key string) error {
	_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       map[string]types.AttributeValue{"key": &types.AttributeValueMemberS{Value: key}},
		ConditionExpression:       aws.String("#status = :inProgress"),
		UpdateExpression:          aws.String("SET #lockedUntil = :zero"),
		ExpressionAttributeNames:  map[string]string{"#status": "status", "#lockedUntil": "lockedUntil"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":inProgress": &types.AttributeValueMemberS{Value: InProgress}, ":zero": ddbitem.N(0)},
	})
	var ccf *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &ccf) {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

func (s *Store) get(ctx context.Context, key string) (Record, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            map[string]types.AttributeValue{"key": &types.AttributeValueMemberS{Value: key}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return Record{}, fmt.Errorf("read idempotency key: %w", err)
	}
	var rec Record
	if err := attributevalue.UnmarshalMap(out.Item, &rec); err != nil {
		return Record{}, fmt.Errorf("decode idempotency record: %w", err)
	}
	return rec, nil
}
