package main

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/calltaxi/call-taxi/shared/runtimeconfig"
	"github.com/calltaxi/call-taxi/shared/runtimeconfig/ssmtest"
)

const senderIDParameter = "/test/sms-sender-id"

// Each text carries the sender ID its parameter holds when it is sent; a value SNS would refuse keeps
// the last good one, and no value at all is a transient failure (the message is retried, not dropped).
func TestSNSSenderUsesTheCurrentSenderID(t *testing.T) {
	tests := []struct {
		put  string // "" = unchanged
		want string
	}{
		{"", "CallTaxi"},
		{"Taxi24", "Taxi24"},
		{"no spaces!", "Taxi24"},
		{"12345", "Taxi24"},
		{"KTaxi", "KTaxi"},
	}
	store := &ssmtest.Store{}
	store.Put(senderIDParameter, "CallTaxi")
	pub := &capturePublisher{}
	s := NewSNSSender(pub, NewSenderIDParameter(runtimeconfig.New(store, 0, slog.New(slog.DiscardHandler)), senderIDParameter))
	for i, tt := range tests {
		if tt.put != "" {
			store.Put(senderIDParameter, tt.put)
		}
		if err := s.Send(context.Background(), "+821012345678", "hello"); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		if got := aws.ToString(pub.in.MessageAttributes["AWS.SNS.SMS.SenderID"].StringValue); got != tt.want {
			t.Errorf("send %d: sender ID %q, want %q", i, got, tt.want)
		}
	}
}

func TestSNSSenderWithoutASenderIDIsTransient(t *testing.T) {
	store := &ssmtest.Store{}
	store.Fail(errors.New("ThrottlingException: Rate exceeded"))
	pub := &capturePublisher{}
	err := NewSNSSender(pub, NewSenderIDParameter(runtimeconfig.New(store, 0, slog.New(slog.DiscardHandler)), senderIDParameter)).
		Send(context.Background(), "+821012345678", "hello")
	var perm *PermanentError
	if err == nil || errors.As(err, &perm) || errors.Is(err, ErrThrottled) || pub.in != nil {
		t.Errorf("err = %v (published %v), want a transient error and nothing published", err, pub.in != nil)
	}
}

// senderIDRule is SNS's sender ID rule as a regular expression; lettersAndDigits must agree with it.
var senderIDRule = regexp.MustCompile(`^[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*$`)

func TestLettersAndDigitsIsTheSenderIDRule(t *testing.T) {
	for _, s := range []string{"", "a", "1", "Taxi24", "12345", "no spaces!", "KTaxi", "taxi\n", "Ta-xi", "Taxi\x00", "택시24", "Z9", "9z", "_ab", "ab_"} {
		if got, want := lettersAndDigits(s), senderIDRule.MatchString(s); got != want {
			t.Errorf("lettersAndDigits(%q) = %v, the rule says %v", s, got, want)
		}
	}
}

func FuzzLettersAndDigits(f *testing.F) {
	f.Add("Taxi24")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := lettersAndDigits(s), senderIDRule.MatchString(s); got != want {
			t.Fatalf("lettersAndDigits(%q) = %v, the rule says %v", s, got, want)
		}
	})
}
