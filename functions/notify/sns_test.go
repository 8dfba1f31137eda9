package main

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

type capturePublisher struct {
	in  *sns.PublishInput
	err error
}

func (c *capturePublisher) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	c.in = in
	if c.err != nil {
		return nil, c.err
	}
	return &sns.PublishOutput{MessageId: aws.String("m-1")}, nil
}

func TestSNSSender(t *testing.T) {
	pub := &capturePublisher{}
	if err := NewSNSSender(pub, "CallTaxi").Send(context.Background(), "+821012345678", "hello"); err != nil {
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

	pub.err = errors.New("throttled")
	if err := NewSNSSender(pub, "CallTaxi").Send(context.Background(), "+821012345678", "hello"); err == nil || !errors.Is(err, pub.err) {
		t.Errorf("publish error not returned: %v", err)
	}
}
