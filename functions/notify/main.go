// Command notify texts the customer once per customer-visible status change of a booking.
//
// Why it reads the MyPagesTable stream rather than the bus events or the source tables: the
// customer-visible status (PAID → RESERVED → CONFIRMED, or CANCELED; never backwards) is defined once, in
// the mypage projection, and every change of it appends one history entry. Notify sends exactly what the
// customer sees on their page, with no second copy of the status rules to drift; the stream delivers a
// booking's changes in order (per item), so texts arrive in the order the statuses changed; and a history
// entry is only ever added, so "entries in NewImage not in OldImage" is the exact set of texts to send,
// each guarded by an idempotency key sms#<orderId>#<status> against replays.
package main

import (
	"context"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/calltaxi/call-taxi/shared/awsconfig"
	"github.com/calltaxi/call-taxi/shared/envcfg"
	"github.com/calltaxi/call-taxi/shared/idempotency"
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/metrics"
)

const (
	// claimTTL outlives the stream's 24 h retention plus every retry of a record.
	claimTTL = 7 * 24 * time.Hour
	// claimLease outlives one invocation (10 s timeout), so a crashed attempt is taken over by the retry.
	claimLease = 15 * time.Second
)

func main() {
	logger := logging.New(os.Stdout, envcfg.String("LOG_LEVEL", "INFO"))
	table, err := envcfg.Required("NOTIFICATIONS_TABLE")
	if err != nil {
		logger.Error("configuration", "error", err.Error())
		os.Exit(1)
	}
	senderID := envcfg.String("SMS_SENDER_ID", "CallTaxi")
	cfg, err := awsconfig.Load(context.Background())
	if err != nil {
		logger.Error("aws configuration", "error", err.Error())
		os.Exit(1)
	}
	claims := idempotency.New(dynamodb.NewFromConfig(cfg), table, claimTTL, claimLease)
	sender := NewSNSSender(sns.NewFromConfig(cfg), senderID)
	lambda.Start(NewHandlers(sender, claims, metrics.New(os.Stdout, "notify"), logger))
}
