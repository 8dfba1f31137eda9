package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/apperr"
)

// MaxBody is the largest request body any route accepts.
const MaxBody = 64 << 10

// Body returns the request body, decoded when API Gateway sent it base64-encoded.
func Body(req events.APIGatewayV2HTTPRequest) ([]byte, error) {
	if len(req.Body) > base64.StdEncoding.EncodedLen(MaxBody)+4 {
		return nil, apperr.TooLarge(MaxBody)
	}
	body := []byte(req.Body)
	if req.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(req.Body)
		if err != nil {
			return nil, apperr.BadRequest("body is not valid base64")
		}
		body = decoded
	}
	if len(body) > MaxBody {
		return nil, apperr.TooLarge(MaxBody)
	}
	return body, nil
}

// Decode reads the request body into dst strictly: one JSON object, no unknown fields, right types.
func Decode(req events.APIGatewayV2HTTPRequest, dst any) error {
	body, err := Body(req)
	if err != nil {
		return err
	}
	return DecodeBytes(body, dst)
}

// DecodeBytes is Decode on raw bytes.
func DecodeBytes(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return apperr.BadRequest("request body is required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return describe(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return apperr.BadRequest("request body must be a single JSON object")
	}
	return nil
}

func describe(err error) error {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntaxErr):
		return apperr.BadRequest("malformed JSON at byte %d", syntaxErr.Offset)
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return apperr.BadRequest("request body must be a JSON object")
		}
		return apperr.Invalid(typeErr.Field, "must be a %s", typeName(typeErr.Type.Kind().String()))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.BadRequest("malformed JSON: unexpected end of body")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.Invalid(field, "unknown field")
	default:
		return apperr.BadRequest("malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
}

func typeName(kind string) string {
	switch kind {
	case "int", "int64", "int32", "float64", "uint", "uint64":
		return "number"
	case "struct", "map":
		return "JSON object"
	case "slice":
		return "JSON array"
	default:
		return fmt.Sprint(kind)
	}
}
