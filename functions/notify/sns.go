package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// SNSPublisher is the part of the SNS client the sender uses.
type SNSPublisher interface {
	Publish(ctx context.Context, in *sns.PublishInput, opts ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// SNSSender sends SMS through SNS Publish to a phone number.
type SNSSender struct {
	client   SNSPublisher
	senderID string
}

var _ SMS = (*SNSSender)(nil)

// NewSNSSender returns a sender that signs messages with senderID where the country supports it.
func NewSNSSender(client SNSPublisher, senderID string) *SNSSender {
	return &SNSSender{client: client, senderID: senderID}
}

// Send implements SMS.
func (s *SNSSender) Send(ctx context.Context, phone, text string) error {
	_, err := s.client.Publish(ctx, &sns.PublishInput{
		PhoneNumber: aws.String(phone),
		Message:     aws.String(text),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"AWS.SNS.SMS.SenderID": {DataType: aws.String("String"), StringValue: aws.String(s.senderID)},
			"AWS.SNS.SMS.SMSType":  {DataType: aws.String("String"), StringValue: aws.String("Transactional")},
		},
	})
	if err != nil {
		return fmt.Errorf("sns publish sms: %w", err)
	}
	return nil
}
