// Command mypage serves the customer's booking view (GET /mypages, GET /mypages/{orderId}) and builds it
// from the DynamoDB Streams of the Orders, Payments and Reservations tables.
package main

import (
	"context"
	"errors"
	"os"
	_ "time/tzdata" // the company's time zone, whatever the runtime image carries

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/calltaxi/call-taxi/shared/awsconfig"
	"github.com/calltaxi/call-taxi/shared/envcfg"
	"github.com/calltaxi/call-taxi/shared/logging"
)

func main() {
	logger := logging.New(os.Stdout, envcfg.String("LOG_LEVEL", "INFO"))
	table, errTable := envcfg.Required("MYPAGE_TABLE")
	zone, errZone := envcfg.Location("COMPANY_TIME_ZONE", "Asia/Seoul")
	if err := errors.Join(errTable, errZone); err != nil {
		logging.Exit(logger, "configuration", err)
	}
	cfg, err := awsconfig.Load(context.Background())
	if err != nil {
		logging.Exit(logger, "aws configuration", err)
	}
	store := NewDynamoStore(dynamodb.NewFromConfig(cfg), table)
	lambda.Start(NewHandlers(NewService(store, zone), logger))
}
