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

func (s *DynamoStore) CreateTaxi(ctx context.Context, t Taxi) error {
	if err := ddbitem.PutNew(ctx, s.client, s.taxis, "id", t); err != nil {
		return fmt.Errorf("put taxi %s: %w", t.ID, err)
	}
	return nil
}

func (s *DynamoStore) GetTaxi(ctx context.Context, id string) (*Taxi, error) {
	var t Taxi
	found, err := ddbitem.Get(ctx, s.client, s.taxis, ddbitem.Key("id", id), &t)
	if err != nil || !found {
		return nil, err
	}
	return &t, nil
}

func (s *DynamoStore) SaveTaxi(ctx context.Context, t Taxi) error {
	err := ddbitem.PutIfNumber(ctx, s.client, s.taxis, t, "version", t.Version-1)
	if errors.Is(err, ddbitem.ErrConditionFailed) {
		err = ErrVersionConflict
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
		ExpressionAttributeValues: map[string]types.AttributeValue{":grade": ddbitem.S(grade)},
		ExclusiveStartKey:         start,
	})
	if err != nil {
		return nil, nil, err
	}
	return out.Items, out.LastEvaluatedKey, nil
}

func (s *DynamoStore) GetAssignment(ctx context.Context, reservationID string) (*Assignment, error) {
	var a Assignment
	found, err := ddbitem.Get(ctx, s.client, s.assignments, ddbitem.Key("reservationId", reservationID), &a)
	if err != nil || !found {
		return nil, err
	}
	return &a, nil
}

// CancelUnassigned keeps the attempt a REJECTED row answered, so a redelivered confirm of that attempt
// stays answered.
func (s *DynamoStore) CancelUnassigned(ctx context.Context, a Assignment) error {
	n, v := expression.Name, expression.Value
	u := update{
		set: expression.Set(n("status"), v(AssignmentCanceled)).
			Set(n("attempt"), n("attempt").IfNotExists(v(0))).
			Set(n("createdAt"), n("createdAt").IfNotExists(v(a.UpdatedAt))).
			Set(n("updatedAt"), v(a.UpdatedAt)),
		condition: expression.AttributeNotExists(n("reservationId")).Or(n("status").Equal(v(AssignmentRejected))),
	}
	u.correlate(a.CorrelationID)
	err := s.updateAssignment(ctx, a.ReservationID, u)
	if errors.Is(err, ddbitem.ErrConditionFailed) {
		err = ErrAssignmentExists
	}
	if err != nil {
		return fmt.Errorf("cancel assignment %s: %w", a.ReservationID, err)
	}
	return nil
}

// Reject keeps the status of a CANCELED or RELEASED row: the rejection is recorded beside it.
func (s *DynamoStore) Reject(ctx context.Context, a Assignment) error {
	n, v := expression.Name, expression.Value
	u := update{
		set: expression.Set(n("status"), n("status").IfNotExists(v(AssignmentRejected))).
			Set(n("attempt"), v(a.Attempt)).
			Set(n("rejectedTaxiId"), v(a.RejectedTaxiID)).
			Set(n("rejectReason"), v(a.RejectReason)).
			Set(n("createdAt"), n("createdAt").IfNotExists(v(a.UpdatedAt))).
			Set(n("updatedAt"), v(a.UpdatedAt)),
		condition: expression.AttributeNotExists(n("reservationId")).Or(
			n("status").NotEqual(v(AssignmentAssigned)).And(n("attempt").LessThan(v(a.Attempt)))),
	}
	u.correlate(a.CorrelationID)
	err := s.updateAssignment(ctx, a.ReservationID, u)
	if errors.Is(err, ddbitem.ErrConditionFailed) {
		err = ErrVersionConflict
	}
	if err != nil {
		return fmt.Errorf("reject attempt %d of %s: %w", a.Attempt, a.ReservationID, err)
	}
	return nil
}

func (s *DynamoStore) Reanswer(ctx context.Context, a Assignment, attempt int, at string) error {
	n, v := expression.Name, expression.Value
	u := update{
		set:       expression.Set(n("attempt"), v(attempt)).Set(n("updatedAt"), v(at)),
		condition: n("status").Equal(v(AssignmentAssigned)).And(n("attempt").Equal(v(a.Attempt))),
	}
	u.correlate(a.CorrelationID)
	err := s.updateAssignment(ctx, a.ReservationID, u)
	if errors.Is(err, ddbitem.ErrConditionFailed) {
		err = ErrVersionConflict
	}
	if err != nil {
		return fmt.Errorf("answer attempt %d of %s with the held taxi: %w", attempt, a.ReservationID, err)
	}
	return nil
}

// update is one conditional UpdateItem of an assignment row.
type update struct {
	set       expression.UpdateBuilder
	condition expression.ConditionBuilder
}

// correlate records the correlation id of the event being answered, which the outbox puts on the
// answer's event.
func (u *update) correlate(correlationID string) {
	if correlationID != "" {
		u.set = u.set.Set(expression.Name("correlationId"), expression.Value(correlationID))
	}
}

func (u update) build() (expression.Expression, error) {
	expr, err := expression.NewBuilder().WithUpdate(u.set).WithCondition(u.condition).Build()
	if err != nil {
		return expression.Expression{}, fmt.Errorf("assignment update expression: %w", err)
	}
	return expr, nil
}

func (s *DynamoStore) updateAssignment(ctx context.Context, reservationID string, u update) error {
	expr, err := u.build()
	if err != nil {
		return err
	}
	err = ddbitem.RetryConflicts(ctx, func() error {
		_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                 aws.String(s.assignments),
			Key:                       map[string]types.AttributeValue{"reservationId": ddbitem.S(reservationID)},
			UpdateExpression:          expr.Update(),
			ConditionExpression:       expr.Condition(),
			ExpressionAttributeNames:  expr.Names(),
			ExpressionAttributeValues: expr.Values(),
		})
		return err
	})
	if _, ok := errors.AsType[*types.ConditionalCheckFailedException](err); ok {
		return ddbitem.ErrConditionFailed
	}
	return err
}
