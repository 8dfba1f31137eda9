package lambdaemu

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ErrFunctionNotFound is returned for a function name that was never registered.
var ErrFunctionNotFound = errors.New("function not found")

// ErrClosed is returned once Close has been called.
var ErrClosed = errors.New("lambda service is closed")

// Throttle reasons, as in the Reason field of Lambda's TooManyRequestsException.
const (
	ReasonReservedConcurrency = "ReservedFunctionConcurrentInvocationLimitExceeded"
	ReasonAccountConcurrency  = "ConcurrentInvocationLimitExceeded"
)

// ThrottleError means the invoke was refused because the concurrency limit was reached.
// Nothing ran; Lambda does not queue synchronous invokes.
type ThrottleError struct{ Reason string }

func (e *ThrottleError) Error() string { return "Rate Exceeded. (" + e.Reason + ")" }

// FunctionError is an invocation that ran and failed: an error returned by the handler, a panic,
// a timeout ("Sandbox.Timedout"), a crash ("Runtime.ExitError") or an init failure.
// Payload is the JSON the Invoke API returns as the body, {"errorType","errorMessage",...}.
type FunctionError struct {
	Type    string
	Message string
	Payload []byte
}

func (e *FunctionError) Error() string {
	return fmt.Sprintf("function error %s: %s", e.Type, e.Message)
}

func newFunctionError(errorType, message string) *FunctionError {
	payload, _ := json.Marshal(struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}{errorType, message}) // plain strings: cannot fail
	return &FunctionError{Type: errorType, Message: message, Payload: payload}
}
