package cloud_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/cloud"
)

// configTTL is CONFIG_TTL_SECONDS for these tests (the ConfigTtlSeconds parameter).
const configTTL = time.Second

// A MinTaxiPrice change reaches the running code without a deploy: an operator overwrites the SSM
// parameter with the AWS CLI (`aws ssm put-parameter --overwrite`, SSM API reference PutParameter), and
// within CONFIG_TTL_SECONDS the next order is priced with it, by the same warm function.
//
// Not parallel: its bound is wall-clock (one CONFIG_TTL_SECONDS), so it runs alone, before the parallel tests.
func TestE2EMinTaxiPriceChangeReachesOrdersWithinTheTTL(t *testing.T) {
	c := startCloud(t, map[string]string{"ConfigTtlSeconds": "1"})
	customer := newUser(t, c, "customers")
	fare := func(grade string) (float64, response) {
		r := customer.do("POST", "/orders", orderBody(grade, goodCard))
		if r.Status != 201 {
			t.Fatalf("POST /orders = %d %s", r.Status, r.RawBody)
		}
		f, _ := r.Body["fare"].(float64)
		return f, r
	}
	if f, r := fare("basic"); f != 3800 {
		t.Fatalf("fare before the change = %v, want 3800: %s", f, r.RawBody)
	}

	name := c.Template.SSMParameters["MinTaxiPriceParameter"].Name
	put := awsJSON(t, c, "ssm", "put-parameter", "--name", name, "--value", "5000", "--type", "String", "--overwrite")
	changed := time.Now()
	if v, _ := put["Version"].(float64); v != 2 {
		t.Errorf("put-parameter = %v, want Version 2", put)
	}
	got := awsJSON(t, c, "ssm", "get-parameter", "--name", name)
	if p, _ := got["Parameter"].(map[string]any); p["Value"] != "5000" {
		t.Errorf("get-parameter = %v", got)
	}

	var last float64
	eventually(t, "a basic order priced at the new minimum fare", 10*time.Second, func() (bool, string) {
		last, _ = fare("basic")
		return last == 5000, "fare " + jsonString(last)
	})
	// The cache may serve the old value for one TTL; the order that saw the new one placed after it.
	if took := time.Since(changed); took > configTTL+2*time.Second {
		t.Errorf("the new fare took %s, more than CONFIG_TTL_SECONDS (%s) and a margin", took, configTTL)
	}
	if f, r := fare("prime"); f != 7500 {
		t.Errorf("prime after the change = %v, want 7500 (1.5 × 5000): %s", f, r.RawBody)
	}

	// A value the code cannot use is refused by Parameter Store itself (the template's AllowedPattern), so
	// no function that starts later is left without a fare.
	if out := awsFails(t, c, "ssm", "put-parameter", "--name", name, "--value", "free", "--overwrite"); !strings.Contains(out, "ParameterPatternMismatchException") {
		t.Errorf("put-parameter free: %s, want ParameterPatternMismatchException", out)
	}
	// The fare holds for longer than a cache entry lives: every order until then is priced at 5000.
	for until := time.Now().Add(configTTL + 200*time.Millisecond); time.Now().Before(until); {
		if f, r := fare("basic"); f != 5000 {
			t.Fatalf("after the refused value the fare = %v, want 5000: %s", f, r.RawBody)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// The payment gateway follows its parameter too: pointed at a card processor, the next charge goes there.
func TestE2EPaymentGatewayURLChangeReachesChargesWithinTheTTL(t *testing.T) {
	t.Parallel()
	var charges atomic.Int64
	processor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/charges" {
			charges.Add(1)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"approved": true})
	}))
	defer processor.Close()
	c := startCloud(t, map[string]string{"ConfigTtlSeconds": "1"})
	customer := newUser(t, c, "customers")
	if r := customer.do("POST", "/orders", orderBody("basic", goodCard)); r.Status != 201 || charges.Load() != 0 {
		t.Fatalf("simulated charge: %d %s (processor charges %d)", r.Status, r.RawBody, charges.Load())
	}
	// --cli-input-json: AWS CLI v1 would fetch an http(s) --value and store what the URL answers
	// (cli_follow_urlparam).
	input, _ := json.Marshal(map[string]any{"Name": c.Template.SSMParameters["PaymentGatewayUrlParameter"].Name, "Value": processor.URL, "Overwrite": true})
	awsJSON(t, c, "ssm", "put-parameter", "--cli-input-json", string(input))
	eventually(t, "a charge at the card processor", 10*time.Second, func() (bool, string) {
		r := customer.do("POST", "/orders", orderBody("basic", goodCard))
		return r.Status == 201 && charges.Load() > 0, r.RawBody
	})
}

// awsFails runs an AWS CLI command that must fail and returns what it printed.
func awsFails(t *testing.T, c *cloud.Cloud, args ...string) string {
	t.Helper()
	cmd := exec.Command(awsCLI(t), append([]string{"--endpoint-url", c.ServicesURL, "--region", "us-east-1", "--output", "json"}, args...)...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_SESSION_TOKEN=local",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("aws %s succeeded: %s", strings.Join(args, " "), out)
	}
	return string(out)
}

func jsonString(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}
