// Package idempotency makes a request safe to repeat: the first caller of a key does the work, a repeat
// gets the stored result, and a caller whose earlier attempt did not finish takes the work over, keeping
// the reference (e.g. the order id) the first attempt chose. Records expire through DynamoDB TTL; an expired
// record is free even while TTL has not yet deleted it.
//
// A claim and a result can also be written in one DynamoDB transaction with the work they guard, which
// saves a request two writes: ClaimItem and CompleteItem are Begin's first claim and Complete as
// TransactWriteItems actions, and Taken continues a claim whose condition failed, as Begin does. Every
// single-item write here retries transaction conflicts (ddbitem.RetryConflicts), since a record may be in
// a transaction at the time.
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
	expr, err := s.freshClaim(fingerprint, ref)
	if err != nil {
		return Record{}, false, err
	}
	rec, seen, err := s.claim(ctx, key, expr)
	if errors.Is(err, errTaken) {
		return s.Taken(ctx, key, fingerprint, ref, seen)
	}
	if err != nil {
		return Record{}, false, err
	}
	return rec, true, nil
}

// Taken continues a first claim of key for ref whose condition failed (Begin's, or a ClaimItem's in a
// transaction that was cancelled for it): it takes over an abandoned attempt with the same fingerprint,
// keeping the ref that attempt chose (started=true), or answers a completed record to replay
// (started=false), ErrInProgress or ErrMismatch. A record in progress that already holds ref is this
// attempt's own claim, committed by an earlier try of the same call whose answer was lost (the SDK retries
// it): started=true. seen is the record the failed condition saw (ReturnValuesOnConditionCheckFailure
// ALL_OLD: a ConditionalCheckFailedException's or a CancellationReason's Item); with it a replay or a
// refusal needs no further call, without it (nil) the record is read.
func (s *Store) Taken(ctx context.Context, key, fingerprint, ref string, seen map[string]types.AttributeValue) (Record, bool, error) {
	now := s.now()
	if seen != nil {
		rec, err := decode(seen)
		if err != nil {
			return Record{}, false, err
		}
		if ownClaim(rec, fingerprint, ref) {
			return rec, true, nil
		}
		if verdict, abandoned := judge(rec, fingerprint, now); !abandoned {
			return rec, false, verdict
		}
	}
	// Taking over an abandoned, unexpired attempt keeps the ref it chose.
	n, v := expression.Name, expression.Value
	expr, err := expression.NewBuilder().
		WithCondition(n("status").Equal(v(InProgress)).And(n("lockedUntil").LessThan(v(now.UnixMilli())), n("fingerprint").Equal(v(fingerprint)))).
		WithUpdate(expression.Set(n("lockedUntil"), v(now.Add(s.lease).UnixMilli())).Set(n("expiresAt"), v(now.Add(s.ttl).Unix()))).
		Build()
	if err != nil {
		return Record{}, false, fmt.Errorf("takeover claim: %w", err)
	}
	rec, seen, err := s.claim(ctx, key, expr)
	if err == nil {
		return rec, true, nil
	}
	if !errors.Is(err, errTaken) {
		return Record{}, false, err
	}
	if seen != nil {
		rec, err = decode(seen)
	} else {
		rec, err = s.get(ctx, key)
	}
	if err != nil {
		return Record{}, false, err
	}
	if ownClaim(rec, fingerprint, ref) {
		return rec, true, nil
	}
	if verdict, abandoned := judge(rec, fingerprint, now); !abandoned {
		return rec, false, verdict
	}
	// Abandoned as read, yet the takeover lost: another repeat took it over meanwhile.
	return rec, false, ErrInProgress
}

// ownClaim reports whether rec is the claim an attempt with ref made: refs are chosen per attempt, so
// only an earlier try of the same call can have written it.
func ownClaim(rec Record, fingerprint, ref string) bool {
	return ref != "" && rec.Ref == ref && rec.Status == InProgress && rec.Fingerprint == fingerprint
}

// judge tells what a taken key's record answers: ErrMismatch for another request, nil (a replay) when
// completed, ErrInProgress while an attempt holds its lease; abandoned when none of these (an attempt whose
// lease ran out: the request may take it over).
func judge(rec Record, fingerprint string, now time.Time) (verdict error, abandoned bool) {
	switch {
	case rec.Fingerprint != fingerprint:
		return ErrMismatch, false
	case rec.Status == Completed:
		return nil, false
	case rec.LockedUntil >= now.UnixMilli():
		return ErrInProgress, false
	default:
		return nil, true
	}
}

// freshClaim is the first claim of a key for an attempt: only a free key (no record, or an expired one)
// is claimed, with this attempt's fingerprint and ref and no result.
func (s *Store) freshClaim(fingerprint, ref string) (expression.Expression, error) {
	now := s.now()
	n, v := expression.Name, expression.Value
	expr, err := expression.NewBuilder().
		WithCondition(expression.AttributeNotExists(n("key")).Or(n("expiresAt").LessThan(v(now.Unix())))).
		WithUpdate(expression.Remove(n("result")).
			Set(n("status"), v(InProgress)).Set(n("lockedUntil"), v(now.Add(s.lease).UnixMilli())).Set(n("expiresAt"), v(now.Add(s.ttl).Unix())).
			Set(n("fingerprint"), v(fingerprint)).Set(n("ref"), v(ref))).
		Build()
	if err != nil {
		return expression.Expression{}, fmt.Errorf("claim idempotency key: %w", err)
	}
	return expr, nil
}

// ClaimItem is Begin's first claim of key (fingerprint, ref) as a TransactWriteItems action: the
// transaction commits only if the key is free. When it is cancelled with ConditionalCheckFailed for this
// action, the reason's Item is the record as it stood; pass it to Taken.
func (s *Store) ClaimItem(key, fingerprint, ref string) (types.TransactWriteItem, error) {
	expr, err := s.freshClaim(fingerprint, ref)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Update: &types.Update{
		TableName: aws.String(s.table), Key: recordKey(key),
		ConditionExpression: expr.Condition(), UpdateExpression: expr.Update(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}, nil
}

// CompleteItem is Complete as a TransactWriteItems action: like Complete it has no condition, so it never
// cancels the transaction it is part of.
func (s *Store) CompleteItem(key string, result any) (types.TransactWriteItem, error) {
	update, err := s.completion(key, result)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Update: &types.Update{
		TableName: update.TableName, Key: update.Key, UpdateExpression: update.UpdateExpression,
		ExpressionAttributeNames: update.ExpressionAttributeNames, ExpressionAttributeValues: update.ExpressionAttributeValues,
	}}, nil
}

// errTaken means a claim's condition failed: the key is held or completed.
var errTaken = errors.New("idempotency: key taken")

// claim runs one conditional claim and returns the claimed record; when its condition fails, errTaken with
// the record as it stood (nil where DynamoDB did not return it).
func (s *Store) claim(ctx context.Context, key string, expr expression.Expression) (Record, map[string]types.AttributeValue, error) {
	var out *dynamodb.UpdateItemOutput
	err := ddbitem.RetryConflicts(ctx, func() (err error) {
		out, err = s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                           aws.String(s.table),
			Key:                                 recordKey(key),
			ConditionExpression:                 expr.Condition(),
			UpdateExpression:                    expr.Update(),
			ExpressionAttributeNames:            expr.Names(),
			ExpressionAttributeValues:           expr.Values(),
			ReturnValues:                        types.ReturnValueAllNew,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		return err
	})
	if lost, ok := errors.AsType[*types.ConditionalCheckFailedException](err); ok {
		return Record{}, lost.Item, errTaken
	}
	if err != nil {
		return Record{}, nil, fmt.Errorf("claim idempotency key: %w", err)
	}
	rec, err := decode(out.Attributes)
	return rec, nil, err
}

func decode(item map[string]types.AttributeValue) (Record, error) {
	var rec Record
	if err := attributevalue.UnmarshalMap(item, &rec); err != nil {
		return Record{}, fmt.Errorf("decode idempotency record: %w", err)
	}
	return rec, nil
}

func recordKey(key string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"key": &types.AttributeValueMemberS{Value: key}}
}

// Complete stores the result to replay for later repeats of key.
func (s *Store) Complete(ctx context.Context, key string, result any) error {
	update, err := s.completion(key, result)
	if err != nil {
		return err
	}
	err = ddbitem.RetryConflicts(ctx, func() error {
		_, err := s.client.UpdateItem(ctx, update)
		return err
	})
	if err != nil {
		return fmt.Errorf("complete idempotency key: %w", err)
	}
	return nil
}

// completion is the write that stores result on key's record, unconditionally.
func (s *Store) completion(key string, result any) (*dynamodb.UpdateItemInput, error) {
	raw, err := json.Marshal(result)
	if err != nil {
		return nil, fmt.Errorf("encode idempotent result: %w", err)
	}
	return &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      recordKey(key),
		UpdateExpression:         aws.String("SET #status = :completed, #result = :result"),
		ExpressionAttributeNames: map[string]string{"#status": "status", "#result": "result"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":completed": &types.AttributeValueMemberS{Value: Completed},
			":result":    &types.AttributeValueMemberB{Value: raw},
		},
	}, nil
}

// Release ends this attempt without a result, so the next repeat takes over at once (keeping the ref).
func (s *Store) Release(ctx context.Context, key string) error {
	err := ddbitem.RetryConflicts(ctx, func() error {
		_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                 aws.String(s.table),
			Key:                       recordKey(key),
			ConditionExpression:       aws.String("#status = :inProgress"),
			UpdateExpression:          aws.String("SET #lockedUntil = :zero"),
			ExpressionAttributeNames:  map[string]string{"#status": "status", "#lockedUntil": "lockedUntil"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":inProgress": &types.AttributeValueMemberS{Value: InProgress}, ":zero": ddbitem.N(0)},
		})
		return err
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
		Key:            recordKey(key),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return Record{}, fmt.Errorf("read idempotency key: %w", err)
	}
	return decode(out.Item)
}
