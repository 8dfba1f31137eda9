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
	"github.com/calltaxi/call-taxi/shared/ddbitem"
)

// DynamoDB is the part of the DynamoDB client the notification records use.
type DynamoDB = ddbitem.GetUpdater

// Record is a booking's notification record (NotificationsTable, key booking#<orderId>): what the texts
// say about the booking, the statuses to announce (pending), those announced (sent, or failed for good),
// and the sender's lease while a text is on its way.
type Record struct {
	Key          string   `dynamodbav:"key"`
	OrderID      string   `dynamodbav:"orderId"`
	Phone        string   `dynamodbav:"phone"`
	Language     string   `dynamodbav:"language"`
	OrderType    string   `dynamodbav:"orderType"`
	Fare         int64    `dynamodbav:"fare"`
	TaxiName     string   `dynamodbav:"taxiName"`
	PickupLocal  string   `dynamodbav:"pickupLocal"`
	Pending      []string `dynamodbav:"pending,stringset,omitempty"`
	Announced    []string `dynamodbav:"announced,stringset,omitempty"`
	Failed       []string `dynamodbav:"failed,stringset,omitempty"`
	FailReason   string   `dynamodbav:"failReason,omitempty"`
	SentMessages int64    `dynamodbav:"sentMessages"`
	SentParts    int64    `dynamodbav:"sentParts"`
	LeaseUntil   int64    `dynamodbav:"leaseUntil,omitempty"`
	ExpiresAt    int64    `dynamodbav:"expiresAt"`
}

// ToAnnounce are the pending statuses not yet announced.
func (r Record) ToAnnounce() []string {
	var out []string
	for _, s := range r.Pending {
		if !contains(r.Announced, s) {
			out = append(out, s)
		}
	}
	return out
}

// Booking is what the texts say.
func (r Record) Booking() Booking {
	return Booking{OrderID: r.OrderID, Language: Language(r.Language, r.Phone), OrderType: r.OrderType, Fare: r.Fare, TaxiName: r.TaxiName, PickupLocal: r.PickupLocal}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// RecordKey is the key of a booking's notification record.
func RecordKey(orderID string) string { return "booking#" + orderID }

// ErrLeased means another sender is texting this booking now.
var ErrLeased = errors.New("another sender holds the booking's notification record")

// Records keeps the notification records in the Notifications table (key "key", TTL "expiresAt").
type Records struct {
	client DynamoDB
	table  string
	ttl    time.Duration
	lease  time.Duration
	now    func() time.Time
}

// NewRecords returns the store; ttl is how long a record is kept, lease how long a sender is trusted to
// finish a send before another may take the booking over (longer than an invocation).
func NewRecords(client DynamoDB, table string, ttl, lease time.Duration) *Records {
	return &Records{client: client, table: table, ttl: ttl, lease: lease, now: time.Now}
}

func (s *Records) key(orderID string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"key": &types.AttributeValueMemberS{Value: RecordKey(orderID)}}
}

// AddPending records statuses to announce and the latest booking details. Adding a status twice, or one
// already announced, changes nothing: a replayed stream record is harmless.
func (s *Records) AddPending(ctx context.Context, img Image, statuses []string) error {
	_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table),
		Key:       s.key(img.OrderID),
		UpdateExpression: aws.String("SET orderId = :orderId, phone = :phone, #language = :language, orderType = :orderType, " +
			"fare = :fare, taxiName = :taxiName, pickupLocal = :pickupLocal, expiresAt = :expiresAt ADD pending :statuses"),
		ExpressionAttributeNames: map[string]string{"#language": "language"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":orderId": ddbitem.S(img.OrderID), ":phone": ddbitem.S(img.Phone), ":language": ddbitem.S(img.Language),
			":orderType": ddbitem.S(img.OrderType), ":fare": ddbitem.N(img.Fare), ":taxiName": ddbitem.S(img.TaxiName),
			":pickupLocal": ddbitem.S(img.PickupLocal),
			":expiresAt":   ddbitem.N(s.now().Add(s.ttl).Unix()),
			":statuses":    &types.AttributeValueMemberSS{Value: statuses},
		},
	})
	if err != nil {
		return fmt.Errorf("record pending statuses of %s: %w", img.OrderID, err)
	}
	return nil
}

// Lease takes the booking's record for one send and returns it as it stands now (a strongly consistent
// read after the lease, so nothing announced by an earlier holder is announced again). ErrLeased: another
// sender holds it; found is false when the booking has no record.
func (s *Records) Lease(ctx context.Context, orderID string) (rec Record, found bool, err error) {
	now := s.now()
	out, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      s.key(orderID),
		UpdateExpression:         aws.String("SET leaseUntil = :until"),
		ConditionExpression:      aws.String("attribute_exists(#key) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)"),
		ExpressionAttributeNames: map[string]string{"#key": "key"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":until": ddbitem.N(now.Add(s.lease).UnixMilli()), ":now": ddbitem.N(now.UnixMilli()),
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		if _, found, gerr := s.Get(ctx, orderID); gerr != nil || !found {
			return Record{}, false, gerr
		}
		return Record{}, true, ErrLeased
	}
	if err != nil {
		return Record{}, false, fmt.Errorf("lease notification record of %s: %w", orderID, err)
	}
	if err := attributevalue.UnmarshalMap(out.Attributes, &rec); err != nil {
		return Record{}, true, fmt.Errorf("decode notification record of %s: %w", orderID, err)
	}
	return rec, true, nil
}

// Get reads a booking's record (strongly consistent).
func (s *Records) Get(ctx context.Context, orderID string) (rec Record, found bool, err error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: s.key(orderID), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Record{}, false, fmt.Errorf("read notification record of %s: %w", orderID, err)
	}
	if len(out.Item) == 0 {
		return Record{}, false, nil
	}
	if err := attributevalue.UnmarshalMap(out.Item, &rec); err != nil {
		return Record{}, true, fmt.Errorf("decode notification record of %s: %w", orderID, err)
	}
	return rec, true, nil
}

// Sent marks statuses announced by a text of that many parts and gives the lease back.
func (s *Records) Sent(ctx context.Context, orderID string, statuses []string, parts int) error {
	return s.finish(ctx, orderID, "SET leaseUntil = :free ADD announced :statuses, sentMessages :one, sentParts :parts",
		map[string]types.AttributeValue{
			":statuses": &types.AttributeValueMemberSS{Value: statuses}, ":one": ddbitem.N(1), ":parts": ddbitem.N(int64(parts)),
		})
}

// Failed marks statuses announced but failed for good (an invalid or opted-out number) with the reason,
// and gives the lease back: retrying cannot help, so they are never sent.
func (s *Records) Failed(ctx context.Context, orderID string, statuses []string, reason string) error {
	return s.finish(ctx, orderID, "SET leaseUntil = :free, failReason = :reason ADD announced :statuses, failed :statuses",
		map[string]types.AttributeValue{":statuses": &types.AttributeValueMemberSS{Value: statuses}, ":reason": ddbitem.S(reason)})
}

// Release gives the lease back with nothing announced.
func (s *Records) Release(ctx context.Context, orderID string) error {
	return s.finish(ctx, orderID, "SET leaseUntil = :free", map[string]types.AttributeValue{})
}

// finish updates the record and frees the lease (leaseUntil 0: in the past).
func (s *Records) finish(ctx context.Context, orderID, update string, values map[string]types.AttributeValue) error {
	values[":free"] = ddbitem.N(0)
	_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       s.key(orderID),
		UpdateExpression:          aws.String(update),
		ExpressionAttributeValues: values,
	})
	if err != nil {
		return fmt.Errorf("update notification record of %s: %w", orderID, err)
	}
	return nil
}
