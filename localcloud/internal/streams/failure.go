package streams

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// failureRecord mirrors the on-failure destination document AWS sends for a
// DynamoDB stream batch that exhausted its retries.
type failureRecord struct {
	RequestContext struct {
		RequestID              string `json:"requestId"`
		FunctionARN            string `json:"functionArn"`
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	} `json:"requestContext"`
	ResponseContext struct {
		StatusCode      int    `json:"statusCode"`
		ExecutedVersion string `json:"executedVersion"`
		FunctionError   string `json:"functionError,omitempty"`
	} `json:"responseContext"`
	Version            string    `json:"version"`
	Timestamp          string    `json:"timestamp"`
	DDBStreamBatchInfo batchInfo `json:"DDBStreamBatchInfo"`
}

type batchInfo struct {
	ShardID                         string `json:"shardId"`
	StartSequenceNumber             string `json:"startSequenceNumber"`
	EndSequenceNumber               string `json:"endSequenceNumber"`
	ApproximateArrivalOfFirstRecord string `json:"approximateArrivalOfFirstRecord"`
	ApproximateArrivalOfLastRecord  string `json:"approximateArrivalOfLastRecord"`
	BatchSize                       int    `json:"batchSize"`
	StreamARN                       string `json:"streamArn"`
}

// giveUp sends the batch's description to OnFailure (or just logs) and lets the poller move on.
func (p *Poller) giveUp(recs []events.DynamoDBEventRecord, last outcome, invocations int) {
	p.count(func(s *PollerStats) { s.FailedBatches++; s.FailedRecords += int64(len(recs)) })
	first, end := recs[0].Change, recs[len(recs)-1].Change
	if p.m.OnFailure == "" || p.dlq == nil {
		p.log.Error("retries exhausted; records discarded", "records", len(recs),
			"startSequenceNumber", first.SequenceNumber, "endSequenceNumber", end.SequenceNumber)
		return
	}
	var doc failureRecord
	doc.RequestContext.RequestID = newRequestID()
	doc.RequestContext.FunctionARN = functionARN(p.m.Stream.ARN(), p.m.Function)
	doc.RequestContext.Condition = "RetryAttemptsExhausted"
	doc.RequestContext.ApproximateInvokeCount = invocations
	doc.ResponseContext.StatusCode = 200
	doc.ResponseContext.ExecutedVersion = "$LATEST"
	if last.err != nil {
		doc.ResponseContext.FunctionError = "Unhandled"
	}
	doc.Version = "1.0"
	doc.Timestamp = time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	doc.DDBStreamBatchInfo = batchInfo{
		ShardID:                         p.m.Stream.ShardID(),
		StartSequenceNumber:             first.SequenceNumber,
		EndSequenceNumber:               end.SequenceNumber,
		ApproximateArrivalOfFirstRecord: first.ApproximateCreationDateTime.UTC().Format(time.RFC3339),
		ApproximateArrivalOfLastRecord:  end.ApproximateCreationDateTime.UTC().Format(time.RFC3339),
		BatchSize:                       len(recs),
		StreamARN:                       p.m.Stream.ARN(),
	}
	body, err := json.Marshal(doc)
	if err != nil {
		p.log.Error("encode on-failure record", "err", err)
		return
	}
	p.log.Warn("retries exhausted; batch sent to on-failure destination", "queue", p.m.OnFailure,
		"records", len(recs), "startSequenceNumber", first.SequenceNumber)
	p.dlq.Put(p.m.OnFailure, body, map[string]string{
		"source": "aws:lambda", "function": p.m.Function, "mapping": p.m.Name, "condition": "RetryAttemptsExhausted",
	})
}

// functionARN builds the function ARN in the stream's region and account.
func functionARN(streamARN, function string) string {
	parts := strings.SplitN(streamARN, ":", 6) // arn:aws:dynamodb:region:account:table/...
	region, account := "us-east-1", "000000000000"
	if len(parts) == 6 {
		region, account = parts[3], parts[4]
	}
	return "arn:aws:lambda:" + region + ":" + account + ":function:" + function
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
