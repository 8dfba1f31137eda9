package lambdaemu

import (
	"context"
	"errors"
	"time"
)

const (
	asyncFirstBackoff = time.Second
	asyncMaxBackoff   = time.Minute
)

// InvokeAsync queues an event (InvocationType Event) and returns at once. Like Lambda it retries
// a function error twice (after Options.AsyncRetryDelays) and keeps retrying throttles and a
// stopped function with backoff until Options.AsyncMaxEventAge; a dropped event is logged and
// passed to Options.OnAsyncFailure.
func (s *Service) InvokeAsync(function string, payload []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if _, err := s.lookup(function); err != nil {
		return err
	}
	s.async.Add(1)
	go s.deliverAsync(function, append([]byte(nil), payload...))
	return nil
}

func (s *Service) deliverAsync(function string, payload []byte) {
	defer s.async.Done()
	queuedAt := time.Now()
	functionErrors := 0
	backoff := asyncFirstBackoff
	for {
		_, err := s.Invoke(context.Background(), function, payload)
		if err == nil {
			return
		}
		var (
			fe *FunctionError
			te *ThrottleError
			ue *UnavailableError
		)
		var delay time.Duration
		switch {
		case errors.As(err, &fe):
			if functionErrors >= len(s.opts.AsyncRetryDelays) {
				s.dropAsync(function, payload, err)
				return
			}
			delay = s.opts.AsyncRetryDelays[functionErrors]
			functionErrors++
		case errors.As(err, &te), errors.As(err, &ue):
			delay = backoff
			backoff = min(2*backoff, asyncMaxBackoff)
			if time.Since(queuedAt)+delay > s.opts.AsyncMaxEventAge {
				s.dropAsync(function, payload, err)
				return
			}
		default:
			s.dropAsync(function, payload, err)
			return
		}
		s.logger.Info("retrying asynchronous invocation", "function", function, "error", err.Error(), "delay", delay)
		timer := time.NewTimer(delay)
		select {
		case <-timer.C:
		case <-s.done:
			timer.Stop()
			s.dropAsync(function, payload, ErrClosed)
			return
		}
	}
}

func (s *Service) dropAsync(function string, payload []byte, err error) {
	s.logger.Error("asynchronous invocation dropped", "function", function, "error", err.Error())
	if s.opts.OnAsyncFailure != nil {
		s.opts.OnAsyncFailure(function, payload, err)
	}
}
