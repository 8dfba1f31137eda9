package lambdaemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/calltaxi/call-taxi/localcloud/internal/xray"
)

// Request payload limits of the Invoke API.
const (
	maxSyncRequest  = 6 * 1024 * 1024
	maxAsyncRequest = 1024 * 1024
)

// Handler serves the subset of the Lambda API that the SDK and standard tools use, in the shape
// aws-sdk-go-v2's lambda client expects, so it works unchanged with BaseEndpoint (or
// AWS_ENDPOINT_URL_LAMBDA) pointing here: Invoke (POST /2015-03-31/functions/{FunctionName}/invocations),
// ListFunctions (GET /2015-03-31/functions/) and GetFunction (GET /2015-03-31/functions/{FunctionName}).
//
// Errors carry X-Amzn-ErrorType, from which the SDK picks the modeled type: 404
// ResourceNotFoundException, 429 TooManyRequestsException (with Reason; also a function throttled by
// Stop), 413 RequestTooLargeException, 400 InvalidRequestContentException. Note that the SDK's
// standard retryer retries 429 and every 500, 502, 503 and 504 (up to 3 attempts by default), so a
// caller that must fail fast on a throttled function should lower RetryMaxAttempts.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", s.serveInvoke)
	mux.HandleFunc("GET /2015-03-31/functions/{$}", s.serveListFunctions)
	mux.HandleFunc("GET /2015-03-31/functions", s.serveListFunctions)
	mux.HandleFunc("GET /2015-03-31/functions/{name}", s.serveGetFunction)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeAPIError(w, http.StatusNotFound, "UnknownOperationException", "message", "Unknown operation "+r.Method+" "+r.URL.Path)
	})
	return mux
}

func (s *Service) serveInvoke(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Amzn-RequestId", newRequestID())
	name, qualifier := parseFunctionName(r.PathValue("name"))
	if q := r.URL.Query().Get("Qualifier"); q != "" {
		qualifier = q
	}
	if name == "" {
		writeAPIError(w, http.StatusBadRequest, "InvalidParameterValueException", "message", "FunctionName is required")
		return
	}
	invocationType := r.Header.Get("X-Amz-Invocation-Type")
	if invocationType == "" {
		invocationType = "RequestResponse"
	}
	limit := maxSyncRequest
	if invocationType == "Event" {
		limit = maxAsyncRequest
	}
	payload, err := io.ReadAll(io.LimitReader(r.Body, int64(limit)+1))
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestContentException", "message", "read request body: "+err.Error())
		return
	}
	if len(payload) > limit {
		writeAPIError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException", "message",
			fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", limit))
		return
	}
	if len(payload) > 0 && !json.Valid(payload) {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestContentException", "message", "Could not parse request body into json")
		return
	}
	if !s.registered(name) {
		writeAPIError(w, http.StatusNotFound, "ResourceNotFoundException", "Message", "Function not found: "+s.functionARN(name))
		return
	}

	switch invocationType {
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
	case "Event":
		requestID, err := s.enqueue(name, payload)
		if err != nil {
			s.writeInvokeError(w, name, err)
			return
		}
		w.Header().Set("X-Amzn-RequestId", requestID)
		w.WriteHeader(http.StatusAccepted)
	case "RequestResponse":
		out, err := s.Invoke(xray.WithTrace(r.Context(), r.Header.Get("X-Amzn-Trace-Id")), name, payload)
		var fe *FunctionError
		if errors.As(err, &fe) {
			// A function error is a successful API call: 200 plus X-Amz-Function-Error.
			s.writeInvokeSuccess(w, qualifier, fe.Payload, true)
			return
		}
		if err != nil {
			s.writeInvokeError(w, name, err)
			return
		}
		s.writeInvokeSuccess(w, qualifier, out, false)
	default:
		writeAPIError(w, http.StatusBadRequest, "InvalidParameterValueException", "message",
			"Invalid InvocationType: "+invocationType)
	}
}

func (s *Service) writeInvokeSuccess(w http.ResponseWriter, qualifier string, payload []byte, functionError bool) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amz-Executed-Version", executedVersion(qualifier))
	if functionError {
		h.Set("X-Amz-Function-Error", "Unhandled")
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(payload)
}

func (s *Service) writeInvokeError(w http.ResponseWriter, name string, err error) {
	var te *ThrottleError
	switch {
	case errors.As(err, &te):
		writeJSON(w, http.StatusTooManyRequests, "TooManyRequestsException", map[string]string{
			"Type": "User", "message": "Rate Exceeded.", "Reason": te.Reason,
		})
	case errors.Is(err, ErrFunctionNotFound):
		writeAPIError(w, http.StatusNotFound, "ResourceNotFoundException", "Message", "Function not found: "+s.functionARN(name))
	default:
		writeAPIError(w, http.StatusInternalServerError, "ServiceException", "Message", err.Error())
	}
}

func (s *Service) registered(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.functions[name]
	return ok
}

// parseFunctionName accepts the forms Lambda accepts: name, name:qualifier, a partial ARN
// (123456789012:function:name[:qualifier]) and a full ARN
// (arn:aws:lambda:region:account:function:name[:qualifier]).
func parseFunctionName(raw string) (name, qualifier string) {
	parts := strings.Split(raw, ":")
	switch {
	case len(parts) >= 7 && parts[0] == "arn" && parts[5] == "function":
		parts = parts[6:]
	case len(parts) >= 3 && parts[1] == "function":
		parts = parts[2:]
	}
	name = parts[0]
	if len(parts) > 1 {
		qualifier = parts[1]
	}
	return name, qualifier
}

// executedVersion is the version an invoke through qualifier runs. Every qualifier runs the same
// code here; an alias (AutoPublishAlias) is reported as pointing at published version 1, which is
// what it points at after the first deploy.
func executedVersion(qualifier string) string {
	switch {
	case qualifier == "" || qualifier == "$LATEST":
		return "$LATEST"
	case isVersionNumber(qualifier):
		return qualifier
	default:
		return "1"
	}
}

func isVersionNumber(q string) bool {
	if q == "" {
		return false
	}
	for _, r := range q {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// writeAPIError writes Lambda's error shape; messageField is "Message" or "message" as the
// exception is modeled.
func writeAPIError(w http.ResponseWriter, status int, errorType, messageField, message string) {
	kind := "User"
	if status >= 500 {
		kind = "Service"
	}
	writeJSON(w, status, errorType, map[string]string{"Type": kind, messageField: message})
}

func writeJSON(w http.ResponseWriter, status int, errorType string, body map[string]string) {
	data, _ := json.Marshal(body) // strings only: cannot fail
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", errorType)
	w.WriteHeader(status)
	_, _ = w.Write(data)
}
