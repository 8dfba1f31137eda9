package ddbemu

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

func streamsClient(url string) *dynamodbstreams.Client {
	return dynamodbstreams.New(dynamodbstreams.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(url),
		RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local"}, nil
		}),
	})
}

// The DynamoDB Streams API through the AWS SDK's own client, following the Streams API reference
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB_Streams.html):
// ListStreams, DescribeStream, GetShardIterator for every ShardIteratorType, GetRecords.
func TestStreamsAPIWithSDKClient(t *testing.T) {
	ctx := context.Background()
	var clockMs atomic.Int64
	clockMs.Store(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC).UnixMilli())
	clock := func() time.Time { return time.UnixMilli(clockMs.Load()) }
	svc, ddb := startService(t, Options{Now: clock}, ordersSpec("Orders", "NEW_AND_OLD_IMAGES"), ordersSpec("Plain", ""))
	srv := httptest.NewServer(svc.StreamsHandler())
	t.Cleanup(srv.Close)
	client := streamsClient(srv.URL)
	for _, id := range []string{"a", "b", "c"} {
		putIDs(t, ddb, "Orders", id)
	}
	if _, err := ddb.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("Orders"),
		Key: map[string]ddbtypes.AttributeValue{"id": str("a")}, UpdateExpression: aws.String("SET v = :v"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":v": num("7")}}); err != nil {
		t.Fatal(err)
	}
	arn := svc.StreamARN("Orders")

	list, err := client.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{})
	if err != nil {
		t.Fatalf("ListStreams: %v", err)
	}
	if len(list.Streams) != 1 || aws.ToString(list.Streams[0].StreamArn) != arn || aws.ToString(list.Streams[0].TableName) != "Orders" ||
		aws.ToString(list.Streams[0].StreamLabel) == "" {
		t.Fatalf("ListStreams: %+v", list.Streams)
	}
	if none, err := client.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{TableName: aws.String("Plain")}); err != nil || len(none.Streams) != 0 {
		t.Fatalf("ListStreams(Plain): %+v %v", none, err)
	}

	desc, err := client.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn)})
	if err != nil {
		t.Fatalf("DescribeStream: %v", err)
	}
	d := desc.StreamDescription
	if d.StreamStatus != types.StreamStatusEnabled || d.StreamViewType != types.StreamViewTypeNewAndOldImages ||
		aws.ToString(d.TableName) != "Orders" || len(d.KeySchema) != 1 || aws.ToString(d.KeySchema[0].AttributeName) != "id" ||
		len(d.Shards) != 1 || aws.ToString(d.Shards[0].ShardId) != svc.Stream("Orders").ShardID() ||
		d.Shards[0].SequenceNumberRange.EndingSequenceNumber != nil || d.CreationRequestDateTime == nil {
		t.Fatalf("DescribeStream: %+v", d)
	}
	shard := d.Shards[0].ShardId
	recs := svc.Stream("Orders").Read("", 0)

	iterator := func(typ types.ShardIteratorType, seq string) *string {
		t.Helper()
		in := &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(arn), ShardId: shard, ShardIteratorType: typ}
		if seq != "" {
			in.SequenceNumber = aws.String(seq)
		}
		out, err := client.GetShardIterator(ctx, in)
		if err != nil {
			t.Fatalf("GetShardIterator(%s): %v", typ, err)
		}
		return out.ShardIterator
	}
	events := func(it *string, limit int32) ([]string, *string) {
		t.Helper()
		in := &dynamodbstreams.GetRecordsInput{ShardIterator: it}
		if limit > 0 {
			in.Limit = aws.Int32(limit)
		}
		out, err := client.GetRecords(ctx, in)
		if err != nil {
			t.Fatalf("GetRecords: %v", err)
		}
		var got []string
		for _, r := range out.Records {
			got = append(got, string(r.EventName)+":"+r.Dynamodb.Keys["id"].(*types.AttributeValueMemberS).Value)
		}
		if out.NextShardIterator == nil {
			t.Fatal("open shard without NextShardIterator")
		}
		return got, out.NextShardIterator
	}
	cases := []struct {
		name  string
		typ   types.ShardIteratorType
		seq   string
		limit int32
		want  []string
	}{
		{"TRIM_HORIZON", types.ShardIteratorTypeTrimHorizon, "", 0, []string{"INSERT:a", "INSERT:b", "INSERT:c", "MODIFY:a"}},
		{"TRIM_HORIZON with Limit", types.ShardIteratorTypeTrimHorizon, "", 2, []string{"INSERT:a", "INSERT:b"}},
		{"LATEST", types.ShardIteratorTypeLatest, "", 0, nil},
		{"AT_SEQUENCE_NUMBER", types.ShardIteratorTypeAtSequenceNumber, recs[2].Change.SequenceNumber, 0, []string{"INSERT:c", "MODIFY:a"}},
		{"AFTER_SEQUENCE_NUMBER", types.ShardIteratorTypeAfterSequenceNumber, recs[2].Change.SequenceNumber, 0, []string{"MODIFY:a"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, _ := events(iterator(c.typ, c.seq), c.limit)
			if len(got) != len(c.want) || len(got) > 0 && got[0] != c.want[0] || len(got) > 0 && got[len(got)-1] != c.want[len(c.want)-1] {
				t.Fatalf("records %v, want %v", got, c.want)
			}
		})
	}

	// The record in the Streams wire format, then NextShardIterator picks up new records.
	out, err := client.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iterator(types.ShardIteratorTypeAfterSequenceNumber, recs[2].Change.SequenceNumber)})
	if err != nil || len(out.Records) != 1 {
		t.Fatalf("GetRecords: %v %v", out, err)
	}
	r := out.Records[0]
	if aws.ToString(r.EventID) != recs[3].EventID || aws.ToString(r.EventSource) != "aws:dynamodb" || aws.ToString(r.AwsRegion) != "us-east-1" ||
		aws.ToString(r.EventVersion) == "" || aws.ToString(r.Dynamodb.SequenceNumber) != recs[3].Change.SequenceNumber ||
		r.Dynamodb.StreamViewType != types.StreamViewTypeNewAndOldImages || aws.ToInt64(r.Dynamodb.SizeBytes) <= 0 ||
		r.Dynamodb.ApproximateCreationDateTime == nil || r.Dynamodb.ApproximateCreationDateTime.Unix() != clock().Unix() ||
		r.Dynamodb.NewImage["v"].(*types.AttributeValueMemberN).Value != "7" || r.Dynamodb.OldImage["v"] != nil {
		t.Fatalf("record: %+v / %+v", r, r.Dynamodb)
	}
	next := out.NextShardIterator
	if got, _ := events(next, 0); len(got) != 0 {
		t.Fatalf("records past the end: %v", got)
	}
	putIDs(t, ddb, "Orders", "d")
	if got, _ := events(next, 0); len(got) != 1 || got[0] != "INSERT:d" {
		t.Fatalf("new record through NextShardIterator: %v", got)
	}

	// Errors the API reference lists.
	_, err = client.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn + "x")})
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Fatalf("DescribeStream(unknown) = %v", err)
	}
	old := iterator(types.ShardIteratorTypeTrimHorizon, "")
	clockMs.Add((16 * time.Minute).Milliseconds())
	_, err = client.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: old})
	var expired *types.ExpiredIteratorException
	if !errors.As(err, &expired) {
		t.Fatalf("GetRecords(16-minute-old iterator) = %v", err)
	}
}

// Records trimmed from the shard are reported as such (TrimmedDataAccessException).
func TestStreamsAPITrimmedData(t *testing.T) {
	defer func(n int) { retainedRecords = n }(retainedRecords)
	retainedRecords = 4
	ctx := context.Background()
	svc, ddb := startService(t, Options{}, ordersSpec("Orders", "KEYS_ONLY"))
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	client := streamsClient(srv.URL)
	putIDs(t, ddb, "Orders", "1")
	first := svc.Stream("Orders").Latest()
	in := &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(svc.StreamARN("Orders")),
		ShardId: aws.String(svc.Stream("Orders").ShardID()), ShardIteratorType: types.ShardIteratorTypeTrimHorizon}
	it, err := client.GetShardIterator(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	putIDs(t, ddb, "Orders", "2", "3", "4", "5", "6", "7", "8")
	var trimmed *types.TrimmedDataAccessException
	if _, err := client.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it.ShardIterator}); !errors.As(err, &trimmed) {
		t.Fatalf("GetRecords(trimmed) = %v", err)
	}
	in.ShardIteratorType, in.SequenceNumber = types.ShardIteratorTypeAtSequenceNumber, aws.String(first)
	if _, err := client.GetShardIterator(ctx, in); !errors.As(err, &trimmed) {
		t.Fatalf("GetShardIterator(trimmed) = %v", err)
	}
}

// DescribeTable reports the stream as in the TableDescription reference
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html):
// StreamSpecification, LatestStreamArn and LatestStreamLabel, the label being the ARN's suffix.
func TestDescribeTableReportsStream(t *testing.T) {
	ctx := context.Background()
	cases := []struct{ view string }{{"KEYS_ONLY"}, {"NEW_IMAGE"}, {"OLD_IMAGE"}, {"NEW_AND_OLD_IMAGES"}, {""}}
	for _, c := range cases {
		t.Run("view "+c.view, func(t *testing.T) {
			svc, client := startService(t, Options{}, ordersSpec("T", c.view))
			out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("T")})
			if err != nil {
				t.Fatal(err)
			}
			tbl := out.Table
			if c.view == "" {
				if tbl.StreamSpecification != nil || tbl.LatestStreamArn != nil || tbl.LatestStreamLabel != nil {
					t.Fatalf("stream reported for a table without one: %+v", tbl)
				}
				return
			}
			arn, label := aws.ToString(tbl.LatestStreamArn), aws.ToString(tbl.LatestStreamLabel)
			if tbl.StreamSpecification == nil || !aws.ToBool(tbl.StreamSpecification.StreamEnabled) ||
				string(tbl.StreamSpecification.StreamViewType) != c.view || arn != svc.StreamARN("T") ||
				label == "" || arn != aws.ToString(tbl.TableArn)+"/stream/"+label {
				t.Fatalf("stream in description: spec %+v arn %s label %s table %s", tbl.StreamSpecification, arn, label, aws.ToString(tbl.TableArn))
			}
		})
	}
}

// GetShardIterator and GetRecords on records only in sealed segments of the stream log, after a
// restart: each ShardIteratorType starts at its record (AT_SEQUENCE_NUMBER at it,
// AFTER_SEQUENCE_NUMBER after it, TRIM_HORIZON at the oldest record, as the GetShardIterator
// reference has it: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetShardIterator.html),
// and following NextShardIterator yields every later record once.
func TestStreamsAPIReadsSealedSegments(t *testing.T) {
	smallSegments(t)
	ctx := context.Background()
	dir := t.TempDir()
	spec := ordersSpec("Orders", "KEYS_ONLY")
	ids := sealedStreamLog(t, dir, spec)
	svc, _ := startService(t, Options{DataDir: dir}, spec)
	srv := httptest.NewServer(svc.StreamsHandler())
	t.Cleanup(srv.Close)
	client := streamsClient(srv.URL)
	st := svc.Stream("Orders")
	seg := st.disk.segments[1]
	mid := seg.first + uint64(memberRecords) + 1 // inside the second member of a sealed segment
	cases := []struct {
		name string
		typ  types.ShardIteratorType
		seq  uint64
		from uint64 // counter of the first record expected
	}{
		{"TRIM_HORIZON", types.ShardIteratorTypeTrimHorizon, 0, 1},
		{"AT_SEQUENCE_NUMBER inside a sealed segment", types.ShardIteratorTypeAtSequenceNumber, mid, mid},
		{"AFTER_SEQUENCE_NUMBER inside a sealed segment", types.ShardIteratorTypeAfterSequenceNumber, mid, mid + 1},
		{"AT_SEQUENCE_NUMBER the first record of a sealed segment", types.ShardIteratorTypeAtSequenceNumber, seg.first, seg.first},
		{"AFTER_SEQUENCE_NUMBER the last record of a sealed segment", types.ShardIteratorTypeAfterSequenceNumber, seg.first - 1, seg.first},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(st.ARN()), ShardId: aws.String(st.ShardID()), ShardIteratorType: c.typ}
			if c.seq > 0 {
				in.SequenceNumber = aws.String(formatSequence(c.seq))
			}
			out, err := client.GetShardIterator(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for it := out.ShardIterator; len(got) < len(ids); {
				page, err := client.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(4)})
				if err != nil {
					t.Fatal(err)
				}
				if len(page.Records) == 0 {
					break
				}
				for _, r := range page.Records {
					got = append(got, r.Dynamodb.Keys["id"].(*types.AttributeValueMemberS).Value)
				}
				it = page.NextShardIterator
			}
			if want := ids[c.from-1:]; !slices.Equal(got, want) {
				t.Fatalf("records %v, want %v", got, want)
			}
		})
	}
}
