package lambdaemu

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// environment is one execution environment: a bootstrap process and its Runtime API endpoint.
// It runs one invocation at a time.
type environment struct {
	id        string
	function  string
	cmd       *exec.Cmd
	server    *http.Server
	spawnedAt time.Time
	stdout    *lineWriter
	stderr    *lineWriter

	pending chan *invocation // handed to the next GET /next; capacity 1

	ready     chan struct{} // closed at the first GET /next: the cold start is over
	readyOnce sync.Once
	killed    chan struct{} // closed by kill
	killOnce  sync.Once
	exited    chan struct{} // closed once the process is reaped; exitErr is set before
	exitErr   error

	mu      sync.Mutex
	current *invocation    // delivered and not yet answered
	initErr *FunctionError // posted to /runtime/init/error
}

// spawn starts a new environment for fn and registers it; the caller then waits for readiness.
func (s *Service) spawn(fn *function, requestID string) (*environment, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for runtime api: %w", err)
	}
	env := &environment{
		id:      fmt.Sprintf("env-%d", s.envSeq.Add(1)),
		pending: make(chan *invocation, 1),
		ready:   make(chan struct{}),
		killed:  make(chan struct{}),
		exited:  make(chan struct{}),
	}
	env.server = &http.Server{Handler: env.runtimeAPI(), ReadHeaderTimeout: 10 * time.Second}

	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refusalLocked(fn, requestID); err != nil {
		listener.Close()
		return nil, err
	}
	env.function = fn.cfg.Name
	env.stdout = newLineWriter(s.logOut, fn.cfg.Name)
	env.stderr = newLineWriter(s.logOut, fn.cfg.Name)
	cmd := exec.Command(fn.cfg.Binary)
	cmd.Dir = filepath.Dir(fn.cfg.Binary)
	cmd.Env = s.environ(fn, env, listener.Addr().String())
	cmd.Stdout = env.stdout
	cmd.Stderr = env.stderr
	cmd.SysProcAttr = childProcAttr()
	cmd.WaitDelay = 2 * time.Second // do not hang on a grandchild that inherited the log pipes
	env.cmd = cmd
	env.spawnedAt = time.Now()
	if err := cmd.Start(); err != nil {
		listener.Close()
		// What Lambda reports when the bootstrap is missing or not executable.
		return nil, newFunctionError("Runtime.InvalidEntrypoint",
			fmt.Sprintf("RequestId: %s Error: %v", requestID, err))
	}
	fn.envs[env] = struct{}{}
	s.procs.Add(1)
	go func() { _ = env.server.Serve(listener) }()
	go s.reap(fn, env)
	s.logger.Debug("environment started", "function", fn.cfg.Name, "env", env.id, "pid", cmd.Process.Pid)
	return env, nil
}

// reap waits for the process to end, then forgets the environment.
func (s *Service) reap(fn *function, env *environment) {
	env.exitErr = env.cmd.Wait()
	env.stdout.Flush()
	env.stderr.Flush()
	s.mu.Lock()
	delete(fn.envs, env)
	fn.idle = removeEnv(fn.idle, env)
	s.mu.Unlock()
	close(env.exited) // after the bookkeeping, so a waiter sees the environment gone
	env.server.Close()
	s.logger.Debug("environment exited", "function", env.function, "env", env.id, "status", exitText(env.exitErr))
	s.procs.Done()
}

// kill sends SIGKILL, as Lambda does on a timeout or when an environment is reclaimed.
func (env *environment) kill() {
	env.killOnce.Do(func() {
		close(env.killed)
		killProcess(env.cmd)
	})
}

func (env *environment) isKilled() bool {
	select {
	case <-env.killed:
		return true
	default:
		return false
	}
}

func (env *environment) markReady() {
	env.readyOnce.Do(func() { close(env.ready) })
}

// awaitInit waits for the cold start to finish: the bootstrap's first GET /next.
func (s *Service) awaitInit(fn *function, env *environment, requestID string) error {
	timer := time.NewTimer(s.opts.InitTimeout)
	defer timer.Stop()
	select {
	case <-env.ready:
		s.recordColdStart(fn, time.Since(env.spawnedAt))
		return nil
	case <-env.exited:
		if err := s.refusal(fn, requestID); err != nil {
			return err
		}
		env.mu.Lock()
		initErr := env.initErr
		env.mu.Unlock()
		if initErr != nil {
			return initErr
		}
		return exitError(requestID, env.exitErr)
	case <-timer.C:
		env.kill()
		return newFunctionError("Sandbox.Timedout", fmt.Sprintf(
			"RequestId: %s Error: Init phase timed out after %.2f seconds", requestID, s.opts.InitTimeout.Seconds()))
	}
}

// refusal reports why no environment may run now (service closed, function throttled or failing
// by a fault drill), or nil.
func (s *Service) refusal(fn *function, requestID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refusalLocked(fn, requestID)
}

// refusalLocked is refusal for a caller that holds s.mu.
func (s *Service) refusalLocked(fn *function, requestID string) error {
	if s.closed {
		return ErrClosed
	}
	switch fn.state {
	case StateThrottled:
		return &ThrottleError{Reason: ReasonReservedConcurrency}
	case StateFailing:
		return brokenDeployError(requestID)
	}
	return nil
}

func exitError(requestID string, exitErr error) *FunctionError {
	return newFunctionError("Runtime.ExitError", fmt.Sprintf("RequestId: %s Error: %s", requestID, exitText(exitErr)))
}

func exitText(err error) string {
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return "Runtime exited without providing a reason"
	case errors.As(err, &exitErr):
		return "Runtime exited with error: " + exitErr.Error()
	default:
		return "Runtime exited with error: " + err.Error()
	}
}

func removeEnv(envs []*environment, target *environment) []*environment {
	for i, env := range envs {
		if env == target {
			return append(envs[:i], envs[i+1:]...)
		}
	}
	return envs
}
