package ddbemu

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// itemImage is one item as DynamoDB JSON: the raw bytes (for change detection)
// and the decoded attribute values (for records). A nil *itemImage means "no item".
type itemImage struct {
	raw   []byte
	attrs map[string]events.DynamoDBAttributeValue
}

func decodeImage(raw json.RawMessage) (*itemImage, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var attrs map[string]events.DynamoDBAttributeValue
	if err := json.Unmarshal(raw, &attrs); err != nil {
		return nil, fmt.Errorf("decode item image: %w", err)
	}
	if len(attrs) == 0 {
		return nil, nil
	}
	return &itemImage{raw: raw, attrs: attrs}, nil
}

// changeKind classifies a write from the images before and after it; "" = no change.
func changeKind(old, new *itemImage) string {
	switch {
	case old == nil && new == nil:
		return ""
	case old == nil:
		return "INSERT"
	case new == nil:
		return "REMOVE"
	case string(old.raw) == string(new.raw):
		// DynamoDB Streams writes no record for a PutItem/UpdateItem that changes no data.
		return ""
	default:
		return "MODIFY"
	}
}

type recordMeta struct {
	region   string
	arn      string
	viewType string
	keyAttrs []string
	now      time.Time
	identity *events.DynamoDBUserIdentity
}

// buildRecord makes a stream record (without its sequence number) for a change.
func buildRecord(m recordMeta, kind string, old, new *itemImage) events.DynamoDBEventRecord {
	source := new
	if source == nil {
		source = old
	}
	keys := make(map[string]events.DynamoDBAttributeValue, len(m.keyAttrs))
	for _, k := range m.keyAttrs {
		if v, ok := source.attrs[k]; ok {
			keys[k] = v
		}
	}
	change := events.DynamoDBStreamRecord{
		ApproximateCreationDateTime: events.SecondsEpochTime{Time: m.now},
		Keys:                        keys,
		StreamViewType:              m.viewType,
	}
	if old != nil && (m.viewType == "OLD_IMAGE" || m.viewType == "NEW_AND_OLD_IMAGES") {
		change.OldImage = old.attrs
	}
	if new != nil && (m.viewType == "NEW_IMAGE" || m.viewType == "NEW_AND_OLD_IMAGES") {
		change.NewImage = new.attrs
	}
	change.SizeBytes = recordSize(change)
	return events.DynamoDBEventRecord{
		AWSRegion:      m.region,
		Change:         change,
		EventID:        newEventID(),
		EventName:      kind,
		EventSource:    "aws:dynamodb",
		EventVersion:   "1.1",
		EventSourceArn: m.arn,
		UserIdentity:   m.identity,
	}
}

// recordSize approximates AWS's SizeBytes: the encoded size of keys and images.
func recordSize(c events.DynamoDBStreamRecord) int64 {
	var n int64
	for _, part := range []map[string]events.DynamoDBAttributeValue{c.Keys, c.NewImage, c.OldImage} {
		if len(part) == 0 {
			continue
		}
		b, err := json.Marshal(part)
		if err == nil {
			n += int64(len(b))
		}
	}
	return n
}

func newEventID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
