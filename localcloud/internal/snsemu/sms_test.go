package snsemu

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"

	"github.com/calltaxi/call-taxi/localcloud/internal/awsclock"
)

func newRegionClient(t *testing.T, opts Options, region string) (*Service, *sns.Client) {
	t.Helper()
	opts.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
	svc, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	return svc, sns.New(sns.Options{
		Region: region, BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
	})
}

func apiCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode() + ": " + apiErr.ErrorMessage()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// The region is the request's SigV4 credential scope; SMS only from the regions AWS sends SMS from.
func TestSMSRegion(t *testing.T) {
	tests := []struct {
		region string
		want   string // "" = published
	}{
		{"us-east-1", ""},
		{"ap-northeast-1", ""},
		{"ap-northeast-2", "InvalidParameter: Invalid parameter: PhoneNumber Reason: +821012345678 is not valid to publish to"},
		{"ap-east-1", "InvalidParameter: Invalid parameter: PhoneNumber Reason: +821012345678 is not valid to publish to"},
	}
	for _, tt := range tests {
		t.Run(tt.region, func(t *testing.T) {
			svc, client := newRegionClient(t, Options{}, tt.region)
			_, err := client.Publish(context.Background(), &sns.PublishInput{PhoneNumber: aws.String("+821012345678"), Message: aws.String("hi")})
			if got := apiCode(err); got != tt.want {
				t.Fatalf("err %q, want %q", got, tt.want)
			}
			if msgs := svc.Messages(); tt.want == "" && (len(msgs) != 1 || msgs[0].Region != tt.region || msgs[0].Parts != 1) {
				t.Errorf("outbox %+v", msgs)
			} else if tt.want != "" && len(msgs) != 0 {
				t.Errorf("refused SMS reached the outbox: %+v", msgs)
			}
		})
	}
}

func TestTestNumbers(t *testing.T) {
	svc, client := newRegionClient(t, Options{}, "us-east-1")
	ctx := context.Background()
	for phone, want := range map[string]bool{OptedOutNumber: true, "+821012345678": false} {
		out, err := client.CheckIfPhoneNumberIsOptedOut(ctx, &sns.CheckIfPhoneNumberIsOptedOutInput{PhoneNumber: aws.String(phone)})
		if err != nil || out.IsOptedOut != want {
			t.Errorf("%s opted out = %v (%v), want %v", phone, out, err, want)
		}
	}
	// An opted-out number: accepted, delivered to no one.
	if _, err := client.Publish(ctx, &sns.PublishInput{PhoneNumber: aws.String(OptedOutNumber), Message: aws.String("hi")}); err != nil {
		t.Fatal(err)
	}
	if msgs := svc.Messages(); len(msgs) != 1 || msgs[0].Suppressed != "opted out" {
		t.Errorf("outbox %+v", msgs)
	}
	_, err := client.Publish(ctx, &sns.PublishInput{PhoneNumber: aws.String(InvalidNumber), Message: aws.String("hi")})
	if got := apiCode(err); !strings.HasPrefix(got, "InvalidParameter: ") || !strings.Contains(got, "is not valid to publish to") {
		t.Errorf("invalid number: %q", got)
	}
}

// Message parts beyond the SMS rate answer ThrottlingException; the bucket refills at the rate, in AWS time.
func TestSMSRate(t *testing.T) {
	clock := awsclock.New(1)
	svc, client := newRegionClient(t, Options{SMSPartsPerSecond: 2, Clock: clock}, "us-east-1")
	ctx := context.Background()
	publish := func(text string) string {
		_, err := client.Publish(ctx, &sns.PublishInput{PhoneNumber: aws.String("+821012345678"), Message: aws.String(text)})
		return apiCode(err)
	}
	if got := publish("one"); got != "" {
		t.Fatal(got)
	}
	if got := publish("two"); got != "" {
		t.Fatal(got)
	}
	if got := publish("three"); got != "ThrottlingException: Rate exceeded" {
		t.Fatalf("third part within a second: %q", got)
	}
	if svc.Throttled() != 1 || len(svc.Messages()) != 2 {
		t.Errorf("throttled %d, outbox %d", svc.Throttled(), len(svc.Messages()))
	}
	svc.SetSMSRate(0)
	for range 10 {
		if got := publish(strings.Repeat("가", 200)); got != "" {
			t.Fatalf("unlimited: %q", got)
		}
	}
	if msgs := svc.Messages(); msgs[len(msgs)-1].Parts != 3 {
		t.Errorf("200 Hangul characters are %d parts, want 3", msgs[len(msgs)-1].Parts)
	}
}
