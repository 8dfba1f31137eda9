// Package cloud composes the local cloud from template.yaml: it builds the functions with the SAM Makefile
// targets, then serves Lambda, the HTTP API with its JWT authorizer, DynamoDB with Streams, EventBridge
// and SNS, all pointed at each other the way the template wires them on AWS.
package cloud

import (
	"io"
	"log/slog"
	"time"
)

// Config says where the template is and where to serve.
type Config struct {
	RepoRoot           string            // where template.yaml, samconfig.toml and the Makefile are
	Template           string            // default RepoRoot/template.yaml
	Samconfig          string            // default RepoRoot/samconfig.toml ("-" = none)
	SamconfigEnv       string            // default "default"
	ParameterOverrides map[string]string // win over samconfig's
	APIAddr            string            // default 127.0.0.1:3000; ":0" style for tests
	ServicesAddr       string            // the AWS endpoints; default 127.0.0.1:4566
	DataDir            string            // default RepoRoot/.localcloud
	Reset              bool              // wipe DataDir first
	SkipBuild          bool              // reuse binaries already in BuildDir
	BuildDir           string            // default DataDir/build
	AccountConcurrency int               // default 1000
	TokenTTL           time.Duration     // default 12h
	Logger             *slog.Logger
	FunctionLogs       io.Writer // function stdout/stderr; default os.Stderr
	StaticDir          string    // web console served at / (default RepoRoot/web when it exists; "-" = none)
	// TimeScale runs this many AWS seconds per wall second for every AWS-defined wait (SQS visibility
	// timeouts, retry delays, event ages); 0 or 1 = real time. Tests use e.g. 600 to cover hours in seconds.
	TimeScale float64
	// TransactionConflictRate is the probability (0 to 1) that a DynamoDB write to an item a recent
	// TransactWriteItems holds fails with a transaction conflict, as on AWS; 0 = never (ddbemu.Options).
	TransactionConflictRate float64
	// TTLDeletionDelay is the AWS time an expired DynamoDB item stays readable and writable before TTL
	// deletes it; 0 = ddbemu's default (5 minutes), negative = at the next sweep.
	TTLDeletionDelay time.Duration
	// SMSPartsPerSecond is the account's SMS rate in message parts per AWS second, beyond which SNS
	// Publish answers ThrottlingException; 0 = AWS's default of 20, negative = unlimited.
	SMSPartsPerSecond float64
	// Latency names a latency profile ("aws": typical in-region AWS latencies, see package latency)
	// added to every AWS call and delivery, in AWS time; "" or "none" adds nothing.
	Latency string
}

// DefaultSMSPartsPerSecond is AWS's default SMS rate (message parts per second on shared routes).
const DefaultSMSPartsPerSecond = 20

const (
	region    = "us-east-1"
	accountID = "000000000000"
)
