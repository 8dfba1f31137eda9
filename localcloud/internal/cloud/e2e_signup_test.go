package cloud_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// tokenGroups reads cognito:groups from a token's payload (the signature is the authorizer's business).
func tokenGroups(t *testing.T, token string) []string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		Groups []string `json:"cognito:groups"`
	}
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	return claims.Groups
}

// A stranger signs up on the local cloud: the user pool runs IdentityFunction, the real PostConfirmation
// trigger, which puts them in customers through the local Cognito endpoint; their token books a taxi.
func TestSignUpMakesACustomerWhoCanBook(t *testing.T) {
	t.Parallel()
	c := startCloud(t, nil)

	signUp := call(t, c, "POST", "/_local/signup", map[string]any{"email": "kim@example.com"})
	if signUp.Status != 201 {
		t.Fatalf("sign-up: %d %s", signUp.Status, signUp.RawBody)
	}
	token := signUp.str("token")
	if got := tokenGroups(t, token); !slices.Equal(got, []string{"customers"}) {
		t.Fatalf("token groups = %v, want [customers] (%s)", got, signUp.RawBody)
	}
	customer := &user{t: t, c: c, sub: signUp.str("sub"), token: token}
	if r := customer.do("POST", "/orders", orderBody("basic", goodCard)); r.Status != 201 {
		t.Fatalf("POST /orders as the new customer: %d %s", r.Status, r.RawBody)
	}

	cases := []struct {
		name   string
		body   any
		status int
	}{
		{"the same email again", map[string]any{"email": "kim@example.com"}, 409},
		{"not an email", map[string]any{"email": "kim"}, 400},
		{"an unknown field", map[string]any{"email": "lee@example.com", "groups": []string{"managers"}}, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if r := call(t, c, "POST", "/_local/signup", tc.body); r.Status != tc.status {
				t.Errorf("status = %d, want %d: %s", r.Status, tc.status, r.RawBody)
			}
		})
	}

	t.Run("a failing trigger fails the sign-up", func(t *testing.T) {
		name, ok := c.FunctionName("IdentityFunction")
		if !ok {
			t.Fatal("IdentityFunction is not deployed")
		}
		if err := c.Lambda.Fail(name); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = c.Lambda.Start(name) }()
		r := call(t, c, "POST", "/_local/signup", map[string]any{"email": "park@example.com"})
		if r.Status != 502 || !strings.Contains(r.RawBody, "PostConfirmation failed") {
			t.Errorf("sign-up with a broken trigger: %d %s, want 502 PostConfirmation failed", r.Status, r.RawBody)
		}
	})
}

// make add-user's calls (admin-create-user, admin-add-user-to-group) reach the local pool through the
// services endpoint, as the AWS CLI and SDKs do with AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER.
func TestAdminAddsAManagerThroughTheCognitoAPI(t *testing.T) {
	t.Parallel()
	c := startCloud(t, nil)
	ctx := context.Background()
	client := cip.New(cip.Options{Region: "us-east-1", BaseEndpoint: aws.String(c.ServicesURL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	pool := c.Template.UserPools["UserPool"]
	if pool == nil {
		t.Fatal("the template's UserPool is not emulated")
	}
	created, err := client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool.ID), Username: aws.String("boss@example.com")})
	if err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	if _, err := client.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(pool.ID),
		Username: aws.String("boss@example.com"), GroupName: aws.String("managers")}); err != nil {
		t.Fatalf("AdminAddUserToGroup: %v", err)
	}
	out, err := client.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(pool.ID), Username: created.User.Username})
	if err != nil {
		t.Fatalf("AdminListGroupsForUser: %v", err)
	}
	if len(out.Groups) != 1 || aws.ToString(out.Groups[0].GroupName) != "managers" {
		t.Errorf("groups = %+v, want managers only", out.Groups)
	}
}

// scripts/add-user.sh (make add-user) against the local pool: the same AWS CLI calls it makes on AWS.
func TestAddUserScriptMakesAManager(t *testing.T) {
	t.Parallel()
	awsCLI(t)
	c := startCloud(t, nil)
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, run := range []string{"creates", "is idempotent"} {
		cmd := exec.Command("bash", filepath.Join(root, "scripts", "add-user.sh"), "boss@example.com", "managers", "local")
		cmd.Env = append(os.Environ(), "ENDPOINT="+c.ServicesURL, "USER_POOL_ID="+c.Template.UserPools["UserPool"].ID,
			"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("add-user.sh (%s): %v\n%s", run, err, out)
		}
	}
	u, err := c.Cognito.GetUser(c.Template.UserPools["UserPool"].ID, "boss@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(u.Groups, []string{"managers"}) || u.Status != "FORCE_CHANGE_PASSWORD" {
		t.Errorf("boss@example.com = %+v, want a managers user who sets a password at first sign-in", u)
	}
}
