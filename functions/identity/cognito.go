package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// AdminAPI is the part of the Cognito user pools client the adapter uses.
type AdminAPI interface {
	AdminAddUserToGroup(ctx context.Context, in *cognitoidentityprovider.AdminAddUserToGroupInput, opts ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.AdminAddUserToGroupOutput, error)
}

// Adapter is Port on the Cognito admin API.
type Adapter struct{ client AdminAPI }

var _ Port = (*Adapter)(nil)

// NewAdapter returns a Port backed by client.
func NewAdapter(client AdminAPI) *Adapter { return &Adapter{client: client} }

// AddUserToGroup implements Port with AdminAddUserToGroup.
func (a *Adapter) AddUserToGroup(ctx context.Context, userPoolID, username, group string) error {
	_, err := a.client.AdminAddUserToGroup(ctx, &cognitoidentityprovider.AdminAddUserToGroupInput{
		UserPoolId: aws.String(userPoolID),
		Username:   aws.String(username),
		GroupName:  aws.String(group),
	})
	if err != nil {
		return fmt.Errorf("cognito AdminAddUserToGroup %s to %s: %w", username, group, err)
	}
	return nil
}
