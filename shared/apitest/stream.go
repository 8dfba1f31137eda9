package apitest

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
)

// SubmitStream invokes the function's top-level handler with a DynamoDB stream batch and returns the
// sequence numbers it reported as failed.
func SubmitStream(handlers Handler, batch events.DynamoDBEvent) ([]string, error) {
	payload, err := json.Marshal(batch)
	if err != nil {
		return nil, fmt.Errorf("encode stream batch: %w", err)
	}
	out, err := handlers.Invoke(context.Background(), payload)
	if err != nil {
		return nil, err
	}
	var resp events.DynamoDBEventResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		return nil, fmt.Errorf("decode answer %s: %w", out, err)
	}
	if resp.BatchItemFailures == nil {
		return nil, fmt.Errorf("answer %s has no batchItemFailures list", out)
	}
	failed := []string{}
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	return failed, nil
}
