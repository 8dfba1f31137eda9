package main

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"
)

type capturePublisher struct {
	in       *sns.PublishInput
	optedOut bool
	checkErr error
	err      error
}

func (c *capturePublisher) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	c.in = in
	if c.err != nil {
		return nil, c.err
	}
	return &sns.PublishOutput{MessageId: aws.String("m-1")}, nil
}

func (c *capturePublisher) CheckIfPhoneNumberIsOptedOut(_ context.Context, in *sns.CheckIfPhoneNumberIsOptedOutInput, _ ...func(*sns.Options)) (*sns.CheckIfPhoneNumberIsOptedOutOutput, error) {
	if c.checkErr != nil {
		return nil, c.checkErr
	}
	return &sns.CheckIfPhoneNumberIsOptedOutOutput{IsOptedOut: c.optedOut}, nil
}

// fixedSenderID is a SenderIDs that never changes.
type fixedSenderID string

func (f fixedSenderID) Get(context.Context) (string, error) { return string(f), nil }

func TestSNSSenderPublishes(t *testing.T) {
	pub := &capturePublisher{}
	if err := NewSNSSender(pub, fixedSenderID("CallTaxi")).Send(context.Background(), "+821012345678", "hello"); err != nil {
		t.Fatal(err)
	}
	in := pub.in
	if aws.ToString(in.PhoneNumber) != "+821012345678" || aws.ToString(in.Message) != "hello" || in.TopicArn != nil || in.TargetArn != nil {
		t.Errorf("publish input %+v", in)
	}
	for name, want := range map[string]string{"AWS.SNS.SMS.SenderID": "CallTaxi", "AWS.SNS.SMS.SMSType": "Transactional"} {
		attr, ok := in.MessageAttributes[name]
		if !ok || aws.ToString(attr.DataType) != "String" || aws.ToString(attr.StringValue) != want {
			t.Errorf("attribute %s = %+v", name, attr)
		}
	}
}

func TestSNSSenderClassifiesErrors(t *testing.T) {
	apiErr := func(code, msg string) error { return &smithy.GenericAPIError{Code: code, Message: msg} }
	tests := []struct {
		name      string
		pub       capturePublisher
		throttled bool
		permanent bool
		published bool
	}{
		{name: "opted out: not published, permanent", pub: capturePublisher{optedOut: true}, permanent: true},
		{name: "invalid number", pub: capturePublisher{err: apiErr("InvalidParameter", "Invalid parameter: PhoneNumber Reason: +821099990002 is not valid to publish to")}, permanent: true, published: true},
		{name: "ThrottlingException", pub: capturePublisher{err: apiErr("ThrottlingException", "Rate exceeded")}, throttled: true, published: true},
		{name: "Throttled", pub: capturePublisher{err: apiErr("Throttled", "Rate exceeded")}, throttled: true, published: true},
		{name: "opt-out check throttled", pub: capturePublisher{checkErr: apiErr("Throttling", "Rate exceeded")}, throttled: true},
		{name: "internal error is transient", pub: capturePublisher{err: apiErr("InternalError", "boom")}, published: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := NewSNSSender(&tt.pub, fixedSenderID("CallTaxi")).Send(context.Background(), "+821012345678", "hello")
			var perm *PermanentError
			if err == nil || errors.Is(err, ErrThrottled) != tt.throttled || errors.As(err, &perm) != tt.permanent {
				t.Errorf("err = %v, want throttled %v permanent %v", err, tt.throttled, tt.permanent)
			}
			if (tt.pub.in != nil) != tt.published {
				t.Errorf("published %v, want %v", tt.pub.in != nil, tt.published)
			}
		})
	}
}
