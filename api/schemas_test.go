package api_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// compileSpecSchema compiles one schema of the spec (JSON Schema 2020-12, as OpenAPI 3.1 uses).
func compileSpecSchema(doc map[string]any, pointer string) (*jsonschema.Schema, error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("spec to JSON: %w", err)
	}
	asJSON, err := jsonschema.UnmarshalJSON(bytesReader(raw))
	if err != nil {
		return nil, fmt.Errorf("spec JSON: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("openapi.json", asJSON); err != nil {
		return nil, fmt.Errorf("add spec: %w", err)
	}
	return c.Compile("openapi.json#" + pointer)
}

func jsonValue(t *testing.T, text string) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytesReader([]byte(text)))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestEveryComponentSchemaCompiles(t *testing.T) {
	doc := mustSpec(t)
	for name := range asMap(asMap(doc["components"])["schemas"]) {
		if _, err := compileSpecSchema(doc, "/components/schemas/"+name); err != nil {
			t.Errorf("schema %s: %v", name, err)
		}
	}
}

// Bodies shaped like the handlers' (functions/*/api.go) must validate; broken ones must not.
func TestSchemasAcceptRealShapes(t *testing.T) {
	doc := mustSpec(t)
	tests := []struct {
		schema string
		body   string
		valid  bool
	}{
		{"PlaceOrderRequest", `{"name":"Kim","phone":"+821012345678","orderType":"prime","cardNo":"4111 1111 1111 1111","pickup":"Seoul Station"}`, true},
		{"PlaceOrderRequest", `{"name":"Kim","phone":"+821012345678","orderType":"prime","cardNo":"4111 1111 1111 1111","pickup":"Seoul Station","destination":"Gangnam","pickupAt":"2026-01-02T09:30:00+09:00","note":"2 bags"}`, true},
		{"PlaceOrderRequest", `{"name":"Kim","phone":"+821012345678","orderType":"prime","cardNo":"4111 1111 1111 1111"}`, false},
		{"PlaceOrderRequest", `{"name":"Kim","phone":"+821012345678","orderType":"prime","cardNo":"4111 1111 1111 1111","pickup":""}`, false},
		{"PlaceOrderRequest", `{"name":"Kim","phone":"01012345678","orderType":"prime","cardNo":"4111111111111111"}`, false},
		{"PlaceOrderRequest", `{"name":"Kim","phone":"+821012345678","orderType":"gold","cardNo":"4111111111111111"}`, false},
		{"PlaceOrderRequest", `{"name":"Kim","phone":"+821012345678","orderType":"basic","cardNo":"4111111111111111","tip":1}`, false},
		{"Error", `{"error":{"code":"PAYMENT_DECLINED","message":"payment declined: card_declined","field":"cardNo"}}`, true},
		{"Error", `{"error":{"code":"TEAPOT","message":"x"}}`, false},
		{"Order", `{"id":"o1","customerId":"c1","name":"Kim","phone":"+821012345678","orderType":"basic","fare":3800,"status":"PAID","paymentId":"pay-o1","cardLast4":"1111","cardBrand":"visa","pickup":"Seoul Station","destination":"","pickupAt":null,"note":"","pickedUpAt":null,"createdAt":"2026-01-02T03:04:05.000Z","updatedAt":"2026-01-02T03:04:05.123Z"}`, true},
		{"Order", `{"id":"o1","customerId":"c1","name":"Kim","phone":"+821012345678","orderType":"basic","fare":3800,"status":"PAID","paymentId":"pay-o1","cardLast4":"1111","cardBrand":"visa","pickup":"Seoul Station","destination":"","pickupAt":"2026-01-02T00:30:00.000Z","note":"gate 3","pickedUpAt":"2026-01-02T00:31:00.000Z","createdAt":"2026-01-02T03:04:05.000Z","updatedAt":"2026-01-02T03:04:05.123Z"}`, true},
		{"Order", `{"id":"o1","customerId":"c1","name":"Kim","phone":"+821012345678","orderType":"basic","fare":3800,"status":"PAID","paymentId":"pay-o1","cardLast4":"1111","cardBrand":"visa","pickup":"","destination":"","pickupAt":null,"note":"","pickedUpAt":null,"createdAt":"2026-01-02T03:04:05Z","updatedAt":"2026-01-02T03:04:05.123Z"}`, false},
		{"Reservation", `{"id":"rsv-o1","entity":"reservation","orderId":"o1","customerId":"c1","orderType":"basic","status":"REQUESTED","pickup":"Seoul Station","destination":"","pickupAt":null,"note":"","customerName":"Kim","customerPhone":"+821012345678","assignAttempt":1,"rejectReason":"no taxi available","taxiReleased":false,"createdAt":"2026-01-02T03:04:05.000Z","updatedAt":"2026-01-02T03:04:05.000Z","version":3}`, true},
		{"Reservation", `{"id":"rsv-o1","entity":"reservation","orderId":"o1","customerId":"c1","orderType":"basic","status":"COMPLETED","pickup":"Seoul Station","destination":"Gangnam","pickupAt":"2026-01-02T00:30:00.000Z","note":"","customerName":"Kim","customerPhone":"+821012345678","taxiId":"t1","taxiName":"Sonata","driverId":"d1","pickedUpAt":"2026-01-02T00:31:00.000Z","completedAt":"2026-01-02T01:00:00.000Z","assignAttempt":1,"taxiReleased":false,"createdAt":"2026-01-02T03:04:05.000Z","updatedAt":"2026-01-02T03:04:05.000Z","version":6}`, true},
		{"Reservation", `{"id":"rsv-o1","entity":"reservation","orderId":"o1","customerId":"c1","orderType":"basic","status":"DONE","pickup":"","destination":"","pickupAt":null,"note":"","customerName":"","customerPhone":"","assignAttempt":1,"taxiReleased":false,"createdAt":"2026-01-02T03:04:05.000Z","updatedAt":"2026-01-02T03:04:05.000Z","version":6}`, false},
		{"MyPage", `{"orderId":"o1","name":"Kim","orderType":"basic","fare":3800,"status":"CONFIRMED","orderStatus":"PAID","paymentStatus":"APPROVED","reservationId":"rsv-o1","reservationStatus":"CONFIRMED","taxiId":"t1","taxiName":"Sonata","rejectReason":"","pickup":"Seoul Station","destination":"","pickupAt":"2026-01-02T00:30:00.000Z","history":[{"status":"PAID","at":"2026-01-02T03:04:05.000Z"}],"createdAt":"2026-01-02T03:04:05.000Z","updatedAt":"2026-01-02T03:04:05.000Z"}`, true},
		{"MyPage", `{"orderId":"o1","name":"Kim","orderType":"basic","fare":3800,"status":"COMPLETED","orderStatus":"PAID","paymentStatus":"APPROVED","reservationId":"rsv-o1","reservationStatus":"COMPLETED","taxiId":"t1","taxiName":"Sonata","rejectReason":"","pickup":"Seoul Station","destination":"","pickupAt":null,"history":[{"status":"PICKED_UP","at":"2026-01-02T03:04:05.000Z"}],"createdAt":"2026-01-02T03:04:05.000Z","updatedAt":"2026-01-02T03:04:05.000Z"}`, true},
		{"MyPage", `{"orderId":"o1","name":"Kim","orderType":"basic","fare":3800,"status":"DECLINED","orderStatus":"PAID","paymentStatus":"APPROVED","reservationId":"","reservationStatus":"","taxiId":"","taxiName":"","history":[],"createdAt":"2026-01-02T03:04:05.000Z","updatedAt":"2026-01-02T03:04:05.000Z"}`, false},
		{"RegisterTaxiRequest", `{"taxiName":"Sonata","companyName":"Seoul Cab","grade":"basic","stockCnt":2,"itemPrice":3800}`, true},
		{"RegisterTaxiRequest", `{"taxiName":"Sonata","companyName":"Seoul Cab","grade":"basic","stockCnt":-1,"itemPrice":3800}`, false},
		{"UpdateTaxiRequest", `{}`, false},
		{"UpdateTaxiRequest", `{"stockCnt":0}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.schema, func(t *testing.T) {
			sch, err := compileSpecSchema(doc, "/components/schemas/"+tt.schema)
			if err != nil {
				t.Fatal(err)
			}
			err = sch.Validate(jsonValue(t, tt.body))
			if (err == nil) != tt.valid {
				t.Errorf("%s valid=%v, want %v: %s (%v)", tt.schema, err == nil, tt.valid, tt.body, err)
			}
		})
	}
}
