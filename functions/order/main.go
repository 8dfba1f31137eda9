// Command order is the order context's Lambda: it places orders (charging through the payment
// function), shows them and cancels them (refunding), publishes the Orders table's changes as events,
// and sweeps orders left unpaid.
package main

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/calltaxi/call-taxi/shared/awsconfig"
	"github.com/calltaxi/call-taxi/shared/bus"
	"github.com/calltaxi/call-taxi/shared/envcfg"
	"github.com/calltaxi/call-taxi/shared/idempotency"
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/metrics"
	"github.com/calltaxi/call-taxi/shared/outbox"
	"github.com/calltaxi/call-taxi/shared/runtimeconfig"
	"github.com/calltaxi/call-taxi/shared/runtimeconfig/ssm"
)

// An Idempotency-Key is remembered for a day; an attempt is trusted for twice the function timeout.
const (
	idempotencyTTL   = 24 * time.Hour
	idempotencyLease = 30 * time.Second
)

func main() {
	logger := logging.New(os.Stdout, envcfg.String("LOG_LEVEL", "INFO"))
	ordersTable, errOrders := envcfg.Required("ORDERS_TABLE")
	idempotencyTable, errIdempotency := envcfg.Required("ORDER_IDEMPOTENCY_TABLE")
	paymentFunction, errPayment := envcfg.Required("PAYMENT_FUNCTION_NAME")
	paymentRecordsFunction, errRecords := envcfg.Required("PAYMENT_RECORDS_FUNCTION_NAME")
	paymentQualifier := envcfg.String("PAYMENT_FUNCTION_QUALIFIER", "live")
	// The minimum fare changes at run time: the environment names its Parameter Store parameter.
	minTaxiPriceParameter, errMinPrice := envcfg.Required("MIN_TAXI_PRICE_PARAMETER")
	configTTLSeconds, errTTL := envcfg.Int("CONFIG_TTL_SECONDS", int(runtimeconfig.DefaultTTL/time.Second))
	configTTL, errTTLRange := runtimeconfig.TTL(configTTLSeconds)
	busName, errBus := envcfg.Required("EVENT_BUS_NAME")
	if err := errors.Join(errOrders, errIdempotency, errPayment, errRecords, errMinPrice, errTTL, errTTLRange, errBus); err != nil {
		logging.Exit(logger, "configuration", err)
	}
	cfg, err := awsconfig.Load(context.Background())
	if err != nil {
		logging.Exit(logger, "aws configuration", err)
	}
	db := dynamodb.NewFromConfig(cfg)
	// One attempt: a throttled payment answers 429 at once instead of the SDK retrying into the timeout.
	lambdaClient := awslambda.NewFromConfig(cfg, func(o *awslambda.Options) { o.RetryMaxAttempts = 1 })

	keys := idempotency.New(db, idempotencyTable, idempotencyTTL, idempotencyLease)
	svc := NewService(
		NewDynamoStore(db, ordersTable),
		NewDynamoKeyedOrders(db, ordersTable, keys),
		NewLambdaPayments(lambdaClient, paymentFunction, paymentRecordsFunction, paymentQualifier),
		keys,
		metrics.New(os.Stdout, "order"),
		NewParameterFares(runtimeconfig.New(ssm.NewFromConfig(cfg), configTTL, logger), minTaxiPriceParameter),
	)
	box := outbox.NewHandler(DeriveEvents, bus.NewEventBridge(eventbridge.NewFromConfig(cfg), busName), logger)
	lambda.Start(NewHandlers(svc, box, logger))
}
