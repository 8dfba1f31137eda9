// Command reservation is the reservation context's Lambda: the managers' reservation API, the consumer
// of payment, order and taxi events, and the publisher of its own table's stream.
package main

import (
	"context"
	"errors"
	"os"
	_ "time/tzdata" // the company's time zone, whatever the runtime image carries

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/calltaxi/call-taxi/shared/awsconfig"
	"github.com/calltaxi/call-taxi/shared/bus"
	"github.com/calltaxi/call-taxi/shared/envcfg"
	"github.com/calltaxi/call-taxi/shared/logging"
)

func main() {
	logger := logging.New(os.Stdout, envcfg.String("LOG_LEVEL", "INFO"))
	table, errTable := envcfg.Required("RESERVATIONS_TABLE")
	busName, errBus := envcfg.Required("EVENT_BUS_NAME")
	zone, errZone := envcfg.Location("COMPANY_TIME_ZONE", "Asia/Seoul")
	if err := errors.Join(errTable, errBus, errZone); err != nil {
		logging.Exit(logger, "configuration", err)
	}
	cfg, err := awsconfig.Load(context.Background())
	if err != nil {
		logging.Exit(logger, "aws configuration", err)
	}
	service := NewService(NewDynamoStore(dynamodb.NewFromConfig(cfg), table), zone)
	publisher := bus.NewEventBridge(eventbridge.NewFromConfig(cfg), busName)
	lambda.Start(NewHandlers(service, publisher, logger))
}
