package lambdaemu

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/xray"
)

// maxDispatchAttempts bounds how often an invocation moves on after its environment died before
// the bootstrap picked it up (for example a process exiting right after reporting a panic).
const maxDispatchAttempts = 3

type invokeResult struct {
	payload []byte
	err     error
}

// Invoke runs the function synchronously (InvocationType RequestResponse) and returns its
// response payload. Errors: ErrFunctionNotFound, *ThrottleError, *FunctionError, ErrClosed, or
// ctx.Err(). As in Lambda, a caller that gives up does not stop the invocation: it runs to
// completion or timeout and holds its concurrency slot until then.
func (s *Service) Invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	return s.invoke(ctx, function, payload, newRequestID())
}

// invoke is Invoke under a given request id: every attempt of an asynchronous event keeps its id.
func (s *Service) invoke(ctx context.Context, function string, payload []byte, requestID string) ([]byte, error) {
	fn, err := s.acquire(function)
	if err != nil {
		return nil, err
	}
	done := make(chan invokeResult, 1)
	go func() {
		defer s.release(fn)
		out, err := s.execute(fn, payload, requestID, xray.Trace(ctx))
		done <- invokeResult{out, err}
	}()
	select {
	case r := <-done:
		return r.payload, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// execute runs one invocation that already holds a concurrency slot.
// trace is the caller's X-Ray header ("" = a new trace).
func (s *Service) execute(fn *function, payload []byte, requestID, trace string) ([]byte, error) {
	if len(payload) == 0 {
		payload = []byte("{}") // Lambda hands an invoke without payload to the handler as {}
	}
	inv := newInvocation(fn.arn, payload, requestID)
	inv.traceID = continueTrace(inv.traceID, trace)
	for range maxDispatchAttempts {
		env, err := s.environmentFor(fn, inv.requestID)
		if err != nil {
			s.recordOutcome(fn, err)
			return nil, err
		}
		o, delivered := s.runOn(fn, env, inv)
		if !delivered {
			continue
		}
		if o.err != nil {
			s.recordOutcome(fn, o.err)
			return nil, o.err
		}
		return o.payload, nil
	}
	return nil, fmt.Errorf("invoke %s: environments kept dying before accepting the invocation", fn.cfg.Name)
}

// environmentFor returns a warm idle environment, or starts one and waits for its cold start.
func (s *Service) environmentFor(fn *function, requestID string) (*environment, error) {
	s.mu.Lock()
	if err := s.refusalLocked(fn, requestID); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	if n := len(fn.idle); n > 0 {
		env := fn.idle[n-1]
		fn.idle = fn.idle[:n-1]
		s.mu.Unlock()
		return env, nil
	}
	s.mu.Unlock()

	env, err := s.spawn(fn, requestID)
	if err != nil {
		return nil, err
	}
	if err := s.awaitInit(fn, env, requestID); err != nil {
		env.kill()
		return nil, err
	}
	return env, nil
}

// runOn hands inv to env and waits for its outcome, the timeout, or the process's death.
// delivered is false when env died before the bootstrap received inv, so it may go elsewhere.
func (s *Service) runOn(fn *function, env *environment, inv *invocation) (o outcome, delivered bool) {
	timeout := fn.cfg.Timeout
	inv.deadline = time.Now().Add(timeout)
	env.pending <- inv // never blocks: env is ours alone and its slot is empty
	timer := time.NewTimer(timeout)
	defer timer.Stop()

	select {
	case o := <-inv.result:
		s.makeIdle(fn, env)
		return o, true
	case <-timer.C:
		if o, ok := tryResult(inv); ok {
			s.makeIdle(fn, env)
			return o, true
		}
		env.kill()
		s.logger.Info("invocation timed out", "function", fn.cfg.Name, "requestId", inv.requestID, "timeout", timeout)
		return outcome{err: newFunctionError("Sandbox.Timedout", fmt.Sprintf(
			"RequestId: %s Error: Task timed out after %.2f seconds", inv.requestID, timeout.Seconds()))}, true
	case <-env.exited:
		if o, ok := tryResult(inv); ok {
			return o, true
		}
		if !inv.delivered.Load() {
			return outcome{}, false
		}
		s.logger.Info("environment died during invocation", "function", fn.cfg.Name, "requestId", inv.requestID,
			"status", exitText(env.exitErr))
		return outcome{err: exitError(inv.requestID, env.exitErr)}, true
	}
}

func tryResult(inv *invocation) (outcome, bool) {
	select {
	case o := <-inv.result:
		return o, true
	default:
		return outcome{}, false
	}
}

// makeIdle offers env for reuse unless it died, was killed, or a fault drill holds its function.
// A process that exits later (after reporting a panic) is removed again by reap.
func (s *Service) makeIdle(fn *function, env *environment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, alive := fn.envs[env]; !alive || s.closed || fn.state != StateRunning || env.isKilled() {
		return
	}
	fn.idle = append(fn.idle, env)
}

func (s *Service) recordOutcome(fn *function, err error) {
	var fe *FunctionError
	if !errors.As(err, &fe) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fn.stats.errors++
	if fe.Type == "Sandbox.Timedout" {
		fn.stats.timeouts++
	}
}

// continueTrace keeps the caller's trace root (as Lambda propagates X-Amzn-Trace-Id) with the new
// invocation's own Parent and sampling fields; without a caller's root the new header stands.
func continueTrace(own, caller string) string {
	root := xray.Root(caller)
	if root == "" {
		return own
	}
	if i := strings.Index(own, ";"); i >= 0 {
		return "Root=" + root + own[i:]
	}
	return "Root=" + root
}
