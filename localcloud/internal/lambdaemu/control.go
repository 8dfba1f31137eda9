package lambdaemu

import (
	"fmt"
	"math/rand/v2"
	"sort"
)

// Stop takes the function down for a fault drill: it kills every environment (an in-flight
// invocation fails with Runtime.ExitError) and, until Start, invokes fail with *UnavailableError.
// It returns once the processes are gone.
func (s *Service) Stop(function string) error {
	s.mu.Lock()
	fn, err := s.lookup(function)
	if err != nil {
		s.mu.Unlock()
		return fmt.Errorf("stop: %w", err)
	}
	fn.stopped = true
	envs := make([]*environment, 0, len(fn.envs))
	for env := range fn.envs {
		envs = append(envs, env)
	}
	fn.idle = nil
	s.mu.Unlock()

	for _, env := range envs {
		env.kill()
	}
	for _, env := range envs {
		<-env.exited
	}
	s.logger.Info("function stopped", "function", function, "environmentsKilled", len(envs))
	return nil
}

// Start brings a stopped function back; the next invoke cold-starts a new environment.
func (s *Service) Start(function string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, err := s.lookup(function)
	if err != nil {
		return fmt.Errorf("start: %w", err)
	}
	fn.stopped = false
	s.logger.Info("function started", "function", function)
	return nil
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
