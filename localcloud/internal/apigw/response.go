package apigw

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// functionResponse is the payload format 2.0 response; pointer fields tell "absent" from zero.
type functionResponse struct {
	StatusCode        *int                `json:"statusCode"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Cookies           []string            `json:"cookies"`
	Body              *string             `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

// writeFunctionResponse maps the function's output. A JSON object with statusCode is a full
// response; any other valid JSON is the body of a 200 application/json response (format 2.0's
// inference). An error means the output was malformed and nothing was written.
func writeFunctionResponse(w http.ResponseWriter, out []byte, gatewayOwnsCORS bool) error {
	// One pass validates and probes: Unmarshal checks the whole input before decoding, so invalid JSON is
	// a SyntaxError, while valid JSON that is not an object is a type error (then it is the body).
	var probe map[string]json.RawMessage
	err := json.Unmarshal(out, &probe)
	if syntaxErr := (*json.SyntaxError)(nil); errors.As(err, &syntaxErr) {
		return fmt.Errorf("function output is not JSON: %w", err)
	}
	if err != nil || probe["statusCode"] == nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(out)
		return nil
	}
	var resp functionResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		return fmt.Errorf("decode function response: %w", err)
	}
	if resp.StatusCode == nil || *resp.StatusCode < 100 || *resp.StatusCode > 599 {
		return fmt.Errorf("statusCode missing or out of range")
	}
	var body []byte
	if resp.Body != nil {
		body = []byte(*resp.Body)
		if resp.IsBase64Encoded {
			decoded, err := base64.StdEncoding.DecodeString(*resp.Body)
			if err != nil {
				return fmt.Errorf("decode base64 body: %w", err)
			}
			body = decoded
		}
	}
	h := w.Header()
	for name, values := range resp.MultiValueHeaders {
		if skipResponseHeader(name, gatewayOwnsCORS) {
			continue
		}
		for _, v := range values {
			h.Add(name, v)
		}
	}
	for name, value := range resp.Headers {
		if skipResponseHeader(name, gatewayOwnsCORS) {
			continue
		}
		h.Set(name, value)
	}
	for _, c := range resp.Cookies {
		h.Add("Set-Cookie", c)
	}
	if h.Get("Content-Type") == "" {
		h["Content-Type"] = nil // send what the function set, not a sniffed type
	}
	w.WriteHeader(*resp.StatusCode)
	_, _ = w.Write(body)
	return nil
}

// skipResponseHeader drops headers the gateway controls: framing, and CORS when it is configured
// (API Gateway ignores CORS headers from the integration then).
func skipResponseHeader(name string, gatewayOwnsCORS bool) bool {
	lower := strings.ToLower(name)
	if lower == "content-length" || lower == "transfer-encoding" || lower == "connection" {
		return true
	}
	return gatewayOwnsCORS && strings.HasPrefix(lower, "access-control-")
}

// writeMessage writes API Gateway's own {"message":"..."} responses.
func writeMessage(w http.ResponseWriter, status int, message string) {
	body, _ := json.Marshal(map[string]string{"message": message})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
