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

// gradeIndex is the Taxis GSI on grade.
const gradeIndex = "grade-index"

// maxListed bounds GET /taxis: a fleet is small, and an unbounded scan is never what a screen wants.
const maxListed = 1000

// DynamoStore is the Taxis and TaxiAssignments tables.
type DynamoStore struct {
	client      *dynamodb.Client
	taxis       string
	assignments string
}

var _ Store = (*DynamoStore)(nil)

// NewDynamoStore returns the store on the named tables.
func NewDynamoStore(client *dynamodb.Client, taxisTable, assignmentsTable string) *DynamoStore {
	return &DynamoStore{client: client, taxis: taxisTable, assignments: assignmentsTable}
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func num(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

func isConditionFailure(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

func (s *DynamoStore) CreateTaxi(ctx context.Context, t Taxi) error {
	item, err := attributevalue.MarshalMap(t)
	if err != nil {
		return fmt.Errorf("encode taxi %s: %w", t.ID, err)
	}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(s.taxis),
		Item:                     item,
		ConditionExpression:      aws.String("attribute_not_exists(#id)"),
		ExpressionAttributeNames: map[string]string{"#id": "id"},
	})
	if err != nil {
		return fmt.Errorf("put taxi %s: %w", t.ID, err)
	}
	return nil
}

func (s *DynamoStore) GetTaxi(ctx context.Context, id string) (*Taxi, error) {
	var t Taxi
	found, err := s.get(ctx, s.taxis, map[string]types.AttributeValue{"id": str(id)}, &t)
	if err != nil || !found {
		return nil, err
	}
	return &t, nil
}

func (s *DynamoStore) SaveTaxi(ctx context.Context, t Taxi) error {
	item, err := attributevalue.MarshalMap(t)
	if err != nil {
		return fmt.Errorf("encode taxi %s: %w", t.ID, err)
	}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(s.taxis),
		Item:                      item,
		ConditionExpression:       aws.String("#version = :prev"),
		ExpressionAttributeNames:  map[string]string{"#version": "version"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":prev": num(t.Version - 1)},
	})
	if isConditionFailure(err) {
		return fmt.Errorf("save taxi %s v%d: %w", t.ID, t.Version, ErrVersionConflict)
	}
	if err != nil {
		return fmt.Errorf("save taxi %s v%d: %w", t.ID, t.Version, err)
	}
	return nil
}

func (s *DynamoStore) ListTaxis(ctx context.Context, grade string) ([]Taxi, error) {
	var items []map[string]types.AttributeValue
	var start map[string]types.AttributeValue
	for {
		page, last, err := s.listPage(ctx, grade, start)
		if err != nil {
			return nil, fmt.Errorf("list taxis %q: %w", grade, err)
		}
		items = append(items, page...)
		if len(last) == 0 || len(items) >= maxListed {
			break
		}
		start = last
	}
	taxis := make([]Taxi, 0, len(items))
	if err := attributevalue.UnmarshalListOfMaps(items[:min(len(items), maxListed)], &taxis); err != nil {
		return nil, fmt.Errorf("decode taxis: %w", err)
	}
	return taxis, nil
}

// listPage reads one page: the grade index when a grade is given, else the whole table.
func (s *DynamoStore) listPage(ctx context.Context, grade string, start map[string]types.AttributeValue) (items []map[string]types.AttributeValue, last map[string]types.AttributeValue, err error) {
	if grade == "" {
		out, err := s.client.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(s.taxis), ExclusiveStartKey: start})
		if err != nil {
			return nil, nil, err
		}
		return out.Items, out.LastEvaluatedKey, nil
	}
	out, err := s.client.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.taxis),
		IndexName:                 aws.String(gradeIndex),
		KeyConditionExpression:    aws.String("#grade = :grade"),
		ExpressionAttributeNames:  map[string]string{"#grade": "grade"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":grade": str(grade)},
		ExclusiveStartKey:         start,
	})
	if err != nil {
		return nil, nil, err
	}
	return out.Items, out.LastEvaluatedKey, nil
}

func (s *DynamoStore) GetAssignment(ctx context.Context, reservationID string) (*Assignment, error) {
	var a Assignment
	found, err := s.get(ctx, s.assignments, map[string]types.AttributeValue{"reservationId": str(reservationID)}, &a)
	if err != nil || !found {
		return nil, err
	}
	return &a, nil
}

func (s *DynamoStore) get(ctx context.Context, table string, key map[string]types.AttributeValue, out any) (bool, error) {
	res, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
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

func (s *DynamoStore) CancelUnassigned(ctx context.Context, a Assignment) error {
	item, err := attributevalue.MarshalMap(a)
	if err != nil {
		return fmt.Errorf("encode assignment %s: %w", a.ReservationID, err)
	}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(s.assignments),
		Item:                     item,
		ConditionExpression:      aws.String("attribute_not_exists(#rid)"),
		ExpressionAttributeNames: map[string]string{"#rid": "reservationId"},
	})
	if isConditionFailure(err) {
		return fmt.Errorf("cancel assignment %s: %w", a.ReservationID, ErrAssignmentExists)
	}
	if err != nil {
		return fmt.Errorf("cancel assignment %s: %w", a.ReservationID, err)
	}
	return nil
}
