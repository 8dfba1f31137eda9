// Package latency models what an AWS call or delivery costs in time on AWS, in region, so the local
// cloud can show a booking's latency as it would be there (localcloud -latency aws). Every figure is AWS
// time; callers sleep it through the cloud's awsclock, so -time-scale shortens it like any AWS wait.
//
// Each operation's latency is log-normal, fitted to a published median and 99th percentile; the README's
// "AWS latency profile" table lists the same figures with their sources.
package latency

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// Dist is a latency distribution given by its median and 99th percentile.
type Dist struct{ P50, P99 time.Duration }

// z99 is the standard normal quantile of 0.99.
const z99 = 2.3263478740408408

// Sample draws one latency: log-normal with the distribution's median and 99th percentile.
func (d Dist) Sample(r *rand.Rand) time.Duration {
	if d.P50 <= 0 {
		return 0
	}
	if d.P99 <= d.P50 {
		return d.P50
	}
	sigma := math.Log(float64(d.P99)/float64(d.P50)) / z99
	var z float64
	if r != nil {
		z = r.NormFloat64()
	} else {
		z = rand.NormFloat64()
	}
	return time.Duration(float64(d.P50) * math.Exp(sigma*z))
}

func ms(p50, p99 float64) Dist {
	return Dist{P50: time.Duration(p50 * float64(time.Millisecond)), P99: time.Duration(p99 * float64(time.Millisecond))}
}

// Delivery names an asynchronous path from a service to a Lambda function.
type Delivery string

const (
	EventBridgeToLambda Delivery = "eventbridge->lambda" // rule target delivery (async invoke)
	StreamsToLambda     Delivery = "dynamodbstreams->lambda"
	SQSToLambda         Delivery = "sqs->lambda"
)

// Profile is the latency of each API operation ("service.Operation") and each delivery path.
type Profile struct {
	Name       string
	Calls      map[string]Dist
	Services   map[string]Dist // an operation of the service the Calls map does not name
	Deliveries map[Delivery]Dist
}

// Call returns the modeled latency distribution of one API call.
func (p *Profile) Call(service, operation string) Dist {
	if d, ok := p.Calls[service+"."+operation]; ok {
		return d
	}
	return p.Services[service]
}

// Names lists the profiles -latency accepts.
const Names = "none, aws"

// ByName returns the named profile; "" and "none" return nil (no latency added).
func ByName(name string) (*Profile, error) {
	switch strings.ToLower(name) {
	case "", "none":
		return nil, nil
	case "aws":
		return AWS(), nil
	}
	return nil, fmt.Errorf("unknown latency profile %q (want one of %s)", name, Names)
}

// AWS is typical in-region latency on AWS, as seen by a caller inside the region (a Lambda function).
// Sources, each also in the README table:
//
//   - [ddb] AWS, "Understanding Amazon DynamoDB latency" (AWS Database Blog) and the DynamoDB product
//     page: single-digit millisecond service-side latency for item reads and writes. Modeled p50 4 ms,
//     p99 10 ms: the top of "single-digit" for the tail, since a client also pays the network hop.
//   - [txn] AWS DynamoDB developer guide, "Managing complex workflows with DynamoDB transactions":
//     every item is prepared and then committed (two underlying writes), and Alex DeBrie,
//     "DynamoDB Transactions Performance Testing" (alexdebrie.com) measured TransactWriteItems clearly
//     slower than PutItem. Modeled as 2.5x a single write: p50 10 ms, p99 25 ms.
//   - [bss] Bite-Sized Serverless, "Serverless Messaging: Latency Compared" (bitesizedserverless.com,
//     eu-west-1, 1,024 messages per service): producer → consumer Lambda p50/p99 of
//     SQS standard 16.2/105 ms, SNS standard 73/225 ms, EventBridge (after AWS's February 2023
//     upgrade) 148/387 ms, DynamoDB Streams 213/552 ms.
//   - [inv] AWS Compute Blog, "Operating Lambda: Performance optimization – Part 1" (a warm invoke reuses
//     the environment and runs only the handler) and the Serverless Forum thread "Lambda call latency":
//     a direct Invoke of a warm Go function measured ~60 ms round trip from a browser 650 miles away, of
//     which 18 ms ran in the function and ~8 ms was the speed of light; in region that leaves ~10-20 ms
//     of Invoke overhead. Modeled p50 12 ms, p99 35 ms on top of the handler's own time.
//   - [api] Publish/PutEvents/SendMessage API calls (the request, not the delivery): no AWS-published
//     percentile; modeled like a DynamoDB write plus fan-out bookkeeping, p50 10 ms, p99 30 ms, below
//     the end-to-end figures of [bss] that include the delivery.
func AWS() *Profile {
	item := ms(4, 10)        // [ddb]
	txn := ms(10, 25)        // [txn]
	scan := ms(8, 25)        // [ddb] a page of items
	publishAPI := ms(10, 30) // [api]
	return &Profile{
		Name: "aws",
		Calls: map[string]Dist{
			"dynamodb.GetItem": item, "dynamodb.PutItem": item, "dynamodb.UpdateItem": item, "dynamodb.DeleteItem": item,
			"dynamodb.Query": item, "dynamodb.Scan": scan, "dynamodb.BatchGetItem": scan, "dynamodb.BatchWriteItem": scan,
			"dynamodb.TransactWriteItems": txn, "dynamodb.TransactGetItems": txn,
			"lambda.Invoke":        ms(12, 35), // [inv] synchronous, warm
			"lambda.InvokeAsync":   ms(8, 25),  // [api] the 202, not the run
			"events.PutEvents":     publishAPI, // [api]
			"sns.Publish":          publishAPI, // [api]
			"sqs.SendMessage":      publishAPI, // [api]
			"sqs.SendMessageBatch": publishAPI, // [api]
		},
		Services: map[string]Dist{
			"dynamodb": item, "lambda": ms(12, 35), "events": publishAPI, "sns": publishAPI, "sqs": publishAPI,
			"cognito": ms(20, 60), "ssm": ms(10, 30), // [api]
		},
		Deliveries: map[Delivery]Dist{
			EventBridgeToLambda: ms(148, 387),  // [bss]
			StreamsToLambda:     ms(213, 552),  // [bss]
			SQSToLambda:         ms(16.2, 105), // [bss]
		},
	}
}
