package ddbtest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Stream stands in for a table's NEW_AND_OLD_IMAGES stream, which minidyn does not have: Next scans the
// table and returns one record per item that changed since the previous call, as Lambda delivers it.
// Several writes to one item between two calls come out as one record (the net change), so call Next
// after each step whose records a test cares about.
type Stream struct {
	mu     sync.Mutex
	client *dynamodb.Client
	table  string
	keys   []string
	seq    int
	last   map[string]map[string]types.AttributeValue
}

// NewStream starts the stream of the table whose key attributes are keys, at the table's current items.
func NewStream(t testing.TB, client *dynamodb.Client, table string, keys ...string) *Stream {
	t.Helper()
	s := &Stream{client: client, table: table, keys: keys}
	s.last = s.scan(t)
	return s
}

// Arn is the stream's ARN, as EventSourceArn carries it.
func (s *Stream) Arn() string {
	return "arn:aws:dynamodb:us-east-1:123456789012:table/" + s.table + "/stream/2025-01-01T00:00:00.000"
}

// Next returns the records of the changes since the previous call (an empty batch when none).
func (s *Stream) Next(t testing.TB) events.DynamoDBEvent {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.scan(t)
	ids := make([]string, 0, len(now)+len(s.last))
	for id := range now {
		ids = append(ids, id)
	}
	for id := range s.last {
		if _, ok := now[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	batch := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{}}
	for _, id := range ids {
		before, after := s.last[id], now[id]
		if reflect.DeepEqual(before, after) {
			continue
		}
		batch.Records = append(batch.Records, s.record(before, after))
	}
	s.last = now
	return batch
}

func (s *Stream) record(before, after map[string]types.AttributeValue) events.DynamoDBEventRecord {
	s.seq++
	name, item := events.DynamoDBOperationTypeModify, after
	switch {
	case before == nil:
		name = events.DynamoDBOperationTypeInsert
	case after == nil:
		name, item = events.DynamoDBOperationTypeRemove, before
	}
	keys := map[string]events.DynamoDBAttributeValue{}
	for _, k := range s.keys {
		keys[k] = Image(map[string]types.AttributeValue{k: item[k]})[k]
	}
	return events.DynamoDBEventRecord{
		AWSRegion:      "us-east-1",
		EventID:        fmt.Sprintf("event-%d", s.seq),
		EventName:      string(name),
		EventSource:    "aws:dynamodb",
		EventVersion:   "1.1",
		EventSourceArn: s.Arn(),
		Change: events.DynamoDBStreamRecord{
			ApproximateCreationDateTime: events.SecondsEpochTime{Time: time.Now().Truncate(time.Second)},
			Keys:                        keys,
			NewImage:                    Image(after),
			OldImage:                    Image(before),
			SequenceNumber:              fmt.Sprintf("%021d", s.seq),
			SizeBytes:                   1,
			StreamViewType:              string(events.DynamoDBStreamViewTypeNewAndOldImages),
		},
	}
}

func (s *Stream) scan(t testing.TB) map[string]map[string]types.AttributeValue {
	t.Helper()
	items := map[string]map[string]types.AttributeValue{}
	var start map[string]types.AttributeValue
	for {
		out, err := s.client.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(s.table), ExclusiveStartKey: start})
		if err != nil {
			t.Fatalf("scan %s: %v", s.table, err)
		}
		for _, item := range out.Items {
			var id []string
			for _, k := range s.keys {
				if v, ok := item[k].(*types.AttributeValueMemberS); ok {
					id = append(id, v.Value)
				}
			}
			items[strings.Join(id, "\x00")] = item
		}
		if len(out.LastEvaluatedKey) == 0 {
			return items
		}
		start = out.LastEvaluatedKey
	}
}

// Image turns SDK attribute values into a stream image as aws-lambda-go decodes it (nil for nil).
func Image(item map[string]types.AttributeValue) map[string]events.DynamoDBAttributeValue {
	if item == nil {
		return nil
	}
	out := make(map[string]events.DynamoDBAttributeValue, len(item))
	for k, v := range item {
		out[k] = attribute(v)
	}
	return out
}

func attribute(v types.AttributeValue) events.DynamoDBAttributeValue {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return events.NewStringAttribute(x.Value)
	case *types.AttributeValueMemberN:
		return events.NewNumberAttribute(x.Value)
	case *types.AttributeValueMemberB:
		return events.NewBinaryAttribute(x.Value)
	case *types.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(x.Value)
	case *types.AttributeValueMemberSS:
		return events.NewStringSetAttribute(x.Value)
	case *types.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(x.Value)
	case *types.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(x.Value)
	case *types.AttributeValueMemberL:
		list := make([]events.DynamoDBAttributeValue, 0, len(x.Value))
		for _, e := range x.Value {
			list = append(list, attribute(e))
		}
		return events.NewListAttribute(list)
	case *types.AttributeValueMemberM:
		return events.NewMapAttribute(Image(x.Value))
	}
	return events.NewNullAttribute()
}
