// Command payment is the payment context's Lambda: order invokes it to charge and refund, and it serves
// the payment history route.
package main

import (
	"context"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/calltaxi/call-taxi/shared/awsconfig"
	"github.com/calltaxi/call-taxi/shared/bus"
	"github.com/calltaxi/call-taxi/shared/envcfg"
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/metrics"
)

func main() {
	logger := logging.New(os.Stdout, envcfg.String("LOG_LEVEL", "INFO"))
	fail := func(msg string, err error) {
		logger.Error(msg, "error", err.Error())
		os.Exit(1)
	}
	paymentsTable, err := envcfg.Required("PAYMENTS_TABLE")
	if err != nil {
		fail("configuration", err)
	}
	busName, err := envcfg.Required("EVENT_BUS_NAME")
	if err != nil {
		fail("configuration", err)
	}
	latencyMS, err := envcfg.Int("PAYMENT_GATEWAY_LATENCY_MS", 0)
	if err != nil {
		fail("configuration", err)
	}
	gateway, err := NewGateway(envcfg.String("PAYMENT_GATEWAY_URL", "simulated://"), time.Duration(latencyMS)*time.Millisecond)
	if err != nil {
		fail("configuration", err)
	}

	cfg, err := awsconfig.Load(context.Background())
	if err != nil {
		fail("aws configuration", err)
	}
	svc := NewService(
		NewDynamoStore(dynamodb.NewFromConfig(cfg), paymentsTable),
		gateway,
		bus.NewEventBridge(eventbridge.NewFromConfig(cfg), busName),
		metrics.New(os.Stdout, "payment"),
	)
	lambda.Start(NewHandlers(svc, logger))
}
