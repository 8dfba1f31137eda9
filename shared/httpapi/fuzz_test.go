package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/apperr"
)

// fuzzTarget has every field shape the API bodies use.
type fuzzTarget struct {
	Name    string            `json:"name"`
	Count   int               `json:"count"`
	Stock   *int64            `json:"stock"`
	Price   int64             `json:"price"`
	OK      bool              `json:"ok"`
	Tags    []string          `json:"tags"`
	Labels  map[string]string `json:"labels"`
	Nested  *struct{ A int }  `json:"nested"`
	Ratio   float64           `json:"ratio"`
	Comment *string           `json:"comment"`
}

// FuzzDecodeBytes: any body either decodes or is a validation error (400); anything else would reach the
// client as a 500.
func FuzzDecodeBytes(f *testing.F) {
	for _, seed := range []string{
		`{"name":"a","count":2}`, `{"stock":null,"tags":["x"],"labels":{"k":"v"},"nested":{"A":1}}`,
		`{"count":1e400}`, `{"count":-9223372036854775809}`, `{"price":1.5}`, `{"ok":"true"}`,
		`{"name":"\ud800"}`, `{"name":"a","name":"b"}`, `{"Name":"case"}`, `{"nested":[]}`,
		`[]`, `null`, `"s"`, `{} {}`, `{`, "\ufeff{}", "{\"name\":\"a\"}\x00", `{"tags":[1]}`, ``, ` `,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var dst fuzzTarget
		err := DecodeBytes(body, &dst)
		if err == nil {
			if !json.Valid(body) {
				t.Fatalf("accepted invalid JSON %q", body)
			}
			return
		}
		if e, ok := apperr.As(err); !ok || e.Kind != apperr.KindValidation || e.Message == "" {
			t.Fatalf("DecodeBytes(%q) = %#v, want a validation error", body, err)
		}
		if resp := Error(context.Background(), err); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("DecodeBytes(%q) maps to %d", body, resp.StatusCode)
		}
	})
}

// FuzzDecode adds the base64 and size handling of the request body.
func FuzzDecode(f *testing.F) {
	f.Add(`{"name":"a"}`, false)
	f.Add(`eyJuYW1lIjoiYSJ9`, true)
	f.Add(`eyJuYW1lIjoiYSJ9====`, true)
	f.Add(`!!`, true)
	f.Add(``, true)
	f.Fuzz(func(t *testing.T, body string, base64Encoded bool) {
		var dst fuzzTarget
		err := Decode(events.APIGatewayV2HTTPRequest{Body: body, IsBase64Encoded: base64Encoded}, &dst)
		if err == nil {
			return
		}
		switch apperr.KindOf(err) {
		case apperr.KindValidation, apperr.KindTooLarge:
		default:
			t.Fatalf("Decode(%q, base64=%v) = %#v", body, base64Encoded, err)
		}
	})
}
