package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/auth"
)

// Trigger sources of the PostConfirmation trigger (Cognito developer guide, "Post confirmation Lambda
// trigger"): the same trigger runs after a sign-up and after a forgotten password is reset.
const (
	confirmSignUp         = "PostConfirmation_ConfirmSignUp"
	confirmForgotPassword = "PostConfirmation_ConfirmForgotPassword"
)

// GroupsOnConfirmation is the rule: a confirmed sign-up is a customer; nothing else changes a user's groups.
func GroupsOnConfirmation(triggerSource string) []string {
	if triggerSource == confirmSignUp {
		return []string{auth.RoleCustomer}
	}
	return nil
}

// Handler serves the PostConfirmation trigger.
type Handler struct {
	groups Port
	log    *slog.Logger
}

// NewHandler returns a handler that adds users to groups through groups.
func NewHandler(groups Port, log *slog.Logger) *Handler {
	return &Handler{groups: groups, log: log}
}

// PostConfirmation adds the user to the groups the rule gives them and hands the event back, as Cognito
// expects. An error fails the confirmation call the user made, so the failure is seen rather than leaving
// a confirmed user with no role; adding a user to a group is idempotent, so a repeat is harmless.
func (h *Handler) PostConfirmation(ctx context.Context, ev events.CognitoEventUserPoolsPostConfirmation) (events.CognitoEventUserPoolsPostConfirmation, error) {
	for _, group := range GroupsOnConfirmation(ev.TriggerSource) {
		if err := h.groups.AddUserToGroup(ctx, ev.UserPoolID, ev.UserName, group); err != nil {
			h.log.ErrorContext(ctx, "add user to group", "userPoolId", ev.UserPoolID, "userName", ev.UserName, "group", group, "error", err.Error())
			return ev, fmt.Errorf("post confirmation %s: %w", ev.TriggerSource, err)
		}
		h.log.InfoContext(ctx, "user added to group", "userPoolId", ev.UserPoolID, "userName", ev.UserName, "group", group)
	}
	return ev, nil
}
