// Command reservation is the reservation context's Lambda: the managers' reservation API, the consumer
// of payment, order and taxi events, and the publisher of its own table's stream.
package main

import (
	"context"
	"fmt"
	"os"
	"time"
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
	table, err := envcfg.Required("RESERVATIONS_TABLE")
	if err != nil {
		logger.Error("configuration", "error", err.Error())
		os.Exit(1)
	}
	busName, err := envcfg.Required("EVENT_BUS_NAME")
	if err != nil {
		logger.Error("configuration", "error", err.Error())
		os.Exit(1)
	}
	zone, err := time.LoadLocation(envcfg.String("COMPANY_TIME_ZONE", "Asia/Seoul"))
	if err != nil {
		logger.Error("configuration", "error", fmt.Errorf("COMPANY_TIME_ZONE: %w", err).Error())
		os.Exit(1)
	}
	cfg, err := awsconfig.Load(context.Background())
	if err != nil {
		logger.Error("aws configuration", "error", err.Error())
		os.Exit(1)
	}
	service := NewService(NewDynamoStore(dynamodb.NewFromConfig(cfg), table), zone)
	publisher := bus.NewEventBridge(eventbridge.NewFromConfig(cfg), busName)
	lambda.Start(newHandlers(service, publisher, logger))
}
