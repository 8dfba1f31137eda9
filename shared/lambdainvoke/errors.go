package lambdainvoke

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
)

// apiError reads a REST-JSON error as smithy-go's restjson protocol does: the code from X-Amzn-ErrorType,
// else the body's code or __type, without namespace or suffix; a throttle becomes *TooManyRequestsException.
func apiError(resp *http.Response, body []byte) error {
	var info struct {
		Type        string `json:"__type"`
		Code        any    `json:"code"`
		Message     string `json:"message"`
		MessageCaps string `json:"Message"`
		Kind        string `json:"Type"`
		Reason      string `json:"Reason"`
	}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &info); err != nil {
			return &smithy.DeserializationError{Err: fmt.Errorf("failed to decode response body, %w", err), Snapshot: body}
		}
	}
	code := resp.Header.Get("X-Amzn-ErrorType")
	if s, ok := info.Code.(string); code == "" && ok {
		code = s
	}
	if code == "" {
		code = info.Type
	}
	if code == "" {
		code = "UnknownError"
	}
	if i := strings.Index(code, ":"); i >= 0 {
		code = code[:i]
	}
	if i := strings.Index(code, "#"); i >= 0 {
		code = code[i+1:]
	}
	msg := info.Message
	if msg == "" {
		msg = info.MessageCaps
	}
	if code == "TooManyRequestsException" {
		e := &TooManyRequestsException{Reason: info.Reason}
		if msg != "" {
			e.Message = aws.String(msg)
		}
		if info.Kind != "" {
			e.Type = aws.String(info.Kind)
		}
		if v := resp.Header.Get("Retry-After"); v != "" {
			e.RetryAfterSeconds = aws.String(v)
		}
		return e
	}
	if msg == "" {
		msg = "UnknownError"
	}
	return &smithy.GenericAPIError{Code: code, Message: msg}
}
