// Package outboxtest records a table's changes as DynamoDB stream records in tests, so a context's
// services can run against the embedded DynamoDB (which has no stream) and its outbox still publish.
package outboxtest

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"

	"github.com/calltaxi/call-taxi/shared/ddbtest"
)

// Stream is one table's stream: the records of the changes Add was told about, in order.
type Stream struct {
	Arn string

	mu      sync.Mutex
	seq     int
	pending []events.DynamoDBEventRecord
}

// NewStream returns an empty stream of the named table.
func NewStream(table string) *Stream {
	return &Stream{Arn: "arn:aws:dynamodb:us-east-1:000000000000:table/" + table + "/stream/2026-11-30T00:00:00.000"}
}

// Add records a change: old is nil for an INSERT, new nil for a REMOVE; both are rows as the store writes
// them (structs with dynamodbav tags).
func (s *Stream) Add(old, new any) error {
	rec := events.DynamoDBEventRecord{EventSource: "aws:dynamodb", EventSourceArn: "", AWSRegion: "us-east-1"}
	var err error
	switch {
	case old == nil:
		rec.EventName = "INSERT"
	case new == nil:
		rec.EventName = "REMOVE"
	default:
		rec.EventName = "MODIFY"
	}
	if old != nil {
		if rec.Change.OldImage, err = Image(old); err != nil {
			return err
		}
	}
	if new != nil {
		if rec.Change.NewImage, err = Image(new); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	rec.EventSourceArn = s.Arn
	rec.Change.SequenceNumber = fmt.Sprintf("%021d", s.seq)
	rec.Change.StreamViewType = "NEW_AND_OLD_IMAGES"
	rec.Change.ApproximateCreationDateTime = events.SecondsEpochTime{Time: time.Now()}
	s.pending = append(s.pending, rec)
	return nil
}

// Take returns the records not taken yet.
func (s *Stream) Take() []events.DynamoDBEventRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.pending
	s.pending = nil
	return out
}

// Deliver hands the records not taken yet to a stream handler as one batch, as Lambda's event source
// mapping would, and puts back the ones it reports failed (from the first, as AWS retries).
func (s *Stream) Deliver(ctx context.Context, handle func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error)) (events.DynamoDBEventResponse, error) {
	recs := s.Take()
	if len(recs) == 0 {
		return events.DynamoDBEventResponse{}, nil
	}
	resp, err := handle(ctx, events.DynamoDBEvent{Records: recs})
	if err != nil {
		s.putBack(recs)
		return resp, err
	}
	if len(resp.BatchItemFailures) > 0 {
		first := resp.BatchItemFailures[0].ItemIdentifier
		for i, r := range recs {
			if r.Change.SequenceNumber == first {
				s.putBack(recs[i:])
				break
			}
		}
	}
	return resp, nil
}

func (s *Stream) putBack(recs []events.DynamoDBEventRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = append(append([]events.DynamoDBEventRecord{}, recs...), s.pending...)
}

// Image is a row as a stream record carries it.
func Image(row any) (map[string]events.DynamoDBAttributeValue, error) {
	item, err := attributevalue.MarshalMap(row)
	if err != nil {
		return nil, fmt.Errorf("marshal row: %w", err)
	}
	return ddbtest.Image(item), nil
}

// Number is a whole number as a stream image holds it.
func Number(n int64) events.DynamoDBAttributeValue {
	return events.NewNumberAttribute(strconv.FormatInt(n, 10))
}
