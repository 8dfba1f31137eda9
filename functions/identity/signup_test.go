package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

type addCall struct{ pool, user, group string }

type fakePort struct {
	calls []addCall
	err   error
}

func (f *fakePort) AddUserToGroup(_ context.Context, pool, user, group string) error {
	f.calls = append(f.calls, addCall{pool, user, group})
	return f.err
}

// postConfirmation is an event in the shape Cognito sends (developer guide, "Post confirmation Lambda
// trigger"); with an email username pool, userName is the user's sub.
func postConfirmation(triggerSource string) []byte {
	return []byte(`{
  "version": "1",
  "region": "ap-northeast-2",
  "userPoolId": "ap-northeast-2_AbCdEf123",
  "userName": "3c1f8f0e-5b7a-4f43-9d55-0d1f0f3a9b21",
  "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "1example23456789"},
  "triggerSource": "` + triggerSource + `",
  "request": {"userAttributes": {
    "sub": "3c1f8f0e-5b7a-4f43-9d55-0d1f0f3a9b21", "email": "kim@example.com",
    "email_verified": "true", "cognito:user_status": "CONFIRMED"}},
  "response": {}
}`)
}

func TestPostConfirmation(t *testing.T) {
	const pool, user = "ap-northeast-2_AbCdEf123", "3c1f8f0e-5b7a-4f43-9d55-0d1f0f3a9b21"
	cases := []struct {
		name      string
		trigger   string
		portErr   error
		wantCalls []addCall
		wantErr   bool
	}{
		{"a confirmed sign-up is a customer", confirmSignUp, nil, []addCall{{pool, user, "customers"}}, false},
		{"a password reset changes no group", confirmForgotPassword, nil, nil, false},
		{"an unknown trigger source changes no group", "PostConfirmation_Something", nil, nil, false},
		{"a failed add fails the confirmation", confirmSignUp, errors.New("throttled"), []addCall{{pool, user, "customers"}}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			port := &fakePort{err: c.portErr}
			var logs bytes.Buffer
			h := NewHandler(port, slog.New(slog.NewJSONHandler(&logs, nil)))
			// Invoke through the Lambda runtime's own JSON handling, as Cognito's call arrives.
			out, err := lambda.NewHandler(h.PostConfirmation).Invoke(context.Background(), postConfirmation(c.trigger))
			if (err != nil) != c.wantErr {
				t.Fatalf("err = %v, want error %v", err, c.wantErr)
			}
			if !reflect.DeepEqual(port.calls, c.wantCalls) {
				t.Errorf("calls = %+v, want %+v", port.calls, c.wantCalls)
			}
			if c.wantErr {
				if !errors.Is(err, c.portErr) && !strings.Contains(err.Error(), c.portErr.Error()) {
					t.Errorf("error %v does not carry %v", err, c.portErr)
				}
				return
			}
			// Cognito expects its event back.
			var back events.CognitoEventUserPoolsPostConfirmation
			if err := json.Unmarshal(out, &back); err != nil {
				t.Fatalf("answer is not the event: %v: %s", err, out)
			}
			if back.TriggerSource != c.trigger || back.UserName != user || back.UserPoolID != pool {
				t.Errorf("answer %+v is not the event received", back.CognitoEventUserPoolsHeader)
			}
		})
	}
}

func TestPostConfirmationWrapsThePortError(t *testing.T) {
	cause := errors.New("AccessDeniedException")
	h := NewHandler(&fakePort{err: cause}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var ev events.CognitoEventUserPoolsPostConfirmation
	if err := json.Unmarshal(postConfirmation(confirmSignUp), &ev); err != nil {
		t.Fatal(err)
	}
	if _, err := h.PostConfirmation(context.Background(), ev); !errors.Is(err, cause) {
		t.Errorf("err = %v, want it to wrap %v", err, cause)
	}
}

func TestGroupsOnConfirmation(t *testing.T) {
	cases := []struct {
		trigger string
		want    []string
	}{
		{confirmSignUp, []string{"customers"}},
		{confirmForgotPassword, nil},
		{"", nil},
	}
	for _, c := range cases {
		if got := GroupsOnConfirmation(c.trigger); !reflect.DeepEqual(got, c.want) {
			t.Errorf("GroupsOnConfirmation(%q) = %v, want %v", c.trigger, got, c.want)
		}
	}
}
