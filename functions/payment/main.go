// Command payment is the payment context's Lambda code, deployed as two functions (PAYMENT_ROLE):
// PaymentFunction charges and refunds for order behind its reserved concurrency; PaymentRecordsFunction
// serves the payment history, the status of an order's payment, and publishes the Payments table's
// changes as events.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/calltaxi/call-taxi/shared/awsconfig"
	"github.com/calltaxi/call-taxi/shared/bus"
	"github.com/calltaxi/call-taxi/shared/envcfg"
	"github.com/calltaxi/call-taxi/shared/lambdamux"
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/metrics"
	"github.com/calltaxi/call-taxi/shared/outbox"
	"github.com/calltaxi/call-taxi/shared/runtimeconfig"
)

func main() {
	logger := logging.New(os.Stdout, envcfg.String("LOG_LEVEL", "INFO"))
	fail := func(msg string, err error) {
		logger.Error(msg, "error", err.Error())
		os.Exit(1)
	}
	role, err := envcfg.Required("PAYMENT_ROLE")
	if err != nil {
		fail("configuration", err)
	}
	paymentsTable, err := envcfg.Required("PAYMENTS_TABLE")
	if err != nil {
		fail("configuration", err)
	}
	cfg, err := awsconfig.Load(context.Background())
	if err != nil {
		fail("aws configuration", err)
	}
	store := NewDynamoStore(dynamodb.NewFromConfig(cfg), paymentsTable)
	rec := metrics.New(os.Stdout, "payment")

	var handlers lambdamux.Handlers
	switch role {
	case RoleCharges:
		latencyMS, err := envcfg.Int("PAYMENT_GATEWAY_LATENCY_MS", 0)
		if err != nil {
			fail("configuration", err)
		}
		// The gateway URL changes at run time: the environment names its Parameter Store parameter.
		gatewayParameter, err := envcfg.Required("PAYMENT_GATEWAY_URL_PARAMETER")
		if err != nil {
			fail("configuration", err)
		}
		configTTLSeconds, err := envcfg.Int("CONFIG_TTL_SECONDS", int(runtimeconfig.DefaultTTL/time.Second))
		if err != nil {
			fail("configuration", err)
		}
		configTTL, err := runtimeconfig.TTL(configTTLSeconds)
		if err != nil {
			fail("configuration", err)
		}
		config := runtimeconfig.New(ssm.NewFromConfig(cfg), configTTL, logger)
		gateway := NewParameterGateway(config, gatewayParameter, time.Duration(latencyMS)*time.Millisecond)
		handlers = NewChargeHandlers(NewService(store, gateway, rec), logger)
	case RoleRecords:
		busName, err := envcfg.Required("EVENT_BUS_NAME")
		if err != nil {
			fail("configuration", err)
		}
		box := outbox.NewHandler(DeriveEvents, bus.NewEventBridge(eventbridge.NewFromConfig(cfg), busName), logger)
		handlers = NewRecordsHandlers(NewService(store, nil, rec), box, logger)
	default:
		fail("configuration", fmt.Errorf("PAYMENT_ROLE %q: want %s or %s", role, RoleCharges, RoleRecords))
	}
	lambda.Start(handlers)
}
