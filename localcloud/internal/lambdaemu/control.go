package lambdaemu

import (
	"fmt"
	"math/rand/v2"
	"sort"
)

// FunctionState is what a fault drill makes of a function, named after what AWS would show.
type FunctionState string

const (
	// StateRunning is normal operation.
	StateRunning FunctionState = "running"
	// StateThrottled is a function with reserved concurrency 0: every invoke is throttled.
	StateThrottled FunctionState = "throttled"
	// StateFailing is a broken deploy: every invocation ends in a function error.
	StateFailing FunctionState = "failing"
)

// Stop throttles the function exactly as reserved concurrency 0 does: a synchronous invoke fails
// with *ThrottleError (ReservedFunctionConcurrentInvocationLimitExceeded) and an asynchronous event
// goes straight to the OnFailure destination. Every environment is killed (an in-flight invocation
// fails with Runtime.ExitError); Stop returns once the processes are gone.
func (s *Service) Stop(function string) error {
	if err := s.setState(function, StateThrottled); err != nil {
		return fmt.Errorf("stop: %w", err)
	}
	return nil
}

// Fail makes every invocation end in a function error, as after a deploy of a bootstrap that exits
// at once: the Invoke API answers 200 with X-Amz-Function-Error: Unhandled and a Runtime.ExitError
// payload, and asynchronous events are retried as function errors. No process runs; existing
// environments are killed as by Stop.
func (s *Service) Fail(function string) error {
	if err := s.setState(function, StateFailing); err != nil {
		return fmt.Errorf("fail: %w", err)
	}
	return nil
}

// Start restores normal running; the next invoke cold-starts a new environment.
func (s *Service) Start(function string) error {
	if err := s.setState(function, StateRunning); err != nil {
		return fmt.Errorf("start: %w", err)
	}
	return nil
}

// State returns the function's fault-drill state.
func (s *Service) State(function string) (FunctionState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, err := s.lookup(function)
	if err != nil {
		return "", err
	}
	return fn.state, nil
}

func (s *Service) setState(function string, state FunctionState) error {
	s.mu.Lock()
	fn, err := s.lookup(function)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	fn.state = state
	var envs []*environment
	if state != StateRunning {
		for env := range fn.envs {
			envs = append(envs, env)
		}
		fn.idle = nil
	}
	s.mu.Unlock()

	killAndWait(envs)
	s.logger.Info("function state set by fault drill", "function", function, "state", string(state), "environmentsKilled", len(envs))
	return nil
}

// brokenDeployError is what a function in StateFailing returns: what Lambda reports when the
// bootstrap exits during init.
func brokenDeployError(requestID string) *FunctionError {
	return newFunctionError("Runtime.ExitError",
		fmt.Sprintf("RequestId: %s Error: Runtime exited with error: exit status 1", requestID))
}

// KillRandomEnvironment SIGKILLs one live environment, busy or idle, chosen at random (chaos
// drill). It returns a description such as "call-taxi-PaymentFunction/env-3 (pid 4242)", or
// false when no environment is running.
func (s *Service) KillRandomEnvironment() (string, bool) {
	s.mu.Lock()
	var candidates []*environment
	for _, fn := range s.functions {
		for env := range fn.envs {
			if !env.isKilled() {
				candidates = append(candidates, env)
			}
		}
	}
	s.mu.Unlock()
	if len(candidates) == 0 {
		return "", false
	}
	// Map iteration order is random already; sorting first makes rand the only source of choice.
	sort.Slice(candidates, func(i, j int) bool { return candidates[i].id < candidates[j].id })
	env := candidates[rand.IntN(len(candidates))]
	env.kill()
	desc := fmt.Sprintf("%s/%s (pid %d)", env.function, env.id, env.cmd.Process.Pid)
	s.logger.Info("environment killed by chaos drill", "environment", desc)
	return desc, true
}
