package main

import "context"

// Port puts a user of a user pool in a group. Adding a user to a group they are already in succeeds.
type Port interface {
	AddUserToGroup(ctx context.Context, userPoolID, username, group string) error
}
