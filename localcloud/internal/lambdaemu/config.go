package lambdaemu

import (
	"fmt"
	"io"
	"log/slog"
	"time"
)

// Defaults that mirror AWS.
const (
	defaultAccountConcurrency = 1000
	defaultTimeout            = 3 * time.Second
	defaultMemoryMB           = 128
	defaultRegion             = "us-east-1"
	defaultAccountID          = "123456789012"
	// Lambda gives an on-demand environment 10 s to initialise.
	defaultInitTimeout = 10 * time.Second
	// Asynchronous invocation retries a function error twice, after about one and two minutes,
	// and keeps an event that is throttled for at most six hours.
	defaultAsyncMaxEventAge = 6 * time.Hour
)

var defaultAsyncRetryDelays = []time.Duration{time.Minute, 2 * time.Minute}

// FunctionConfig is one function as the template declares it.
type FunctionConfig struct {
	Name                string            // physical function name, e.g. "call-taxi-PaymentFunction"
	Binary              string            // path to the host-built bootstrap
	Env                 map[string]string // from the template + AWS_ENDPOINT_URL_* etc. (the caller fills it)
	Timeout             time.Duration     // Lambda Timeout; enforced. 0 = 3 s
	MemoryMB            int               // reported to the function only. 0 = 128
	ReservedConcurrency *int              // nil = unreserved (account limit applies); 0 = always throttled
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
	// AsyncRetryDelays are the waits before each retry of an asynchronous invoke that failed with a
	// function error; default {1m, 2m} like AWS. Set shorter delays for fast local feedback.
	AsyncRetryDelays []time.Duration // nil = default; empty = never retry
	// AsyncMaxEventAge bounds how long a throttled or stopped asynchronous event is retried; default 6 h.
	AsyncMaxEventAge time.Duration
	// OnAsyncFailure, if set, receives an asynchronous event that was finally dropped (where AWS
	// would send it to an on-failure destination or DLQ).
	OnAsyncFailure func(function string, payload []byte, err error)
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
	if o.AsyncRetryDelays == nil {
		o.AsyncRetryDelays = defaultAsyncRetryDelays
	}
	if o.AsyncMaxEventAge <= 0 {
		o.AsyncMaxEventAge = defaultAsyncMaxEventAge
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
	return c, nil
}
