// Package lambdaemu emulates the AWS Lambda service on one machine: each execution environment is
// a child process of the function's real bootstrap, served by its own Runtime API endpoint.
// It enforces timeouts and concurrency limits the way Lambda does and exposes the Invoke API so
// the unmodified aws-sdk-go-v2 Lambda client can call it.
package lambdaemu

import (
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/awsclock"
)

// Service is the local Lambda service. All methods are safe for concurrent use.
type Service struct {
	opts   Options
	clock  *awsclock.Clock
	logger *slog.Logger
	logOut *syncWriter

	mu        sync.Mutex
	functions map[string]*function
	closed    bool

	done   chan struct{}  // closed by Close; aborts asynchronous retries
	procs  sync.WaitGroup // one per environment until its process is reaped
	async  sync.WaitGroup // one per queued asynchronous event
	envSeq atomic.Int64
}

// function is the state of one registered function, guarded by Service.mu.
type function struct {
	cfg      FunctionConfig
	arn      string
	modified time.Time     // registration, reported as LastModified
	state    FunctionState // fault drill: running, throttled (Stop) or failing (Fail)
	inFlight int           // invocations holding a concurrency slot
	envs     map[*environment]struct{}
	idle     []*environment // LIFO, so the warmest environment is reused first
	stats    counters
}

// New returns an empty service; Register functions before invoking them.
func New(opts Options) *Service {
	opts = opts.withDefaults()
	return &Service{
		opts:      opts,
		clock:     opts.Clock,
		logger:    opts.Logger.With("component", "lambda"),
		logOut:    &syncWriter{w: opts.LogOutput},
		functions: make(map[string]*function),
		done:      make(chan struct{}),
	}
}

// Register adds a function. Environments start lazily on the first invoke.
func (s *Service) Register(cfg FunctionConfig) error {
	cfg, err := cfg.validated()
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if _, exists := s.functions[cfg.Name]; exists {
		return fmt.Errorf("register %s: already registered", cfg.Name)
	}
	s.functions[cfg.Name] = &function{
		cfg:      cfg,
		arn:      s.functionARN(cfg.Name),
		modified: time.Now(),
		state:    StateRunning,
		envs:     make(map[*environment]struct{}),
	}
	return nil
}

// Close kills every environment, waits until each child process is reaped and every queued
// asynchronous event has given up. Later calls return ErrClosed.
func (s *Service) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.done)
	}
	var envs []*environment
	for _, fn := range s.functions {
		for env := range fn.envs {
			envs = append(envs, env)
		}
		fn.idle = nil
	}
	s.mu.Unlock()

	for _, env := range envs {
		env.kill()
	}
	s.procs.Wait()
	s.async.Wait()
}

func (s *Service) functionARN(name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", s.opts.Region, s.opts.AccountID, name)
}

// lookup returns the function or ErrFunctionNotFound; the caller holds s.mu.
func (s *Service) lookup(name string) (*function, error) {
	fn, ok := s.functions[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrFunctionNotFound, name)
	}
	return fn, nil
}
