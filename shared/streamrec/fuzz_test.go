package streamrec

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// FuzzConvert: a stream image from any JSON converts or fails with an error, never a panic, and what it
// converts keeps every attribute.
func FuzzConvert(f *testing.F) {
	for _, seed := range []string{
		`{"id":{"S":"o1"},"version":{"N":"3"},"paid":{"BOOL":true},"tags":{"SS":["a","b"]},"note":{"NULL":true}}`,
		`{"history":{"L":[{"M":{"status":{"S":"PAID"},"at":{"S":"2026-01-01T00:00:00.000Z"}}}]}}`,
		`{"b":{"B":"AAEC"},"bs":{"BS":["AAEC"]},"ns":{"NS":["1","2.5"]}}`,
		`{"x":{"S":1}}`, `{"x":{"N":"abc"}}`, `{"x":{}}`, `{"x":{"L":null}}`, `{"x":{"M":{"y":{"Q":1}}}}`,
		`{"x":{"S":"a","N":"1"}}`, `{"x":null}`, `{"x":{"B":"%%%"}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var image map[string]events.DynamoDBAttributeValue
		if json.Unmarshal(raw, &image) != nil {
			return
		}
		out, err := Convert(image)
		if err != nil {
			return
		}
		if len(out) != len(image) {
			t.Fatalf("Convert kept %d of %d attributes of %s", len(out), len(image), raw)
		}
		var dst row
		_ = Unmarshal(image, &dst)
	})
}
