// Command taxi is the taxi context's Lambda: the drivers' fleet API, the consumer of reservation events
// that assigns and releases taxis, and the publisher of its assignments table's stream.
package main

import (
	"context"
	"errors"
	"os"

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
	taxisTable, errTaxis := envcfg.Required("TAXIS_TABLE")
	assignmentsTable, errAssignments := envcfg.Required("TAXI_ASSIGNMENTS_TABLE")
	busName, errBus := envcfg.Required("EVENT_BUS_NAME")
	if err := errors.Join(errTaxis, errAssignments, errBus); err != nil {
		logging.Exit(logger, "configuration", err)
	}
	cfg, err := awsconfig.Load(context.Background())
	if err != nil {
		logging.Exit(logger, "aws configuration", err)
	}
	service := NewService(NewDynamoStore(dynamodb.NewFromConfig(cfg), taxisTable, assignmentsTable), metrics.New(os.Stdout, "taxi"))
	publisher := bus.NewEventBridge(eventbridge.NewFromConfig(cfg), busName)
	lambda.Start(NewHandlers(service, publisher, logger))
}
