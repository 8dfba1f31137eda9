package cloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/localcloud/internal/cognitoemu"
	"github.com/calltaxi/call-taxi/localcloud/internal/lambdaemu"
	"github.com/calltaxi/call-taxi/localcloud/internal/samtemplate"
)

// SignUpResult is a local sign-up: the new user and a token with the groups the pool holds for them once
// the triggers ran.
type SignUpResult struct {
	Sub    string   `json:"sub"`
	Email  string   `json:"email"`
	Groups []string `json:"groups"`
	Token  string   `json:"token"`
}

// SignUpError is a sign-up the pool or its trigger refused; Status is the HTTP status to answer.
type SignUpError struct {
	Status int
	Err    error
}

func (e *SignUpError) Error() string { return e.Err.Error() }
func (e *SignUpError) Unwrap() error { return e.Err }

// SignUp does locally what a sign-up and its confirmation do on AWS: the pool gets a confirmed user, then
// invokes its PostConfirmation trigger with a PostConfirmation_ConfirmSignUp event. As on AWS, a failing
// trigger fails the call but leaves the user confirmed.
func (c *Cloud) SignUp(ctx context.Context, email string) (*SignUpResult, error) {
	pool, err := c.signUpPool()
	if err != nil {
		return nil, &SignUpError{Status: http.StatusNotFound, Err: err}
	}
	user, err := c.Cognito.SignUp(pool.ID, strings.TrimSpace(email))
	if err != nil {
		status := http.StatusBadRequest
		var ce *cognitoemu.Error
		if errors.As(err, &ce) && ce.Type == "UsernameExistsException" {
			status = http.StatusConflict
		}
		return nil, &SignUpError{Status: status, Err: err}
	}
	if fn := pool.Triggers["PostConfirmation"]; fn != "" {
		if err := c.invokePostConfirmation(ctx, pool, fn, user); err != nil {
			return nil, &SignUpError{Status: http.StatusBadGateway, Err: err}
		}
	}
	user, err = c.Cognito.GetUser(pool.ID, user.Username)
	if err != nil {
		return nil, fmt.Errorf("read signed-up user: %w", err)
	}
	token, err := c.MintToken(user.Username, user.Groups, 0)
	if err != nil {
		return nil, err
	}
	groups := user.Groups
	if groups == nil {
		groups = []string{}
	}
	return &SignUpResult{Sub: user.Username, Email: user.Attributes["email"], Groups: groups, Token: token}, nil
}

// signUpPool is the pool whose tokens the API accepts: the one its default authorizer's issuer names, or
// the template's only pool.
func (c *Cloud) signUpPool() (*samtemplate.UserPool, error) {
	var only *samtemplate.UserPool
	for _, pool := range c.Template.UserPools {
		if c.authorizer != nil && strings.HasSuffix(c.authorizer.Issuer, "/"+pool.ID) {
			return pool, nil
		}
		if only != nil {
			return nil, errors.New("the template has several user pools and the API's issuer names none of them")
		}
		only = pool
	}
	if only == nil {
		return nil, errors.New("the template has no user pool")
	}
	return only, nil
}

// invokePostConfirmation sends the trigger the event Cognito sends (Cognito developer guide, "Post
// confirmation Lambda trigger"), synchronously, as Cognito waits for its answer.
func (c *Cloud) invokePostConfirmation(ctx context.Context, pool *samtemplate.UserPool, function string, user cognitoemu.User) error {
	ev := events.CognitoEventUserPoolsPostConfirmation{
		CognitoEventUserPoolsHeader: events.CognitoEventUserPoolsHeader{
			Version: "1", TriggerSource: "PostConfirmation_ConfirmSignUp", Region: region,
			UserPoolID: pool.ID, UserName: user.Username,
			CallerContext: events.CognitoEventUserPoolsCallerContext{AWSSDKVersion: "aws-sdk-unknown-unknown", ClientID: c.clientID()},
		},
		Request: events.CognitoEventUserPoolsPostConfirmationRequest{UserAttributes: map[string]string{}},
	}
	for k, v := range user.Attributes {
		ev.Request.UserAttributes[k] = v
	}
	ev.Request.UserAttributes["cognito:user_status"] = user.Status
	payload, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode PostConfirmation event: %w", err)
	}
	// Cognito gives a trigger 5 seconds.
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := c.Lambda.Invoke(ctx, function, payload); err != nil {
		var fe *lambdaemu.FunctionError
		if errors.As(err, &fe) {
			return fmt.Errorf("PostConfirmation failed with error %s", fe.Message)
		}
		return fmt.Errorf("PostConfirmation invocation failed due to error %w", err)
	}
	return nil
}

func (c *Cloud) clientID() string {
	if c.authorizer != nil && len(c.authorizer.Audiences) > 0 {
		return c.authorizer.Audiences[0]
	}
	return ""
}

type signUpRequest struct {
	Email string `json:"email"`
}

func (c *Cloud) signUp(w http.ResponseWriter, r *http.Request) {
	var req signUpRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, `body must be {"email": "..."}: `+err.Error())
		return
	}
	res, err := c.SignUp(r.Context(), req.Email)
	if err != nil {
		status := http.StatusInternalServerError
		var se *SignUpError
		if errors.As(err, &se) {
			status = se.Status
		}
		writeError(w, status, err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, res)
}
