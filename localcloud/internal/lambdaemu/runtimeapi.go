package lambdaemu

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// Sizes and headers of the Lambda Runtime API (2018-06-01), as aws-lambda-go's client uses them.
const (
	maxResponsePayload = 6 * 1024 * 1024 // synchronous response limit

	headerRequestID     = "Lambda-Runtime-Aws-Request-Id"
	headerDeadline      = "Lambda-Runtime-Deadline-Ms"
	headerFunctionARN   = "Lambda-Runtime-Invoked-Function-Arn"
	headerTraceID       = "Lambda-Runtime-Trace-Id"
	headerErrorType     = "Lambda-Runtime-Function-Error-Type"
	trailerErrorBody    = "Lambda-Runtime-Function-Error-Body"
	headerExtensionID   = "Lambda-Extension-Identifier"
	defaultRuntimeError = "Runtime.Unknown"
)

func (env *environment) runtimeAPI() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", env.handleNext)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", env.handleResponse)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", env.handleError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", env.handleInitError)
	// aws-lambda-go registers an internal extension when SIGTERM handlers are enabled.
	mux.HandleFunc("POST /2020-01-01/extension/register", env.handleExtensionRegister)
	mux.HandleFunc("GET /2020-01-01/extension/event/next", env.handleExtensionNext)
	return mux
}

// handleNext blocks until an invocation is handed to this environment. The first call ends the
// cold start.
func (env *environment) handleNext(w http.ResponseWriter, r *http.Request) {
	env.markReady()
	select {
	case inv := <-env.pending:
		env.mu.Lock()
		env.current = inv
		env.mu.Unlock()
		inv.delivered.Store(true)
		h := w.Header()
		h.Set(headerRequestID, inv.requestID)
		h.Set(headerDeadline, strconv.FormatInt(inv.deadline.UnixMilli(), 10))
		h.Set(headerFunctionARN, inv.functionARN)
		h.Set(headerTraceID, inv.traceID)
		h.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(inv.payload)
	case <-env.killed:
		http.Error(w, "environment is shutting down", http.StatusGone)
	case <-r.Context().Done():
	}
}

func (env *environment) handleResponse(w http.ResponseWriter, r *http.Request) {
	inv := env.take(r.PathValue("id"))
	if inv == nil {
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequestID", "unknown or already answered request id")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxResponsePayload+1))
	if err != nil {
		inv.finish(outcome{err: newFunctionError(defaultRuntimeError, "read function response: "+err.Error())})
		writeRuntimeError(w, http.StatusBadRequest, "InvalidResponse", err.Error())
		return
	}
	if len(body) > maxResponsePayload {
		inv.finish(outcome{err: newFunctionError("Function.ResponseSizeTooLarge", fmt.Sprintf(
			"Response payload size exceeded maximum allowed payload size (%d bytes).", maxResponsePayload))})
		writeRuntimeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "response too large")
		return
	}
	// aws-lambda-go streams the response and reports a failure while streaming in trailers.
	if errType := r.Trailer.Get(headerErrorType); errType != "" {
		inv.finish(outcome{err: trailerError(errType, r.Trailer.Get(trailerErrorBody))})
	} else {
		inv.finish(outcome{payload: body})
	}
	writeAccepted(w)
}

func (env *environment) handleError(w http.ResponseWriter, r *http.Request) {
	inv := env.take(r.PathValue("id"))
	if inv == nil {
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequestID", "unknown or already answered request id")
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxResponsePayload))
	inv.finish(outcome{err: parseFunctionError(body, r.Header.Get(headerErrorType))})
	writeAccepted(w)
}

// handleInitError records the failure; Lambda then shuts the environment down.
func (env *environment) handleInitError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxResponsePayload))
	fe := parseFunctionError(body, r.Header.Get(headerErrorType))
	env.mu.Lock()
	env.initErr = fe
	env.mu.Unlock()
	writeAccepted(w)
	go env.kill()
}

func (env *environment) handleExtensionRegister(w http.ResponseWriter, r *http.Request) {
	w.Header().Set(headerExtensionID, newRequestID())
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"functionName":"`+env.function+`","functionVersion":"$LATEST","handler":"bootstrap"}`)
}

// handleExtensionNext never delivers an event: the process is killed without SHUTDOWN, as Lambda
// does for functions without external extensions.
func (env *environment) handleExtensionNext(w http.ResponseWriter, r *http.Request) {
	select {
	case <-env.killed:
	case <-r.Context().Done():
	}
	http.Error(w, "environment is shutting down", http.StatusGone)
}

// take returns the in-flight invocation with this id and forgets it, or nil.
func (env *environment) take(requestID string) *invocation {
	env.mu.Lock()
	defer env.mu.Unlock()
	inv := env.current
	if inv == nil || inv.requestID != requestID {
		return nil
	}
	env.current = nil
	return inv
}

// parseFunctionError reads the runtime's {"errorType","errorMessage",...} body.
func parseFunctionError(body []byte, headerType string) *FunctionError {
	var parsed struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}
	if err := json.Unmarshal(body, &parsed); err != nil {
		errType := headerType
		if errType == "" {
			errType = defaultRuntimeError
		}
		return newFunctionError(errType, string(body))
	}
	if parsed.ErrorType == "" {
		parsed.ErrorType = headerType
	}
	if parsed.ErrorType == "" {
		parsed.ErrorType = defaultRuntimeError
	}
	return &FunctionError{Type: parsed.ErrorType, Message: parsed.ErrorMessage, Payload: body}
}

func trailerError(errType, encodedBody string) *FunctionError {
	body, err := base64.StdEncoding.DecodeString(encodedBody)
	if err != nil || len(body) == 0 {
		return newFunctionError(errType, "function failed while streaming its response")
	}
	return parseFunctionError(body, errType)
}

func writeAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func writeRuntimeError(w http.ResponseWriter, status int, errType, message string) {
	body, _ := json.Marshal(map[string]string{"errorType": errType, "errorMessage": message})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
