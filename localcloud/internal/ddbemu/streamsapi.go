package ddbemu

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// The DynamoDB Streams API (X-Amz-Target DynamoDBStreams_20120810.<Op>, JSON 1.0), served from
// the same streams the event source mappings read. Every emulated stream has exactly one shard,
// which is never closed or split. API reference:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB_Streams.html

const streamsTargetPrefix = "DynamoDBStreams_20120810."

const (
	iteratorLifetime = 15 * time.Minute // "A shard iterator expires 15 minutes after it is returned"
	maxGetRecords    = 1000             // GetRecords Limit: "The upper limit is 1000"
	maxGetRecordsMB  = 1 << 20          // "GetRecords can retrieve a maximum of 1 MB of data"
)

// StreamsHandler serves only the DynamoDB Streams API. ServeHTTP serves it as well, told apart
// by X-Amz-Target.
func (s *Service) StreamsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("X-Amz-Target"), streamsTargetPrefix) {
			writeResult(w, apiError(http.StatusBadRequest, "UnknownOperationException", "not a DynamoDB Streams request"))
			return
		}
		s.ServeHTTP(w, r)
	})
}

func (s *Service) dispatchStreams(op string, body []byte) engineResult {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return shutDown()
	}
	switch op {
	case "ListStreams":
		return s.listStreamsLocked(body)
	case "DescribeStream":
		return s.describeStreamLocked(body)
	case "GetShardIterator":
		return s.getShardIteratorLocked(body)
	case "GetRecords":
		return s.getRecordsLocked(body)
	default:
		return apiError(http.StatusBadRequest, "UnknownOperationException", "operation "+op+" is not supported by the local DynamoDB Streams")
	}
}

// streamByARNLocked finds a stream and its table. Callers hold s.mu.
func (s *Service) streamByARNLocked(arn string) (*tableState, *engineResult) {
	for _, name := range s.tableNamesLocked() {
		if t := s.tables[name]; t.stream != nil && t.stream.arn == arn {
			return t, nil
		}
	}
	r := apiError(http.StatusBadRequest, "ResourceNotFoundException", "Requested resource not found: Stream: "+arn+" not found")
	return nil, &r
}

func streamLabel(st *Stream) string {
	_, label, _ := strings.Cut(st.arn, "/stream/")
	return label
}

func decodeRequest(body []byte, v any) *engineResult {
	if err := json.Unmarshal(body, v); err != nil {
		r := apiError(http.StatusBadRequest, "SerializationException", "decode request: "+err.Error())
		return &r
	}
	return nil
}

func (s *Service) listStreamsLocked(body []byte) engineResult {
	var req struct {
		TableName               string
		Limit                   int
		ExclusiveStartStreamArn string
	}
	if bad := decodeRequest(body, &req); bad != nil {
		return *bad
	}
	if req.Limit <= 0 || req.Limit > 100 {
		req.Limit = 100
	}
	type stream struct{ StreamArn, TableName, StreamLabel string }
	streams := []stream{}
	started := req.ExclusiveStartStreamArn == ""
	out := map[string]any{}
	for _, name := range s.tableNamesLocked() {
		t := s.tables[name]
		if t.stream == nil || req.TableName != "" && name != req.TableName {
			continue
		}
		if !started {
			started = t.stream.arn == req.ExclusiveStartStreamArn
			continue
		}
		if len(streams) == req.Limit {
			out["LastEvaluatedStreamArn"] = streams[len(streams)-1].StreamArn
			break
		}
		streams = append(streams, stream{t.stream.arn, name, streamLabel(t.stream)})
	}
	out["Streams"] = streams
	return jsonResult(out)
}

func (s *Service) describeStreamLocked(body []byte) engineResult {
	var req struct {
		StreamArn             string
		ExclusiveStartShardId string
	}
	if bad := decodeRequest(body, &req); bad != nil {
		return *bad
	}
	t, notFound := s.streamByARNLocked(req.StreamArn)
	if notFound != nil {
		return *notFound
	}
	st := t.stream
	first, _ := st.bounds()
	shards := []any{}
	if req.ExclusiveStartShardId != st.shardID {
		shards = append(shards, map[string]any{
			"ShardId":             st.shardID,
			"SequenceNumberRange": map[string]string{"StartingSequenceNumber": formatSequence(first)},
		})
	}
	keySchema := []map[string]string{{"AttributeName": t.hashKey, "KeyType": "HASH"}}
	if t.rangeKey != "" {
		keySchema = append(keySchema, map[string]string{"AttributeName": t.rangeKey, "KeyType": "RANGE"})
	}
	created := t.createdAt
	if at, err := time.Parse(streamLabelLayout, streamLabel(st)); err == nil {
		created = at
	}
	return jsonResult(map[string]any{"StreamDescription": map[string]any{
		"StreamArn":               st.arn,
		"StreamLabel":             streamLabel(st),
		"StreamStatus":            "ENABLED",
		"StreamViewType":          st.viewType,
		"CreationRequestDateTime": float64(created.UnixMilli()) / 1000,
		"TableName":               t.spec.Name,
		"KeySchema":               keySchema,
		"Shards":                  shards,
	}})
}

// shardIterator is the opaque ShardIterator: a position in the shard and when it was issued.
type shardIterator struct {
	StreamARN string `json:"a"`
	ShardID   string `json:"s"`
	Next      uint64 `json:"n"` // counter of the next record to return
	IssuedMs  int64  `json:"t"`
}

func (it shardIterator) encode() string {
	b, _ := json.Marshal(it)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeIterator(s string) (shardIterator, bool) {
	var it shardIterator
	b, err := base64.RawURLEncoding.DecodeString(s)
	return it, err == nil && json.Unmarshal(b, &it) == nil && it.StreamARN != ""
}

func trimmedData(msg string) engineResult {
	return apiError(http.StatusBadRequest, "TrimmedDataAccessException", msg)
}

func (s *Service) getShardIteratorLocked(body []byte) engineResult {
	var req struct {
		StreamArn, ShardId, ShardIteratorType, SequenceNumber string
	}
	if bad := decodeRequest(body, &req); bad != nil {
		return *bad
	}
	t, notFound := s.streamByARNLocked(req.StreamArn)
	if notFound != nil {
		return *notFound
	}
	st := t.stream
	if req.ShardId != st.shardID {
		return apiError(http.StatusBadRequest, "ResourceNotFoundException", "Requested resource not found: Shard does not exist")
	}
	first, next := st.bounds()
	it := shardIterator{StreamARN: st.arn, ShardID: st.shardID, IssuedMs: s.opts.Now().UnixMilli()}
	switch req.ShardIteratorType {
	case "TRIM_HORIZON":
		it.Next = first
	case "LATEST":
		it.Next = next
	case "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER":
		if req.SequenceNumber == "" {
			return validationError("SequenceNumber is required for ShardIteratorType " + req.ShardIteratorType)
		}
		n, err := parseSequence(req.SequenceNumber)
		if err != nil {
			return validationError("Invalid SequenceNumber: " + req.SequenceNumber)
		}
		if req.ShardIteratorType == "AFTER_SEQUENCE_NUMBER" {
			n++
		}
		if n < first {
			return trimmedData("Sequence number " + req.SequenceNumber + " is before the trim horizon of the shard")
		}
		if n > next {
			return validationError("Invalid SequenceNumber: " + req.SequenceNumber + " is beyond the end of the shard")
		}
		it.Next = n
	default:
		return validationError(fmt.Sprintf("1 validation error detected: Value '%s' at 'shardIteratorType' failed to satisfy constraint: "+
			"Member must satisfy enum value set: [TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER]", req.ShardIteratorType))
	}
	return jsonResult(map[string]string{"ShardIterator": it.encode()})
}

func (s *Service) getRecordsLocked(body []byte) engineResult {
	var req struct {
		ShardIterator string
		Limit         *int
	}
	if bad := decodeRequest(body, &req); bad != nil {
		return *bad
	}
	limit := maxGetRecords
	if req.Limit != nil {
		if *req.Limit < 1 || *req.Limit > maxGetRecords {
			return validationError("1 validation error detected: Value '" + strconv.Itoa(*req.Limit) +
				"' at 'limit' failed to satisfy constraint: Member must have value between 1 and 1000")
		}
		limit = *req.Limit
	}
	it, ok := decodeIterator(req.ShardIterator)
	if !ok {
		return validationError("Invalid ShardIterator")
	}
	issued := time.UnixMilli(it.IssuedMs)
	if now := s.opts.Now(); now.Sub(issued) > iteratorLifetime {
		return apiError(http.StatusBadRequest, "ExpiredIteratorException", fmt.Sprintf(
			"Iterator expired. The iterator was created at time %s while right now it is %s.",
			issued.UTC().Format(time.RFC1123), now.UTC().Format(time.RFC1123)))
	}
	t, notFound := s.streamByARNLocked(it.StreamARN)
	if notFound != nil {
		return *notFound
	}
	recs, next, trimmed := t.stream.readFrom(it.Next, limit)
	if trimmed {
		return trimmedData("The operation attempted to read past the oldest stream record in a shard.")
	}
	out := make([]wireRecord, 0, len(recs))
	size := 0
	for _, r := range recs {
		if size += int(r.Change.SizeBytes); size > maxGetRecordsMB && len(out) > 0 {
			break
		}
		out = append(out, toWire(r))
	}
	it.Next = next - uint64(len(recs)-len(out))
	it.IssuedMs = s.opts.Now().UnixMilli()
	return jsonResult(map[string]any{"Records": out, "NextShardIterator": it.encode()})
}

// wireRecord is a stream record as GetRecords returns it (API_streams_Record), which differs
// from the Lambda event record: no eventSourceARN, and userIdentity fields are capitalised.
type wireRecord struct {
	AwsRegion    string           `json:"awsRegion"`
	Dynamodb     wireStreamRecord `json:"dynamodb"`
	EventID      string           `json:"eventID"`
	EventName    string           `json:"eventName"`
	EventSource  string           `json:"eventSource"`
	EventVersion string           `json:"eventVersion"`
	UserIdentity *wireIdentity    `json:"userIdentity,omitempty"`
}

type wireStreamRecord struct {
	ApproximateCreationDateTime float64                                  `json:"ApproximateCreationDateTime"`
	Keys                        map[string]events.DynamoDBAttributeValue `json:"Keys,omitempty"`
	NewImage                    map[string]events.DynamoDBAttributeValue `json:"NewImage,omitempty"`
	OldImage                    map[string]events.DynamoDBAttributeValue `json:"OldImage,omitempty"`
	SequenceNumber              string                                   `json:"SequenceNumber"`
	SizeBytes                   int64                                    `json:"SizeBytes"`
	StreamViewType              string                                   `json:"StreamViewType"`
}

type wireIdentity struct {
	PrincipalID string `json:"PrincipalId"`
	Type        string `json:"Type"`
}

func toWire(r events.DynamoDBEventRecord) wireRecord {
	c := r.Change
	w := wireRecord{
		AwsRegion: r.AWSRegion, EventID: r.EventID, EventName: r.EventName, EventSource: r.EventSource, EventVersion: r.EventVersion,
		Dynamodb: wireStreamRecord{
			ApproximateCreationDateTime: float64(c.ApproximateCreationDateTime.Unix()),
			Keys:                        c.Keys, NewImage: c.NewImage, OldImage: c.OldImage,
			SequenceNumber: c.SequenceNumber, SizeBytes: c.SizeBytes, StreamViewType: c.StreamViewType,
		},
	}
	if r.UserIdentity != nil {
		w.UserIdentity = &wireIdentity{PrincipalID: r.UserIdentity.PrincipalID, Type: r.UserIdentity.Type}
	}
	return w
}
