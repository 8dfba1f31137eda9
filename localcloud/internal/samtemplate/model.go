// Package samtemplate reads a SAM template.yaml into the model the local cloud emulates: functions with
// their event sources, DynamoDB tables, EventBridge buses, SQS dead-letter queues and HTTP APIs, with every
// CloudFormation intrinsic resolved to local names and ARNs.
package samtemplate

import (
	"encoding/json"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/tablespec"
)

// Template is the resolved, emulation-ready view of a SAM template.
type Template struct {
	StackName, Region, AccountID string
	// Dir is the absolute directory holding the template file (set by Load; "" for Parse). CodeURI values
	// are relative to it.
	Dir string

	Parameters map[string]string    // resolved: overrides > Default
	Functions  map[string]*Function // by logical id (AWS::Serverless::Function)
	Tables     map[string]*Table    // AWS::DynamoDB::Table and AWS::Serverless::SimpleTable
	Buses      map[string]*Bus      // AWS::Events::EventBus
	Queues     map[string]*Queue    // AWS::SQS::Queue, including SAM-generated EventBridge dead-letter queues
	Rules      map[string]*Rule     // AWS::Events::Rule resources (EventBridgeRule and Schedule events of functions are Function.Rules and Function.Schedules)
	HttpApis   map[string]*HttpApi  // AWS::Serverless::HttpApi, plus the implicit ServerlessHttpApi
	UserPools  map[string]*UserPool // AWS::Cognito::UserPool, with its groups and Lambda triggers
	// SSMParameters are AWS::SSM::Parameter resources: runtime configuration the local Parameter Store
	// serves (Ref is the Name).
	SSMParameters map[string]*SSMParameter
	Unsupported   []string // sorted; one line per resource or property the local cloud does not emulate
}

// Function is an AWS::Serverless::Function after the Globals.Function merge.
type Function struct {
	LogicalID, Name, Arn string // Name = FunctionName property or "<stack>-<LogicalID>"

	CodeURI, Handler, Runtime string
	Architectures             []string
	BuildMethod               string // Metadata.BuildMethod

	Timeout             time.Duration
	MemoryMB            int
	ReservedConcurrency *int // ReservedConcurrentExecutions
	AutoPublishAlias    string

	Env map[string]string // Globals.Function.Environment.Variables merged with the function's

	// EventInvoke is EventInvokeConfig: Lambda's own retries of asynchronous invocations (EventBridge
	// targets are invoked asynchronously). nil when the function has none.
	EventInvoke *EventInvokeConfig

	// Event sources, each sorted by EventName.
	HttpRoutes []HttpRoute
	Rules      []EventRule
	Streams    []StreamEvent
	Queues     []QueueEvent
	Schedules  []ScheduleEvent
}

// EventInvokeConfig is a function's asynchronous invocation configuration.
type EventInvokeConfig struct {
	MaximumRetryAttempts *int           // nil = Lambda default 2
	MaximumEventAge      *time.Duration // nil = Lambda default 6h
	OnFailureQueue       string         // queue name of an SQS OnFailure destination; "" = none
}

// HttpRoute is an HttpApi event of a function.
type HttpRoute struct {
	EventName, ApiLogicalID string
	Method                  string // upper case; "ANY" for any method
	Path                    string // "$default" for the catch-all route
	Authorizer              string // "" = the API's default authorizer; "NONE" = no authorization
	AuthorizationScopes     []string
}

// EventRule is an EventBridgeRule event of a function.
type EventRule struct {
	EventName       string
	BusName         string // "default" when EventBusName is absent
	Pattern         json.RawMessage
	RetryAttempts   *int           // RetryPolicy.MaximumRetryAttempts (nil = EventBridge default 185)
	MaxEventAge     *time.Duration // RetryPolicy.MaximumEventAgeInSeconds (nil = EventBridge default 24h)
	DeadLetterQueue string         // queue name; "" = none
	RuleName        string         // RuleName property or "<stack>-<Function><EventName>"
	Enabled         bool           // State != DISABLED
}

// ScheduleEvent is a Schedule event of a function: an EventBridge rule on the default bus that invokes the
// function asynchronously on a schedule (SAM "Schedule" event source).
type ScheduleEvent struct {
	EventName       string
	Schedule        string          // "rate(5 minutes)" or "cron(0 12 * * ? *)", validated (schedexpr.Parse)
	RuleName        string          // Name property or "<stack>-<Function><EventName>"
	Enabled         bool            // Enabled, or State != DISABLED; default true
	Input           json.RawMessage // nil = the target gets the scheduled event; else this JSON instead
	RetryAttempts   *int            // RetryPolicy.MaximumRetryAttempts (nil = EventBridge default 185)
	MaxEventAge     *time.Duration  // RetryPolicy.MaximumEventAgeInSeconds (nil = EventBridge default 24h)
	DeadLetterQueue string          // queue name; "" = none
}

// StreamEvent is a DynamoDB event of a function.
type StreamEvent struct {
	EventName                  string
	TableLogicalID             string
	TableName                  string
	BatchSize                  int           // default 100
	MaximumBatchingWindow      time.Duration // default 0
	ParallelizationFactor      int           // concurrent batches of the shard, 1–10, default 1
	StartingPosition           string        // TRIM_HORIZON | LATEST
	Filters                    []json.RawMessage
	ReportBatchItemFailures    bool
	MaximumRetryAttempts       *int // nil = retry until the record expires
	BisectBatchOnFunctionError bool
	OnFailureQueue             string // queue name from DestinationConfig.OnFailure.Destination; "" = none
	Enabled                    bool   // default true
}

// Table is a DynamoDB table.
type Table struct {
	LogicalID, Name      string
	Arn                  string
	StreamArn            string // "" when the table has no stream
	KeySchema            []KeyElement
	AttributeDefinitions []AttributeDefinition
	GSIs                 []GSI
	LSIs                 []GSI
	StreamViewType       string // "" when the table has no stream
	TTLAttribute         string // "" when TTL is not enabled
	BillingMode          string // PAY_PER_REQUEST | PROVISIONED
	PointInTimeRecovery  bool
}

// The table shapes are shared with the DynamoDB emulator.
type (
	KeyElement          = tablespec.KeyElement
	AttributeDefinition = tablespec.AttributeDefinition
	GSI                 = tablespec.Index // a secondary index (global or local)
)

// Bus is an EventBridge event bus.
type Bus struct{ LogicalID, Name, Arn string }

// Queue is an SQS queue. Zero durations mean the SQS defaults (visibility 30 s, retention 4 days).
type Queue struct {
	LogicalID, Name, Arn, URL string

	VisibilityTimeout      time.Duration
	MessageRetentionPeriod time.Duration
	DelaySeconds           time.Duration
	ReceiveMessageWaitTime time.Duration
	// RedrivePolicy: after MaxReceiveCount receives a message moves to DeadLetterQueue (a queue name).
	DeadLetterQueue string
	MaxReceiveCount int
}

// Rule is an AWS::Events::Rule resource with its targets. It has a Pattern, a Schedule or both: "A rule can
// have both an EventPattern and a ScheduleExpression, in which case the rule triggers on matching events as
// well as on a schedule" (PutRule).
type Rule struct {
	LogicalID, Name string
	BusName         string          // "default" when EventBusName is absent
	Pattern         json.RawMessage // nil when the rule has only a ScheduleExpression
	Schedule        string          // ScheduleExpression, validated; "" = none
	Enabled         bool            // State != DISABLED
	Targets         []RuleTarget
}

// RuleTarget is one target of a Rule: an SQS queue or a Lambda function (exactly one is set).
type RuleTarget struct {
	ID              string
	Queue           string         // queue name
	Function        string         // function name
	RetryAttempts   *int           // RetryPolicy.MaximumRetryAttempts (nil = EventBridge default 185)
	MaxEventAge     *time.Duration // RetryPolicy.MaximumEventAgeInSeconds (nil = EventBridge default 24h)
	DeadLetterQueue string         // queue name; "" = none
	// Input replaces the event with this constant JSON; applied to scheduled firings only (input
	// rewriting of matched events is not emulated and reported in Unsupported).
	Input json.RawMessage
}

// QueueEvent is an SQS event of a function: a Lambda event source mapping on a queue.
type QueueEvent struct {
	EventName               string
	QueueLogicalID          string
	QueueName               string
	BatchSize               int           // default 10
	MaximumBatchingWindow   time.Duration // default 0
	Filters                 []json.RawMessage
	ReportBatchItemFailures bool
	MaximumConcurrency      int  // ScalingConfig.MaximumConcurrency; 0 = not set
	Enabled                 bool // default true
}

// HttpApi is an API Gateway HTTP API.
type HttpApi struct {
	LogicalID         string
	ApiID             string // what Ref returns: the lower-cased logical id
	StageName         string // default "$default"
	Authorizers       map[string]*JWTAuthorizer
	DefaultAuthorizer string
	CORS              *CORS // nil = no CORS configuration
}

// JWTAuthorizer is an HTTP API JWT authorizer.
type JWTAuthorizer struct {
	Name, Issuer        string
	Audiences           []string
	IdentitySource      string // default "$request.header.Authorization"
	AuthorizationScopes []string
}

// CORS is an HTTP API CorsConfiguration. `CorsConfiguration: true` means AllowOrigins ["*"] only, as in SAM.
type CORS struct {
	AllowOrigins, AllowMethods, AllowHeaders, ExposeHeaders []string
	MaxAge                                                  int
	AllowCredentials                                        bool
}

// SSMParameter is an AWS::SSM::Parameter: a String or StringList parameter with its initial value.
type SSMParameter struct {
	LogicalID, Name, Arn string
	Type                 string // String | StringList
	Value                string // a StringList's items joined by commas, as Parameter Store keeps them
	Description          string
	AllowedPattern       string // "" = none
	DataType             string // "" = text
}

// UserPool is a Cognito user pool: its groups (AWS::Cognito::UserPoolGroup) and the functions it invokes,
// from Cognito events of functions and from its own LambdaConfig.
type UserPool struct {
	LogicalID string
	ID, Arn   string            // ID is what Ref returns
	Groups    []string          // group names, in logical id order
	Triggers  map[string]string // LambdaConfig trigger (PostConfirmation, ...) → function name
}
