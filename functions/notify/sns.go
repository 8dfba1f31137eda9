package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"
)

// SNSPublisher is the part of the SNS client the sender uses.
type SNSPublisher interface {
	Publish(ctx context.Context, in *sns.PublishInput, opts ...func(*sns.Options)) (*sns.PublishOutput, error)
	CheckIfPhoneNumberIsOptedOut(ctx context.Context, in *sns.CheckIfPhoneNumberIsOptedOutInput, opts ...func(*sns.Options)) (*sns.CheckIfPhoneNumberIsOptedOutOutput, error)
}

// SenderIDs gives the sender ID of the next text; it changes at run time (SenderIDParameter).
type SenderIDs interface {
	Get(ctx context.Context) (string, error)
}

// SNSSender sends SMS through SNS Publish to a phone number, from the SMS region its client is built for.
type SNSSender struct {
	client    SNSPublisher
	senderIDs SenderIDs
}

var _ SMS = (*SNSSender)(nil)

// NewSNSSender returns a sender that signs messages with the current sender ID where the country
// supports it.
func NewSNSSender(client SNSPublisher, senderIDs SenderIDs) *SNSSender {
	return &SNSSender{client: client, senderIDs: senderIDs}
}

// throttleCodes are the error codes AWS answers a request over a rate with: SNS's modeled Throttled
// (HTTP 429) and the ThrottlingException "Rate exceeded" its Publish answers past the SMS rate.
var throttleCodes = map[string]bool{
	"Throttled": true, "ThrottledException": true, "Throttling": true, "ThrottlingException": true,
	"TooManyRequestsException": true, "RequestLimitExceeded": true,
}

// Send implements SMS. A number that opted out (replied STOP) is reported permanent before publishing:
// SNS accepts a Publish to it and silently delivers nothing, so only CheckIfPhoneNumberIsOptedOut tells.
func (s *SNSSender) Send(ctx context.Context, phone, text string) error {
	check, err := s.client.CheckIfPhoneNumberIsOptedOut(ctx, &sns.CheckIfPhoneNumberIsOptedOutInput{PhoneNumber: aws.String(phone)})
	if err != nil {
		return classify("sns check opt-out", err)
	}
	if check.IsOptedOut {
		return &PermanentError{Reason: "the number opted out of SMS from this account"}
	}
	senderID, err := s.senderIDs.Get(ctx)
	if err != nil {
		return fmt.Errorf("sms sender id: %w", err)
	}
	_, err = s.client.Publish(ctx, &sns.PublishInput{
		PhoneNumber: aws.String(phone),
		Message:     aws.String(text),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"AWS.SNS.SMS.SenderID": {DataType: aws.String("String"), StringValue: aws.String(senderID)},
			"AWS.SNS.SMS.SMSType":  {DataType: aws.String("String"), StringValue: aws.String("Transactional")},
		},
	})
	if err != nil {
		return classify("sns publish sms", err)
	}
	return nil
}

// classify maps an SNS error onto ErrThrottled, *PermanentError or a transient error.
func classify(op string, err error) error {
	var apiErr smithy.APIError
	var respErr *awshttp.ResponseError
	switch {
	case errors.As(err, &apiErr) && throttleCodes[apiErr.ErrorCode()],
		errors.As(err, &respErr) && respErr.HTTPStatusCode() == http.StatusTooManyRequests:
		return fmt.Errorf("%s: %w: %w", op, ErrThrottled, err)
	case errors.As(err, &apiErr) && (apiErr.ErrorCode() == "InvalidParameter" || apiErr.ErrorCode() == "InvalidParameterValue"):
		return &PermanentError{Reason: apiErr.ErrorCode() + ": " + apiErr.ErrorMessage()}
	case errors.As(err, &apiErr) && apiErr.ErrorCode() == "OptedOut":
		return &PermanentError{Reason: "the number opted out of SMS from this account"}
	}
	return fmt.Errorf("%s: %w", op, err)
}
