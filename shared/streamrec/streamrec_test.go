package streamrec

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

type row struct {
	ID      string              `dynamodbav:"id"`
	Version int                 `dynamodbav:"version"`
	Paid    bool                `dynamodbav:"paid"`
	Tags    []string            `dynamodbav:"tags"`
	History []map[string]string `dynamodbav:"history"`
	Note    *string             `dynamodbav:"note"`
}

func TestUnmarshalStreamImage(t *testing.T) {
	var rec events.DynamoDBEventRecord
	raw := `{"eventName":"MODIFY","dynamodb":{"SequenceNumber":"42","NewImage":{
		"id":{"S":"o1"},"version":{"N":"3"},"paid":{"BOOL":true},"tags":{"SS":["a","b"]},
		"history":{"L":[{"M":{"status":{"S":"PAID"}}}]},"note":{"NULL":true}}}}`
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		t.Fatal(err)
	}
	var got row
	if err := Unmarshal(rec.Change.NewImage, &got); err != nil {
		t.Fatal(err)
	}
	if got.ID != "o1" || got.Version != 3 || !got.Paid || len(got.Tags) != 2 || got.History[0]["status"] != "PAID" || got.Note != nil {
		t.Errorf("got %+v", got)
	}

	var f Failures
	if len(f.Response().BatchItemFailures) != 0 {
		t.Error("no failures: want an empty list")
	}
	f.Add(rec)
	if r := f.Response(); len(r.BatchItemFailures) != 1 || r.BatchItemFailures[0].ItemIdentifier != "42" {
		t.Errorf("failures = %+v", r)
	}
}
