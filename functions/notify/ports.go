package main

import (
	"context"
	"errors"
)

// SMS sends one text message to a phone number in E.164 form. Its errors are classified: ErrThrottled
// (over the account's SMS rate: send later), *PermanentError (this number can never be texted: do not
// retry), anything else transient (retry later).
type SMS interface {
	Send(ctx context.Context, phone, text string) error
}

// ErrThrottled is an SMS send refused for the account's rate of message parts per second.
var ErrThrottled = errors.New("sms throttled")

// PermanentError is an SMS send that can never succeed: an invalid or opted-out number.
type PermanentError struct{ Reason string }

func (e *PermanentError) Error() string { return "sms refused for good: " + e.Reason }

// Queue is the SMS queue between the stream consumer, which decides what to say, and the sender.
type Queue interface {
	// Enqueue asks the sender to announce a booking's pending statuses after delay.
	Enqueue(ctx context.Context, orderID string, delay int32) error
	// Retry makes a received message visible again after delay seconds.
	Retry(ctx context.Context, receiptHandle string, delay int32) error
}
