package latency

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/awsclock"
	"github.com/calltaxi/call-taxi/localcloud/internal/xray"
)

// Operation names the AWS service and operation of a request to the local cloud's services endpoint,
// from X-Amz-Target (JSON protocols), the Lambda REST path, or the query protocol's Action.
func Operation(r *http.Request) (service, operation string) {
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		prefix, op, _ := strings.Cut(target, ".")
		switch {
		case strings.HasPrefix(prefix, "DynamoDBStreams_"):
			return "dynamodbstreams", op
		case strings.HasPrefix(prefix, "DynamoDB_"):
			return "dynamodb", op
		case prefix == "AmazonSQS":
			return "sqs", op
		case prefix == "AWSEvents":
			return "events", op
		case prefix == "AmazonSimpleNotificationService":
			return "sns", op
		case prefix == "AmazonSSM":
			return "ssm", op
		case strings.HasPrefix(prefix, "AWSCognitoIdentityProvider"):
			return "cognito", op
		}
		return strings.ToLower(prefix), op
	}
	if strings.HasPrefix(r.URL.Path, "/2015-03-31/functions") {
		if strings.HasSuffix(r.URL.Path, "/invocations") {
			if r.Header.Get("X-Amz-Invocation-Type") == "Event" {
				return "lambda", "InvokeAsync"
			}
			return "lambda", "Invoke"
		}
		return "lambda", "Control"
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") && r.Body != nil {
		// Query protocol (SNS): the Action is in the body, which the handler must still read.
		body, err := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err == nil {
			if v, err := url.ParseQuery(string(body)); err == nil {
				return "sns", v.Get("Action")
			}
		}
		return "sns", ""
	}
	return "", ""
}

// Call is one AWS API call the local cloud served: which operation, when (wall time), and the AWS
// latency the profile added to it.
type Call struct {
	Service   string        `json:"service"`
	Operation string        `json:"operation"`
	Start     time.Time     `json:"start"`
	End       time.Time     `json:"end"`
	Modeled   time.Duration `json:"modeledNs"`
}

// Tracer keeps the calls of the most recent trace roots (X-Amzn-Trace-Id), oldest roots dropped first.
type Tracer struct {
	mu    sync.Mutex
	calls map[string][]Call
	order []string
	max   int
}

// NewTracer keeps up to maxRoots traces.
func NewTracer(maxRoots int) *Tracer {
	return &Tracer{calls: map[string][]Call{}, max: maxRoots}
}

func (t *Tracer) add(root string, c Call) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.calls[root]; !ok {
		if len(t.order) >= t.max {
			delete(t.calls, t.order[0])
			t.order = t.order[1:]
		}
		t.order = append(t.order, root)
	}
	t.calls[root] = append(t.calls[root], c)
}

// Calls returns a trace's calls in the order they finished.
func (t *Tracer) Calls(root string) []Call {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Call(nil), t.calls[root]...)
}

// Middleware delays every AWS call by the profile's latency for its operation (AWS time, slept through
// clock) and records traced calls.
func Middleware(p *Profile, clock *awsclock.Clock, tracer *Tracer, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		service, op := Operation(r)
		d := p.Call(service, op).Sample(nil)
		if d > 0 {
			if err := clock.Sleep(r.Context(), d); err != nil {
				return // the caller went away
			}
		}
		next.ServeHTTP(w, r)
		if tracer != nil {
			if root := xray.Root(r.Header.Get("X-Amzn-Trace-Id")); root != "" {
				tracer.add(root, Call{Service: service, Operation: op, Start: start, End: time.Now(), Modeled: d})
			}
		}
	})
}

// DeliveryDelay returns a function that waits until one delivery's modeled latency (AWS time) has
// passed since the AWS time the item became available (a stream record's creation, a message's send, a
// PutEvents), or until ctx ends; nil when the profile is nil or has no latency for the path. A backlog
// older than the latency is not delayed further: on AWS the poller finds it waiting.
func DeliveryDelay(p *Profile, clock *awsclock.Clock, path Delivery) func(ctx context.Context, since time.Time) error {
	if p == nil {
		return nil
	}
	dist, ok := p.Deliveries[path]
	if !ok {
		return nil
	}
	return func(ctx context.Context, since time.Time) error {
		d := dist.Sample(nil)
		if !since.IsZero() {
			d -= clock.Since(since)
		}
		if d <= 0 {
			return ctx.Err()
		}
		return clock.Sleep(ctx, d)
	}
}
