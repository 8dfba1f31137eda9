// Command notify texts the customer about every customer-visible status change of a booking, each
// announced exactly once, in one-part texts in the customer's language, within the account's SMS rate.
//
// Why it reads the MyPagesTable stream rather than the bus events or the source tables: the
// customer-visible status (PAID → RESERVED → CONFIRMED, or CANCELED; never backwards) is defined once, in
// the mypage projection, and every change of it appends one history entry. Notify announces exactly what
// the customer sees on their page, with no second copy of the status rules to drift; a history entry is
// only ever added, so "entries in NewImage not in OldImage" is the exact set of statuses to announce.
//
// Two halves, decoupled by an SQS queue so that SMS throttling never holds up the stream:
//   - the stream consumer decides what to say: it adds the new statuses to the booking's notification
//     record (a set: replays change nothing) and queues the booking with a short delay;
//   - the sender (the queue's event source mapping, ScalingConfig.MaximumConcurrency environments) texts
//     every pending status of the booking in one text, within its share of SMS_PARTS_PER_SECOND, and puts
//     a throttled message back on the queue with backoff (ChangeMessageVisibility).
package main

import (
	"context"
	"errors"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/calltaxi/call-taxi/shared/awsconfig"
	"github.com/calltaxi/call-taxi/shared/envcfg"
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/metrics"
	"github.com/calltaxi/call-taxi/shared/runtimeconfig"
	"github.com/calltaxi/call-taxi/shared/runtimeconfig/ssm"
)

const (
	// recordTTL outlives the stream's 24 h retention, the SMS queue's 4 days and every retry.
	recordTTL = 7 * 24 * time.Hour
	// recordLease outlives one invocation (10 s timeout), so a crashed send is taken over by the retry.
	recordLease = 15 * time.Second
)

func main() {
	logger := logging.New(os.Stdout, envcfg.String("LOG_LEVEL", "INFO"))
	table, errTable := envcfg.Required("NOTIFICATIONS_TABLE")
	queueURL, errQueue := envcfg.Required("SMS_QUEUE_URL")
	// The region SNS sends SMS from: not every region can (SmsRegion in template.yaml).
	smsRegion, errRegion := envcfg.Required("SMS_REGION")
	var errRate, errConcurrency error
	partsPerSecond, err := strconv.ParseFloat(envcfg.String("SMS_PARTS_PER_SECOND", "20"), 64)
	if err != nil || partsPerSecond <= 0 {
		errRate = errors.New("SMS_PARTS_PER_SECOND must be a positive number")
	}
	concurrency, err := envcfg.Int("SMS_SENDER_CONCURRENCY", 2)
	if err != nil || concurrency < 1 {
		errConcurrency = errors.New("SMS_SENDER_CONCURRENCY must be a positive integer")
	}
	// The sender ID changes at run time: the environment names its Parameter Store parameter.
	senderIDParameter, errSender := envcfg.Required("SMS_SENDER_ID_PARAMETER")
	configTTLSeconds, errTTL := envcfg.Int("CONFIG_TTL_SECONDS", int(runtimeconfig.DefaultTTL/time.Second))
	configTTL, errTTLRange := runtimeconfig.TTL(configTTLSeconds)
	if err := errors.Join(errTable, errQueue, errRegion, errRate, errConcurrency, errSender, errTTL, errTTLRange); err != nil {
		logging.Exit(logger, "configuration", err)
	}
	cfg, err := awsconfig.Load(context.Background())
	if err != nil {
		logging.Exit(logger, "aws configuration", err)
	}
	// Parameter Store in the stack's region, not the SMS region.
	senderIDs := NewSenderIDParameter(runtimeconfig.New(ssm.NewFromConfig(cfg), configTTL, logger), senderIDParameter)
	records := NewRecords(dynamodb.NewFromConfig(cfg), table, recordTTL, recordLease)
	queue := NewSQSQueue(sqs.NewFromConfig(cfg), queueURL)
	// The sender owns SMS retries (the queue, with backoff): one attempt per call, so a throttled
	// environment never spins in the SDK's retry loop.
	smsClient := sns.NewFromConfig(cfg, func(o *sns.Options) {
		o.Region = smsRegion
		o.RetryMaxAttempts = 1
	})
	limiter := NewLimiter(partsPerSecond / float64(concurrency))
	lambda.Start(NewHandlers(records, queue, NewSNSSender(smsClient, senderIDs), limiter, metrics.New(os.Stdout, "notify"), logger))
}
