package cognitoemu

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

const poolID = "ap-northeast-2_local"

// client is the real SDK client, pointed at the emulator as AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER does.
func client(t *testing.T, s *Service) *cip.Client {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return cip.New(cip.Options{
		Region:       "ap-northeast-2",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
}

func groupNames(out *cip.AdminListGroupsForUserOutput) []string {
	var names []string
	for _, g := range out.Groups {
		names = append(names, aws.ToString(g.GroupName))
	}
	return names
}

func TestAdminOperationsThroughTheSDK(t *testing.T) {
	ctx := context.Background()
	s := New(nil)
	s.CreatePool(poolID, []string{"customers", "managers", "drivers"})
	c := client(t, s)

	created, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(poolID), Username: aws.String("lee@example.com"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email_verified"), Value: aws.String("true")}},
	})
	if err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	sub := aws.ToString(created.User.Username)
	if sub == "" || sub == "lee@example.com" || created.User.UserStatus != types.UserStatusTypeForceChangePassword {
		t.Fatalf("created user = %+v, want a sub username in FORCE_CHANGE_PASSWORD", created.User)
	}

	cases := []struct {
		name, username, group string
		wantErr               any
	}{
		{"by the email alias", "lee@example.com", "managers", nil},
		{"by the sub", sub, "drivers", nil},
		{"again", sub, "managers", nil},
		{"an unknown group", sub, "admins", new(*types.ResourceNotFoundException)},
		{"an unknown user", "kim@example.com", "managers", new(*types.UserNotFoundException)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{
				UserPoolId: aws.String(poolID), Username: aws.String(tc.username), GroupName: aws.String(tc.group)})
			switch want := tc.wantErr.(type) {
			case nil:
				if err != nil {
					t.Fatalf("AdminAddUserToGroup: %v", err)
				}
			case **types.ResourceNotFoundException:
				if !errors.As(err, want) {
					t.Fatalf("err = %v, want ResourceNotFoundException", err)
				}
			case **types.UserNotFoundException:
				if !errors.As(err, want) {
					t.Fatalf("err = %v, want UserNotFoundException", err)
				}
			}
		})
	}

	groups, err := c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(poolID), Username: aws.String("lee@example.com")})
	if err != nil {
		t.Fatalf("AdminListGroupsForUser: %v", err)
	}
	if got := groupNames(groups); !slices.Equal(got, []string{"drivers", "managers"}) {
		t.Errorf("groups = %v, want [drivers managers]", got)
	}

	_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(poolID), Username: aws.String("LEE@example.com")})
	var exists *types.UsernameExistsException
	if !errors.As(err, &exists) {
		t.Errorf("a second user with the same email: err = %v, want UsernameExistsException", err)
	}
	_, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String("ap-northeast-2_other"), Username: aws.String(sub)})
	var noPool *types.ResourceNotFoundException
	if !errors.As(err, &noPool) {
		t.Errorf("an unknown pool: err = %v, want ResourceNotFoundException", err)
	}
}

func TestSignUpIsConfirmedWithoutGroups(t *testing.T) {
	s := New(nil)
	s.CreatePool(poolID, []string{"customers"})
	u, err := s.SignUp(poolID, "kim@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if u.Status != "CONFIRMED" || u.Attributes["sub"] != u.Username || u.Attributes["email_verified"] != "true" || len(u.Groups) != 0 {
		t.Errorf("signed-up user = %+v", u)
	}
	cases := []struct {
		name, email string
		wantType    string
	}{
		{"the same email again", "kim@example.com", "UsernameExistsException"},
		{"not an email", "kim", "InvalidParameterException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.SignUp(poolID, c.email)
			var e *Error
			if !errors.As(err, &e) || e.Type != c.wantType {
				t.Errorf("err = %v, want %s", err, c.wantType)
			}
		})
	}
}

func TestUnknownOperation(t *testing.T) {
	s := New(nil)
	s.CreatePool(poolID, nil)
	_, err := client(t, s).ListUsers(context.Background(), &cip.ListUsersInput{UserPoolId: aws.String(poolID)})
	if err == nil {
		t.Fatal("ListUsers answered, but is not emulated")
	}
}
