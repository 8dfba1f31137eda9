package latency

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/awsclock"
)

func TestSampleHitsMedianAndP99(t *testing.T) {
	d := Dist{P50: 10 * time.Millisecond, P99: 50 * time.Millisecond}
	r := rand.New(rand.NewPCG(1, 2))
	xs := make([]time.Duration, 20000)
	for i := range xs {
		xs[i] = d.Sample(r)
	}
	slices.Sort(xs)
	if p50 := xs[len(xs)/2]; p50 < 9*time.Millisecond || p50 > 11*time.Millisecond {
		t.Errorf("p50 = %v, want ~10ms", p50)
	}
	if p99 := xs[len(xs)*99/100]; p99 < 42*time.Millisecond || p99 > 58*time.Millisecond {
		t.Errorf("p99 = %v, want ~50ms", p99)
	}
}

func TestOperation(t *testing.T) {
	cases := []struct {
		target, path, invocationType, form, service, op string
	}{
		{target: "DynamoDB_20120810.TransactWriteItems", service: "dynamodb", op: "TransactWriteItems"},
		{target: "AWSEvents.PutEvents", service: "events", op: "PutEvents"},
		{target: "AmazonSQS.SendMessage", service: "sqs", op: "SendMessage"},
		{path: "/2015-03-31/functions/pay/invocations", service: "lambda", op: "Invoke"},
		{path: "/2015-03-31/functions/pay/invocations", invocationType: "Event", service: "lambda", op: "InvokeAsync"},
		{path: "/", form: "Action=Publish&PhoneNumber=%2B15550100", service: "sns", op: "Publish"},
	}
	for _, c := range cases {
		r := httptest.NewRequest(http.MethodPost, "http://x"+c.path, strings.NewReader(c.form))
		if c.path == "" {
			r.URL.Path = "/"
		}
		if c.target != "" {
			r.Header.Set("X-Amz-Target", c.target)
		}
		if c.invocationType != "" {
			r.Header.Set("X-Amz-Invocation-Type", c.invocationType)
		}
		if c.form != "" {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		s, op := Operation(r)
		if s != c.service || op != c.op {
			t.Errorf("%+v: got %s.%s", c, s, op)
		}
		if c.form != "" {
			if err := r.ParseForm(); err != nil || r.PostForm.Get("Action") != "Publish" {
				t.Errorf("the handler can no longer read the form: %v %v", err, r.PostForm)
			}
		}
	}
}

// The delay is AWS time: at 1000 AWS seconds per wall second a 2 s modeled call takes ~2 ms.
func TestMiddlewareDelaysInAWSTimeAndTraces(t *testing.T) {
	p := &Profile{Calls: map[string]Dist{"dynamodb.GetItem": {P50: 2 * time.Second, P99: 2 * time.Second}}}
	tracer := NewTracer(2)
	served := false
	h := Middleware(p, awsclock.New(1000), tracer, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served = true }))
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Header.Set("X-Amz-Target", "DynamoDB_20120810.GetItem")
	r.Header.Set("X-Amzn-Trace-Id", "Root=1-abc-def;Parent=1;Sampled=0")
	start := time.Now()
	h.ServeHTTP(httptest.NewRecorder(), r)
	if el := time.Since(start); el < 2*time.Millisecond || el > time.Second {
		t.Errorf("took %v, want ~2ms of wall time", el)
	}
	calls := tracer.Calls("1-abc-def")
	if !served || len(calls) != 1 || calls[0].Operation != "GetItem" || calls[0].Modeled != 2*time.Second {
		t.Fatalf("served %v, calls %+v", served, calls)
	}
	tracer.add("b", Call{})
	tracer.add("c", Call{})
	if len(tracer.Calls("1-abc-def")) != 0 {
		t.Error("the oldest root was not dropped")
	}
}

// A delivery waits for its latency counted from when the item became available: a backlog already older
// than that goes at once, as on AWS, where the poller finds it waiting.
func TestDeliveryDelayCountsFromAvailability(t *testing.T) {
	clock := awsclock.New(1)
	p := &Profile{Deliveries: map[Delivery]Dist{StreamsToLambda: {P50: 50 * time.Millisecond, P99: 50 * time.Millisecond}}}
	wait := DeliveryDelay(p, clock, StreamsToLambda)
	start := time.Now()
	if err := wait(t.Context(), clock.Now()); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 45*time.Millisecond {
		t.Errorf("fresh record waited %v, want ~50ms", el)
	}
	start = time.Now()
	if err := wait(t.Context(), clock.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 20*time.Millisecond {
		t.Errorf("backlog waited %v, want none", el)
	}
	if DeliveryDelay(nil, clock, StreamsToLambda) != nil || DeliveryDelay(p, clock, SQSToLambda) != nil {
		t.Error("no profile or no figure must mean no hook")
	}
}
