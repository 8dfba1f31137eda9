package sqsemu

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an SQS API error. Type is the JSON protocol's error shape (sent as
// "__type": "com.amazonaws.sqs#<Type>"), Code the query-compatible code AWS sends in the
// x-amzn-query-error header as "<Code>;Sender" ("Interpreting Amazon SQS JSON API responses").
// Go API methods return it wrapped; use errors.As to inspect it.
type Error struct {
	Type    string
	Code    string
	Message string
	Status  int
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// IsQueueDoesNotExist reports whether err is the QueueDoesNotExist error.
func IsQueueDoesNotExist(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Type == "QueueDoesNotExist"
}

func newErr(typ, code, format string, args ...any) *Error {
	return &Error{Type: typ, Code: code, Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest}
}

// The codes below are the AWSQueryError traits of the SQS Smithy model (aws-sdk-go-v2/service/sqs
// schemas); unmodelled errors (InvalidParameterValue, MissingParameter) use the query code as both.
func errNoQueue(ref string) *Error {
	return newErr("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
}

func errQueueExists(name string) *Error {
	return newErr("QueueNameExists", "QueueAlreadyExists", "A queue already exists with the same name and a different value for attribute(s)")
}

func errInvalidParameter(param, value, reason string) *Error {
	return newErr("InvalidParameterValueException", "InvalidParameterValue", "Value %s for parameter %s is invalid. Reason: %s", value, param, reason)
}

func errMissingParameter(param string) *Error {
	return newErr("MissingRequiredParameterException", "MissingParameter", "The request must contain the parameter %s.", param)
}

func errInvalidAttributeName(name string) *Error {
	return newErr("InvalidAttributeName", "InvalidAttributeName", "Unknown Attribute %s.", name)
}

func errInvalidAttributeValue(name string) *Error {
	return newErr("InvalidAttributeValue", "InvalidAttributeValue", "Invalid value for the parameter %s.", name)
}

func errInvalidMessageContents() *Error {
	return newErr("InvalidMessageContents", "InvalidMessageContents", "Invalid binary character in the message body or attributes.")
}

func errInvalidHandle(handle string) *Error {
	return newErr("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", "The input receipt handle %q is not a valid receipt handle.", handle)
}

func errNotInflight() *Error {
	return newErr("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", "The message referred to isn't in flight.")
}

func errPurgeInProgress(name string) *Error {
	return newErr("PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress", "Only one PurgeQueue operation on %s is allowed every 60 seconds.", name)
}

func errUnsupported(msg string) *Error {
	return newErr("UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", "%s", msg)
}

func errEmptyBatch() *Error {
	return newErr("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one entry in the request.")
}

func errTooManyEntries(n int) *Error {
	return newErr("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent %d.", n)
}

func errDistinctIDs() *Error {
	return newErr("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id values in the batch request must be distinct.")
}

func errInvalidBatchID(id string) *Error {
	return newErr("InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long: %q", id)
}

func errBatchTooLong(size int) *Error {
	return newErr("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong", "Batch requests cannot be longer than %d bytes. You have sent %d bytes.", MaxMessageSize, size)
}

func errResourceNotFound(msg string) *Error {
	return newErr("ResourceNotFoundException", "ResourceNotFoundException", "%s", msg)
}

func errUnknownOperation(op string) *Error {
	return newErr("InvalidAction", "InvalidAction", "The action %s is not valid for this endpoint.", op)
}
