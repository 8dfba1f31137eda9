package lambdaemu

import (
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/awsclock"
)

// Defaults that mirror AWS.
const (
	defaultAccountConcurrency = 1000
	defaultTimeout            = 3 * time.Second
	defaultMemoryMB           = 128
	defaultRegion             = "us-east-1"
	defaultAccountID          = "123456789012"
	// Lambda gives an on-demand environment 10 s to initialise.
	defaultInitTimeout   = 10 * time.Second
	defaultArchitecture  = "x86_64"
	defaultRetryAttempts = 2 // EventInvokeConfig MaximumRetryAttempts
	maxRetryAttempts     = 2
	defaultMaxEventAge   = 6 * time.Hour // EventInvokeConfig MaximumEventAgeInSeconds 21600
	minMaxEventAge       = time.Minute   // MaximumEventAgeInSeconds 60
	maxMaxEventAge       = 6 * time.Hour
)

// FunctionConfig is one function as the template declares it.
type FunctionConfig struct {
	Name                string            // physical function name, e.g. "call-taxi-PaymentFunction"
	Binary              string            // path to the host-built bootstrap
	Env                 map[string]string // from the template + AWS_ENDPOINT_URL_* etc. (the caller fills it)
	Timeout             time.Duration     // Lambda Timeout; enforced. 0 = 3 s
	MemoryMB            int               // reported to the function only. 0 = 128
	ReservedConcurrency *int              // nil = unreserved (account limit applies); 0 = always throttled
	Architectures       []string          // reported by GetFunction only. nil = ["x86_64"]

	// EventInvokeConfig: how Lambda retries an asynchronous invocation and where it records one it
	// gives up on (PutFunctionEventInvokeConfig).
	MaximumRetryAttempts *int           // retries after a function error, 0–2; nil = 2
	MaximumEventAge      *time.Duration // how long an event may stay queued, 60 s–6 h; nil = 6 h
	OnFailure            string         // SQS queue name of the on-failure destination; "" = none
}

func (c FunctionConfig) retryAttempts() int {
	if c.MaximumRetryAttempts == nil {
		return defaultRetryAttempts
	}
	return *c.MaximumRetryAttempts
}

func (c FunctionConfig) maxEventAge() time.Duration {
	if c.MaximumEventAge == nil {
		return defaultMaxEventAge
	}
	return *c.MaximumEventAge
}

// Options configures the service. Zero values select AWS's defaults.
type Options struct {
	AccountConcurrency int // default 1000
	Logger             *slog.Logger
	LogOutput          io.Writer // function stdout/stderr lines go here, prefixed with the function name

	Region    string // AWS_REGION given to functions and used in ARNs; default us-east-1
	AccountID string // used in ARNs; default 123456789012
	// InitTimeout bounds a cold start (spawn to the first /next call); default 10 s.
	InitTimeout time.Duration
	// Clock runs every AWS-defined wait of asynchronous invocation (retry delays, backoff, maximum
	// event age); nil = real time.
	Clock *awsclock.Clock
	// Destinations receives the invocation records of asynchronous invocations sent to a function's
	// OnFailure queue; nil = records are logged and discarded.
	Destinations Destinations
}

func (o Options) withDefaults() Options {
	if o.AccountConcurrency <= 0 {
		o.AccountConcurrency = defaultAccountConcurrency
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	if o.LogOutput == nil {
		o.LogOutput = io.Discard
	}
	if o.Region == "" {
		o.Region = defaultRegion
	}
	if o.AccountID == "" {
		o.AccountID = defaultAccountID
	}
	if o.InitTimeout <= 0 {
		o.InitTimeout = defaultInitTimeout
	}
	return o
}

func (c FunctionConfig) validated() (FunctionConfig, error) {
	if c.Name == "" {
		return c, fmt.Errorf("function config: name is required")
	}
	if c.Binary == "" {
		return c, fmt.Errorf("function %s: binary is required", c.Name)
	}
	if c.ReservedConcurrency != nil && *c.ReservedConcurrency < 0 {
		return c, fmt.Errorf("function %s: reserved concurrency %d is negative", c.Name, *c.ReservedConcurrency)
	}
	if n := c.MaximumRetryAttempts; n != nil && (*n < 0 || *n > maxRetryAttempts) {
		return c, fmt.Errorf("function %s: MaximumRetryAttempts %d is outside 0-%d", c.Name, *n, maxRetryAttempts)
	}
	if age := c.MaximumEventAge; age != nil && (*age < minMaxEventAge || *age > maxMaxEventAge) {
		return c, fmt.Errorf("function %s: MaximumEventAge %v is outside %v-%v", c.Name, *age, minMaxEventAge, maxMaxEventAge)
	}
	if c.Timeout <= 0 {
		c.Timeout = defaultTimeout
	}
	if c.MemoryMB <= 0 {
		c.MemoryMB = defaultMemoryMB
	}
	env := make(map[string]string, len(c.Env))
	for k, v := range c.Env {
		env[k] = v
	}
	c.Env = env
	if c.ReservedConcurrency != nil {
		reserved := *c.ReservedConcurrency
		c.ReservedConcurrency = &reserved
	}
	if c.MaximumRetryAttempts != nil {
		n := *c.MaximumRetryAttempts
		c.MaximumRetryAttempts = &n
	}
	if c.MaximumEventAge != nil {
		age := *c.MaximumEventAge
		c.MaximumEventAge = &age
	}
	if len(c.Architectures) == 0 {
		c.Architectures = []string{defaultArchitecture}
	} else {
		c.Architectures = append([]string(nil), c.Architectures...)
	}
	return c, nil
}
