package lambdaemu

import "fmt"

// Reclaim shuts down the function's idle environments, as Lambda does with environments it no longer
// needs, and returns how many it ended once their processes are gone. Busy environments run on; the
// function's state is untouched, so the next invoke simply cold-starts (the bench's idle cold-start phase).
func (s *Service) Reclaim(function string) (int, error) {
	s.mu.Lock()
	fn, err := s.lookup(function)
	if err != nil {
		s.mu.Unlock()
		return 0, fmt.Errorf("reclaim: %w", err)
	}
	idle := fn.idle
	fn.idle = nil
	s.mu.Unlock()

	killAndWait(idle)
	return len(idle), nil
}

// killAndWait kills the environments and returns once their processes are gone.
func killAndWait(envs []*environment) {
	for _, env := range envs {
		env.kill()
	}
	for _, env := range envs {
		<-env.exited
	}
}
