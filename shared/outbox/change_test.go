package outbox

import (
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

type item struct {
	Status string `dynamodbav:"status"`
}

func image(status string) map[string]events.DynamoDBAttributeValue {
	return map[string]events.DynamoDBAttributeValue{"status": events.NewStringAttribute(status)}
}

func TestStatusChange(t *testing.T) {
	status := func(i *item) string { return i.Status }
	tests := []struct {
		name     string
		rec      events.DynamoDBEventRecord
		want     string // "" for no change
		malforms bool
	}{
		{"created", events.DynamoDBEventRecord{EventName: "INSERT", Change: events.DynamoDBStreamRecord{NewImage: image("A")}}, "A", false},
		{"changed", events.DynamoDBEventRecord{EventName: "MODIFY", Change: events.DynamoDBStreamRecord{OldImage: image("A"), NewImage: image("B")}}, "B", false},
		{"rewritten", events.DynamoDBEventRecord{EventName: "MODIFY", Change: events.DynamoDBStreamRecord{OldImage: image("A"), NewImage: image("A")}}, "", false},
		{"removed", events.DynamoDBEventRecord{EventName: "REMOVE", Change: events.DynamoDBStreamRecord{OldImage: image("A")}}, "", false},
		{"changed without its old image", events.DynamoDBEventRecord{EventName: "MODIFY", Change: events.DynamoDBStreamRecord{NewImage: image("B")}}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next, err := StatusChange(tt.rec, status)
			if tt.malforms {
				if !errors.Is(err, ErrMalformedRecord) {
					t.Fatalf("err = %v, want ErrMalformedRecord", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if next != nil {
				got = next.Status
			}
			if got != tt.want {
				t.Fatalf("status = %q, want %q", got, tt.want)
			}
		})
	}
}
