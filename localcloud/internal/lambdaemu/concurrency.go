package lambdaemu

// acquire takes a concurrency slot for one invocation or fails at once, as Lambda never queues a
// synchronous invoke. A function with reserved concurrency is limited by its reservation; the
// others share what the reservations leave of the account limit.
func (s *Service) acquire(name string) (*function, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	fn, err := s.lookup(name)
	if err != nil {
		return nil, err
	}
	if fn.state == StateThrottled {
		fn.stats.throttles++
		return nil, &ThrottleError{Reason: ReasonReservedConcurrency}
	}
	if reserved := fn.cfg.ReservedConcurrency; reserved != nil {
		if fn.inFlight >= *reserved {
			fn.stats.throttles++
			return nil, &ThrottleError{Reason: ReasonReservedConcurrency}
		}
	} else if s.unreservedInFlight() >= s.unreservedLimit() {
		fn.stats.throttles++
		return nil, &ThrottleError{Reason: ReasonAccountConcurrency}
	}
	fn.inFlight++
	fn.stats.invocations++
	return fn, nil
}

func (s *Service) release(fn *function) {
	s.mu.Lock()
	fn.inFlight--
	s.mu.Unlock()
}

func (s *Service) unreservedInFlight() int {
	n := 0
	for _, fn := range s.functions {
		if fn.cfg.ReservedConcurrency == nil {
			n += fn.inFlight
		}
	}
	return n
}

func (s *Service) unreservedLimit() int {
	limit := s.opts.AccountConcurrency
	for _, fn := range s.functions {
		if fn.cfg.ReservedConcurrency != nil {
			limit -= *fn.cfg.ReservedConcurrency
		}
	}
	return limit
}

// zeroConcurrency reports whether the function may not run at all: reserved concurrency 0, or
// throttled by Stop, which stands for exactly that.
func (s *Service) zeroConcurrency(fn *function) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fn.state == StateThrottled || (fn.cfg.ReservedConcurrency != nil && *fn.cfg.ReservedConcurrency == 0)
}
