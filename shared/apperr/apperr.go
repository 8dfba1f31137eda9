// Package apperr names the kinds of failure a use case can end in. Domain code returns these; the HTTP
// layer (shared/httpapi) maps each kind to one status code in one place.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Kind is the category of a failure.
type Kind int

const (
	KindInternal Kind = iota
	KindValidation
	KindUnauthorized
	KindDeclined // a party the request depends on declined it (a card issuer, say): final, not retried
	KindForbidden
	KindNotFound
	KindConflict
	KindTooLarge
	KindBusy        // a dependency is throttled: retry shortly
	KindUnavailable // a dependency failed or timed out: retry shortly
)

// Error is a failure a client may be told about.
type Error struct {
	Kind       Kind
	Code       string // machine-readable, e.g. VALIDATION_FAILED; a context may name its own
	Message    string // safe to show to the client
	Field      string // the offending input field, for validation errors
	RetryAfter time.Duration
	Err        error // the cause, logged but never shown
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// KindOf returns the kind of err; errors that are not *Error are internal.
func KindOf(err error) Kind {
	if e, ok := As(err); ok {
		return e.Kind
	}
	return KindInternal
}

// Invalid reports bad input in one field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Kind: KindValidation, Code: "VALIDATION_FAILED", Field: field, Message: field + ": " + fmt.Sprintf(format, args...)}
}

// BadRequest reports input that is not even well-formed.
func BadRequest(format string, args ...any) *Error {
	return &Error{Kind: KindValidation, Code: "VALIDATION_FAILED", Message: fmt.Sprintf(format, args...)}
}

func Unauthorized(msg string) *Error {
	return &Error{Kind: KindUnauthorized, Code: "UNAUTHORIZED", Message: msg}
}

func Forbidden(msg string) *Error {
	return &Error{Kind: KindForbidden, Code: "FORBIDDEN", Message: msg}
}

func NotFound(what, id string) *Error {
	return &Error{Kind: KindNotFound, Code: "NOT_FOUND", Message: fmt.Sprintf("%s %q not found", what, id)}
}

func Conflict(format string, args ...any) *Error {
	return &Error{Kind: KindConflict, Code: "CONFLICT", Message: fmt.Sprintf(format, args...)}
}

func TooLarge(limit int) *Error {
	return &Error{Kind: KindTooLarge, Code: "PAYLOAD_TOO_LARGE", Message: fmt.Sprintf("request body exceeds %d bytes", limit)}
}

// Declined means a party the request depends on declined it; field names the input it declined, if any.
func Declined(code, field, message string) *Error {
	return &Error{Kind: KindDeclined, Code: code, Field: field, Message: message}
}

// Busy means a dependency refused the call because it is at capacity.
func Busy(code, message string, retryAfter time.Duration, cause error) *Error {
	return &Error{Kind: KindBusy, Code: code, Message: message, RetryAfter: retryAfter, Err: cause}
}

// TryAgain means this service could not finish the request (its event bus or table failed); the request
// is safe to repeat as it was.
func TryAgain(message string, retryAfter time.Duration, cause error) *Error {
	return &Error{Kind: KindUnavailable, Code: "SERVICE_UNAVAILABLE", Message: message, RetryAfter: retryAfter, Err: cause}
}

// Unavailable means a dependency failed or timed out; the request did not complete and may be retried.
func Unavailable(code, message string, retryAfter time.Duration, cause error) *Error {
	return &Error{Kind: KindUnavailable, Code: code, Message: message, RetryAfter: retryAfter, Err: cause}
}
