package main

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

type fakeAdmin struct {
	in  *cognitoidentityprovider.AdminAddUserToGroupInput
	err error
}

func (f *fakeAdmin) AdminAddUserToGroup(_ context.Context, in *cognitoidentityprovider.AdminAddUserToGroupInput, _ ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.AdminAddUserToGroupOutput, error) {
	f.in = in
	return &cognitoidentityprovider.AdminAddUserToGroupOutput{}, f.err
}

func TestAdapterAddUserToGroup(t *testing.T) {
	notFound := &types.UserNotFoundException{Message: aws.String("User does not exist.")}
	cases := []struct {
		name    string
		err     error
		wantErr error
	}{
		{"added", nil, nil},
		{"cognito refuses", notFound, notFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			admin := &fakeAdmin{err: c.err}
			err := NewAdapter(admin).AddUserToGroup(context.Background(), "pool-1", "user-1", "customers")
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("err = %v, want %v", err, c.wantErr)
			}
			var nf *types.UserNotFoundException
			if c.wantErr != nil && !errors.As(err, &nf) {
				t.Errorf("the Cognito error type is lost: %v", err)
			}
			if got := [3]string{aws.ToString(admin.in.UserPoolId), aws.ToString(admin.in.Username), aws.ToString(admin.in.GroupName)}; got != [3]string{"pool-1", "user-1", "customers"} {
				t.Errorf("AdminAddUserToGroup input = %v", got)
			}
		})
	}
}
