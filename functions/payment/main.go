// Command payment is the payment context's Lambda code, deployed as two functions (PAYMENT_ROLE):
// PaymentFunction charges and refunds for order behind its reserved concurrency; PaymentRecordsFunction
// serves the payment history, the status of an order's payment, and publishes the Payments table's
// changes as events.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/calltaxi/call-taxi/shared/awsconfig"
	"github.com/calltaxi/call-taxi/shared/bus"
	"github.com/calltaxi/call-taxi/shared/envcfg"
	"github.com/calltaxi/call-taxi/shared/lambdamux"
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/metrics"
	"github.com/calltaxi/call-taxi/shared/outbox"
	"github.com/calltaxi/call-taxi/shared/runtimeconfig"
	"github.com/calltaxi/call-taxi/shared/runtimeconfig/ssm"
)

func main() {
	logger := logging.New(os.Stdout, envcfg.String("LOG_LEVEL", "INFO"))
	role, errRole := envcfg.Required("PAYMENT_ROLE")
	paymentsTable, errTable := envcfg.Required("PAYMENTS_TABLE")
	var errs []error
	switch role {
	case RoleCharges, RoleRecords, "":
	default:
		errs = append(errs, fmt.Errorf("PAYMENT_ROLE %q: want %s or %s", role, RoleCharges, RoleRecords))
	}
	// Each role reads only its own variables.
	var (
		latencyMS        int
		gatewayParameter string
		configTTL        time.Duration
		busName          string
	)
	if role == RoleCharges {
		var errLatency, errGateway, errTTL, errTTLRange error
		latencyMS, errLatency = envcfg.Int("PAYMENT_GATEWAY_LATENCY_MS", 0)
		// The gateway URL changes at run time: the environment names its Parameter Store parameter.
		gatewayParameter, errGateway = envcfg.Required("PAYMENT_GATEWAY_URL_PARAMETER")
		configTTLSeconds, errTTL := envcfg.Int("CONFIG_TTL_SECONDS", int(runtimeconfig.DefaultTTL/time.Second))
		configTTL, errTTLRange = runtimeconfig.TTL(configTTLSeconds)
		errs = append(errs, errLatency, errGateway, errTTL, errTTLRange)
	}
	if role == RoleRecords {
		var errBus error
		busName, errBus = envcfg.Required("EVENT_BUS_NAME")
		errs = append(errs, errBus)
	}
	if err := errors.Join(append(errs, errRole, errTable)...); err != nil {
		logging.Exit(logger, "configuration", err)
	}
	cfg, err := awsconfig.Load(context.Background())
	if err != nil {
		logging.Exit(logger, "aws configuration", err)
	}
	store := NewDynamoStore(dynamodb.NewFromConfig(cfg), paymentsTable)
	rec := metrics.New(os.Stdout, "payment")

	var handlers lambdamux.Handlers
	if role == RoleCharges {
		config := runtimeconfig.New(ssm.NewFromConfig(cfg), configTTL, logger)
		gateway := NewParameterGateway(config, gatewayParameter, time.Duration(latencyMS)*time.Millisecond)
		handlers = NewChargeHandlers(NewService(store, gateway, rec), logger)
	} else {
		box := outbox.NewHandler(DeriveEvents, bus.NewEventBridge(eventbridge.NewFromConfig(cfg), busName), logger)
		handlers = NewRecordsHandlers(NewService(store, nil, rec), box, logger)
	}
	lambda.Start(handlers)
}
