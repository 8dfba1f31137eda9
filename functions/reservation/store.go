package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/calltaxi/call-taxi/shared/ddbitem"
)

// The Reservations GSIs, both ranged by pickupKey: by status (the manager's board) and by the driver of
// the assigned taxi (the driver's list; sparse: only rows with a driver).
const (
	statusIndex = "status-pickupKey-index"
	driverIndex = "driverId-pickupKey-index"
)

// DynamoStore is the Reservations table.
type DynamoStore struct {
	client *dynamodb.Client
	table  string
}

var _ Store = (*DynamoStore)(nil)

// NewDynamoStore returns the store on the named table.
func NewDynamoStore(client *dynamodb.Client, table string) *DynamoStore {
	return &DynamoStore{client: client, table: table}
}

func (s *DynamoStore) Get(ctx context.Context, id string) (*Reservation, error) {
	var r Reservation
	found, err := ddbitem.Get(ctx, s.client, s.table, ddbitem.Key("id", id), &r)
	if err != nil || !found {
		return nil, err
	}
	return &r, nil
}

// Save writes r if the stored row is still the version before it (or absent, for version 1).
func (s *DynamoStore) Save(ctx context.Context, r Reservation) error {
	var err error
	if r.Version <= 1 {
		err = ddbitem.PutNew(ctx, s.client, s.table, "id", r)
	} else {
		err = ddbitem.PutIfNumber(ctx, s.client, s.table, r, "version", r.Version-1)
	}
	if errors.Is(err, ddbitem.ErrConditionFailed) {
		err = ErrVersionConflict
	}
	if err != nil {
		return fmt.Errorf("save reservation %s v%d: %w", r.ID, r.Version, err)
	}
	return nil
}

func (s *DynamoStore) ListByStatus(ctx context.Context, status, from, to string, limit int) ([]Reservation, error) {
	if from == "" {
		return s.query(ctx, statusIndex, "#status = :status", map[string]string{"#status": "status"},
			map[string]types.AttributeValue{":status": ddbitem.S(status)}, limit)
	}
	names := map[string]string{"#status": "status", "#key": "pickupKey"}
	// Two ranges of the key: the day's as-soon-as-possible bookings, then its scheduled ones.
	items := []Reservation{}
	for _, prefix := range []string{asapPrefix, scheduledPrefix} {
		page, err := s.query(ctx, statusIndex, "#status = :status AND #key BETWEEN :from AND :to", names, map[string]types.AttributeValue{
			":status": ddbitem.S(status), ":from": ddbitem.S(prefix + from), ":to": ddbitem.S(prefix + to),
		}, limit-len(items))
		if err != nil {
			return nil, err
		}
		if items = append(items, page...); len(items) >= limit {
			break
		}
	}
	return items, nil
}

func (s *DynamoStore) ListByDriver(ctx context.Context, driverID string, limit int) ([]Reservation, error) {
	return s.query(ctx, driverIndex, "#driver = :driver", map[string]string{"#driver": "driverId"},
		map[string]types.AttributeValue{":driver": ddbitem.S(driverID)}, limit)
}

// query reads up to limit items of an index in key order, page after page.
func (s *DynamoStore) query(ctx context.Context, index, keyCondition string, names map[string]string, values map[string]types.AttributeValue, limit int) ([]Reservation, error) {
	paginator := dynamodb.NewQueryPaginator(s.client, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(index),
		KeyConditionExpression:    aws.String(keyCondition),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
		Limit:                     aws.Int32(int32(limit)),
	})
	items := []Reservation{}
	for paginator.HasMorePages() && len(items) < limit {
		page, err := paginator.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query reservations (%s): %w", index, err)
		}
		var batch []Reservation
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &batch); err != nil {
			return nil, fmt.Errorf("decode reservations: %w", err)
		}
		items = append(items, batch...)
	}
	return items[:min(len(items), limit)], nil
}
