package snsemu

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"
)

func newTestClient(t *testing.T, dir string) (*Service, *sns.Client) {
	t.Helper()
	svc, err := New(Options{Dir: dir, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	client := sns.New(sns.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		RetryMaxAttempts: 1,
	})
	return svc, client
}

func smsAttributes(senderID, smsType string) map[string]types.MessageAttributeValue {
	attrs := map[string]types.MessageAttributeValue{}
	if senderID != "" {
		attrs[attrSenderID] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(senderID)}
	}
	if smsType != "" {
		attrs[attrSMSType] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(smsType)}
	}
	return attrs
}

func TestPublishSMS(t *testing.T) {
	tests := []struct {
		name     string
		input    sns.PublishInput
		wantCode string // "" = success
	}{
		{
			name: "E.164 phone with sender id and type",
			input: sns.PublishInput{PhoneNumber: aws.String("+821012345678"), Message: aws.String("Your taxi is confirmed"),
				MessageAttributes: smsAttributes("CallTaxi", "Transactional")},
		},
		{name: "phone without attributes", input: sns.PublishInput{PhoneNumber: aws.String("+15555550100"), Message: aws.String("hi")}},
		{name: "local format phone", input: sns.PublishInput{PhoneNumber: aws.String("010-1234-5678"), Message: aws.String("hi")}, wantCode: "InvalidParameter"},
		{name: "phone without plus", input: sns.PublishInput{PhoneNumber: aws.String("821012345678"), Message: aws.String("hi")}, wantCode: "InvalidParameter"},
		{name: "empty message", input: sns.PublishInput{PhoneNumber: aws.String("+821012345678"), Message: aws.String("")}, wantCode: "InvalidParameter"},
		{name: "no destination", input: sns.PublishInput{Message: aws.String("hi")}, wantCode: "InvalidParameter"},
		{name: "bad sms type", input: sns.PublishInput{PhoneNumber: aws.String("+821012345678"), Message: aws.String("hi"),
			MessageAttributes: smsAttributes("", "Urgent")}, wantCode: "InvalidParameter"},
		{name: "sender id too long", input: sns.PublishInput{PhoneNumber: aws.String("+821012345678"), Message: aws.String("hi"),
			MessageAttributes: smsAttributes("CallTaxiSeoul", "")}, wantCode: "InvalidParameter"},
		{name: "unknown topic", input: sns.PublishInput{TopicArn: aws.String("arn:aws:sns:us-east-1:123456789012:nope"), Message: aws.String("hi")}, wantCode: "NotFound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, client := newTestClient(t, "")
			out, err := client.Publish(context.Background(), &tt.input)
			if tt.wantCode != "" {
				var apiErr smithy.APIError
				if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tt.wantCode {
					t.Fatalf("err = %v, want API error %s", err, tt.wantCode)
				}
				if len(svc.Messages()) != 0 {
					t.Errorf("rejected publish reached the outbox")
				}
				return
			}
			if err != nil {
				t.Fatalf("Publish: %v", err)
			}
			msgs := svc.Messages()
			if len(msgs) != 1 {
				t.Fatalf("outbox = %d messages, want 1", len(msgs))
			}
			got := msgs[0]
			if got.MessageID != aws.ToString(out.MessageId) || got.MessageID == "" {
				t.Errorf("MessageID = %q, SDK got %q", got.MessageID, aws.ToString(out.MessageId))
			}
			if got.PhoneNumber != aws.ToString(tt.input.PhoneNumber) || got.Message != aws.ToString(tt.input.Message) {
				t.Errorf("recorded %+v", got)
			}
			if v, ok := tt.input.MessageAttributes[attrSenderID]; ok && got.SenderID != aws.ToString(v.StringValue) {
				t.Errorf("SenderID = %q", got.SenderID)
			}
			if v, ok := tt.input.MessageAttributes[attrSMSType]; ok && got.SMSType != aws.ToString(v.StringValue) {
				t.Errorf("SMSType = %q", got.SMSType)
			}
		})
	}
}

func TestBadPhoneIsTypedInvalidParameterException(t *testing.T) {
	_, client := newTestClient(t, "")
	_, err := client.Publish(context.Background(), &sns.PublishInput{PhoneNumber: aws.String("12345"), Message: aws.String("x")})
	var ipe *types.InvalidParameterException
	if !errors.As(err, &ipe) {
		t.Fatalf("err = %T %v, want *types.InvalidParameterException", err, err)
	}
	if ipe.ErrorMessage() == "" {
		t.Errorf("error message not deserialized")
	}
}

func TestTopics(t *testing.T) {
	svc, client := newTestClient(t, "")
	ctx := context.Background()
	created, err := client.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("ops")})
	if err != nil {
		t.Fatalf("CreateTopic: %v", err)
	}
	if want := "arn:aws:sns:us-east-1:123456789012:ops"; aws.ToString(created.TopicArn) != want {
		t.Errorf("TopicArn = %q, want %q", aws.ToString(created.TopicArn), want)
	}
	again, err := client.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("ops")})
	if err != nil || aws.ToString(again.TopicArn) != aws.ToString(created.TopicArn) {
		t.Errorf("CreateTopic not idempotent: %v %v", again, err)
	}
	list, err := client.ListTopics(ctx, &sns.ListTopicsInput{})
	if err != nil {
		t.Fatalf("ListTopics: %v", err)
	}
	if len(list.Topics) != 1 || aws.ToString(list.Topics[0].TopicArn) != aws.ToString(created.TopicArn) {
		t.Errorf("ListTopics = %+v", list.Topics)
	}
	if _, err := client.Publish(ctx, &sns.PublishInput{TopicArn: created.TopicArn, Message: aws.String("to topic")}); err != nil {
		t.Fatalf("Publish to topic: %v", err)
	}
	if msgs := svc.Messages(); len(msgs) != 1 || msgs[0].TopicArn != aws.ToString(created.TopicArn) {
		t.Errorf("outbox = %+v", msgs)
	}
}

func TestOutboxFileAppendAndReload(t *testing.T) {
	dir := t.TempDir()
	_, client := newTestClient(t, dir)
	for _, text := range []string{"first", "second"} {
		if _, err := client.Publish(context.Background(), &sns.PublishInput{PhoneNumber: aws.String("+821012345678"), Message: aws.String(text)}); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(filepath.Join(dir, OutboxFileName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 2 || lines[0]["message"] != "first" || lines[1]["phoneNumber"] != "+821012345678" {
		t.Fatalf("file lines = %v", lines)
	}
	for _, key := range []string{"messageId", "at"} {
		if _, ok := lines[0][key]; !ok {
			t.Errorf("line lacks camelCase key %q: %v", key, lines[0])
		}
	}

	reloaded, err := New(Options{Dir: dir, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if msgs := reloaded.Messages(); len(msgs) != 2 || msgs[1].Message != "second" {
		t.Errorf("reloaded outbox = %+v", msgs)
	}
}

func TestFailureRate(t *testing.T) {
	tests := []struct {
		rate     float64
		wantFail bool
	}{{rate: 1, wantFail: true}, {rate: 0, wantFail: false}}
	for _, tt := range tests {
		svc, client := newTestClient(t, "")
		svc.SetFailureRate(tt.rate)
		_, err := client.Publish(context.Background(), &sns.PublishInput{PhoneNumber: aws.String("+821012345678"), Message: aws.String("x")})
		var apiErr smithy.APIError
		failed := errors.As(err, &apiErr) && apiErr.ErrorCode() == "InternalError"
		if failed != tt.wantFail {
			t.Errorf("rate %v: err = %v, want failure %v", tt.rate, err, tt.wantFail)
		}
		if got := len(svc.Messages()); got == 0 != tt.wantFail {
			t.Errorf("rate %v: outbox has %d messages", tt.rate, got)
		}
	}
}

func TestUnknownAction(t *testing.T) {
	svc, _ := New(Options{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/", nil)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Body = io.NopCloser(strings.NewReader("Action=Subscribe&Version=2010-03-31"))
	svc.ServeHTTP(rec, req)
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "<Code>InvalidAction</Code>") {
		t.Errorf("status %d body %s", rec.Code, rec.Body.String())
	}
}
