package samtemplate

import (
	"slices"
	"strings"
	"testing"
)

const realTemplatePath = "../../../template.yaml"

// TestLoadRealTemplate loads the project's template.yaml.
func TestLoadRealTemplate(t *testing.T) {
	tpl, err := Load(realTemplatePath, Options{})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	ids := []string{"OrderFunction", "PaymentFunction", "PaymentRecordsFunction", "ReservationFunction", "TaxiFunction",
		"MyPageFunction", "NotifyFunction", "IdentityFunction"}
	// Besides its own events, a function may be triggered by a user pool or invoked by another function
	// whose environment names it.
	triggered := map[string]bool{}
	for _, pool := range tpl.UserPools {
		for _, fn := range pool.Triggers {
			triggered[fn] = true
		}
	}
	for _, other := range tpl.Functions {
		for _, v := range other.Env {
			for _, fn := range tpl.Functions {
				if v == fn.Name || v == fn.Arn || strings.HasPrefix(v, fn.Arn+":") {
					triggered[fn.Name] = true
				}
			}
		}
	}
	for _, id := range ids {
		fn, ok := tpl.Functions[id]
		if !ok {
			t.Errorf("function %s missing", id)
			continue
		}
		if fn.Name == "" || fn.Arn == "" || fn.Runtime == "" || fn.Handler == "" {
			t.Errorf("%s: incomplete function %+v", id, fn)
		}
		if len(fn.HttpRoutes)+len(fn.Rules)+len(fn.Streams)+len(fn.Queues)+len(fn.Schedules) == 0 && !triggered[fn.Name] {
			t.Errorf("%s: no event sources", id)
		}
	}
	if len(tpl.Functions) != len(ids) {
		t.Errorf("want %d functions, got %d", len(ids), len(tpl.Functions))
	}
	if pool := tpl.UserPools["UserPool"]; pool == nil || pool.Triggers["PostConfirmation"] != tpl.Functions["IdentityFunction"].Name ||
		!slices.Equal(pool.Groups, []string{"customers", "drivers", "managers"}) {
		t.Errorf("UserPool = %+v, want groups customers, drivers, managers and IdentityFunction as its PostConfirmation trigger", pool)
	}
	if len(tpl.Tables) == 0 || len(tpl.HttpApis) == 0 {
		t.Errorf("want tables and an HTTP API, got %d tables, %d APIs", len(tpl.Tables), len(tpl.HttpApis))
	}
	if testing.Verbose() {
		for _, line := range tpl.Unsupported {
			t.Log("unsupported:", line)
		}
	}
}

// The project's Rules refuse a non-dev Stage with the simulated payment gateway, as CloudFormation would
// refuse the deployment, with the rule's AssertDescription.
func TestRealTemplateRulesRefuseTheSimulatedGatewayOutsideDev(t *testing.T) {
	tests := []struct {
		params  map[string]string
		refused bool
	}{
		{map[string]string{"Stage": "dev"}, false},
		{map[string]string{"Stage": "prod"}, true},
		{map[string]string{"Stage": "prod", "PaymentGatewayUrl": "https://pay.example.com"}, false},
	}
	for _, tt := range tests {
		_, err := Load(realTemplatePath, Options{ParameterOverrides: tt.params})
		if refused := err != nil && strings.Contains(err.Error(), "PaymentGatewayUrl is simulated:// but Stage is not dev"); refused != tt.refused {
			t.Errorf("%v: err = %v, want refused %v", tt.params, err, tt.refused)
		}
	}
}

// PaymentConcurrency 0 reserves nothing (a new account's quota cannot spare any), any other value is the
// guard's reserved concurrency.
func TestRealTemplatePaymentConcurrency(t *testing.T) {
	for _, tt := range []struct {
		param string
		want  *int
	}{{"0", nil}, {"5", ptr(5)}, {"64", ptr(64)}} {
		tpl, err := Load(realTemplatePath, Options{ParameterOverrides: map[string]string{"PaymentConcurrency": tt.param}})
		if err != nil {
			t.Fatal(err)
		}
		got := tpl.Functions["PaymentFunction"].ReservedConcurrency
		if (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
			t.Errorf("PaymentConcurrency=%s: reserved %v, want %v", tt.param, got, tt.want)
		}
	}
}

func ptr(n int) *int { return &n }

// The runtime configuration: each value is an SSM parameter whose name (not value) the function that reads
// it has in its environment.
func TestRealTemplateRuntimeConfiguration(t *testing.T) {
	tpl, err := Load(realTemplatePath, Options{StackName: "call-taxi", ParameterOverrides: map[string]string{"MinTaxiPrice": "5000"}})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	tests := []struct{ param, function, env, name, value string }{
		{"MinTaxiPriceParameter", "OrderFunction", "MIN_TAXI_PRICE_PARAMETER", "/call-taxi/min-taxi-price", "5000"},
		{"PaymentGatewayUrlParameter", "PaymentFunction", "PAYMENT_GATEWAY_URL_PARAMETER", "/call-taxi/payment-gateway-url", "simulated://"},
		{"SmsSenderIdParameter", "NotifyFunction", "SMS_SENDER_ID_PARAMETER", "/call-taxi/sms-sender-id", "CallTaxi"},
	}
	for _, tt := range tests {
		p := tpl.SSMParameters[tt.param]
		if p == nil || p.Name != tt.name || p.Value != tt.value || p.Type != "String" {
			t.Errorf("%s = %+v, want %s = %q", tt.param, p, tt.name, tt.value)
		}
		if fn := tpl.Functions[tt.function]; fn == nil || fn.Env[tt.env] != tt.name || fn.Env["CONFIG_TTL_SECONDS"] != "30" {
			t.Errorf("%s environment: %s = %q, CONFIG_TTL_SECONDS = %q", tt.function, tt.env, fn.Env[tt.env], fn.Env["CONFIG_TTL_SECONDS"])
		}
	}
}
