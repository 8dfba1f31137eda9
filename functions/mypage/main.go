// Command mypage serves the customer's booking view (GET /mypages, GET /mypages/{orderId}) and builds it
// from the DynamoDB Streams of the Orders, Payments and Reservations tables.
package main

import (
	"context"
	"fmt"
	"os"
	"time"
	_ "time/tzdata" // the company's time zone, whatever the runtime image carries

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/calltaxi/call-taxi/shared/awsconfig"
	"github.com/calltaxi/call-taxi/shared/envcfg"
	"github.com/calltaxi/call-taxi/shared/logging"
)

func main() {
	logger := logging.New(os.Stdout, envcfg.String("LOG_LEVEL", "INFO"))
	table, err := envcfg.Required("MYPAGE_TABLE")
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
	store := NewDynamoStore(dynamodb.NewFromConfig(cfg), table)
	lambda.Start(NewHandlers(store, zone, logger))
}
