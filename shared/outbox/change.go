package outbox

import (
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/streamrec"
)

// ErrMalformedRecord marks a stream record a Derive cannot read.
var ErrMalformedRecord = errors.New("malformed stream record")

// Decode reads a stream record's images into T: next is the item after the change, prev the item before
// it (nil for a creation). A removal, or a record without a new image, yields a nil next: it means
// nothing outside. A change other than a creation must carry its old image (the stream is
// NEW_AND_OLD_IMAGES); without it a change cannot be told from a creation, so it is malformed.
func Decode[T any](rec events.DynamoDBEventRecord) (prev, next *T, err error) {
	if rec.EventName == string(events.DynamoDBOperationTypeRemove) || len(rec.Change.NewImage) == 0 {
		return nil, nil, nil
	}
	next = new(T)
	if err := streamrec.Unmarshal(rec.Change.NewImage, next); err != nil {
		return nil, nil, fmt.Errorf("%w: new image: %w", ErrMalformedRecord, err)
	}
	switch {
	case len(rec.Change.OldImage) > 0:
		prev = new(T)
		if err := streamrec.Unmarshal(rec.Change.OldImage, prev); err != nil {
			return nil, nil, fmt.Errorf("%w: old image: %w", ErrMalformedRecord, err)
		}
	case rec.EventName != string(events.DynamoDBOperationTypeInsert):
		return nil, nil, fmt.Errorf("%w: %s without its old image", ErrMalformedRecord, rec.EventName)
	}
	return prev, next, nil
}

// StatusChange is Decode for a Derive that speaks only when an item's status changes: next is nil when
// the record means nothing (a removal, or a write that keeps the status).
func StatusChange[T any](rec events.DynamoDBEventRecord, status func(*T) string) (next *T, err error) {
	prev, next, err := Decode[T](rec)
	if err != nil || next == nil {
		return nil, err
	}
	if prev != nil && status(prev) == status(next) {
		return nil, nil
	}
	return next, nil
}
