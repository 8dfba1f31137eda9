package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// SQSAPI is the part of the SQS client the SMS queue uses.
type SQSAPI interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, opts ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

// SQSQueue is the SMS queue on SQS.
type SQSQueue struct {
	client SQSAPI
	url    string
}

var _ Queue = (*SQSQueue)(nil)

// NewSQSQueue returns the queue at url.
func NewSQSQueue(client SQSAPI, url string) *SQSQueue { return &SQSQueue{client: client, url: url} }

// SMSRequest is the body of an SMS queue message: the booking whose pending statuses to announce. What
// to say is read from the booking's notification record when it is sent, so one text names every status
// reached by then.
type SMSRequest struct {
	OrderID string `json:"orderId"`
}

// Enqueue implements Queue.
func (q *SQSQueue) Enqueue(ctx context.Context, orderID string, delay int32) error {
	body, err := json.Marshal(SMSRequest{OrderID: orderID})
	if err != nil {
		return fmt.Errorf("encode sms request: %w", err)
	}
	if _, err := q.client.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl: aws.String(q.url), MessageBody: aws.String(string(body)), DelaySeconds: delay,
	}); err != nil {
		return fmt.Errorf("enqueue sms of %s: %w", orderID, err)
	}
	return nil
}

// Retry implements Queue.
func (q *SQSQueue) Retry(ctx context.Context, receiptHandle string, delay int32) error {
	if _, err := q.client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(q.url), ReceiptHandle: aws.String(receiptHandle), VisibilityTimeout: delay,
	}); err != nil {
		return fmt.Errorf("change sms message visibility: %w", err)
	}
	return nil
}
