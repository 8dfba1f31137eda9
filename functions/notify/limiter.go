package main

import (
	"sync"
	"time"
)

// Limiter is a token bucket of SMS parts per second for one execution environment: the stack's rate
// divided among the sender's concurrent environments (its MaximumConcurrency), holding at most one
// second of tokens. It lives as long as the environment, across invocations.
type Limiter struct {
	mu     sync.Mutex
	rate   float64 // parts per second
	burst  float64
	tokens float64
	last   time.Time
	now    func() time.Time
}

// NewLimiter returns a full bucket of rate parts per second.
func NewLimiter(rate float64) *Limiter {
	burst := max(rate, 1)
	return &Limiter{rate: rate, burst: burst, tokens: burst, now: time.Now}
}

// Reserve takes parts if they are available within maxWait and says how long to wait before sending;
// ok is false (nothing taken) when they are not, with how long it would take.
func (l *Limiter) Reserve(parts int, maxWait time.Duration) (wait time.Duration, ok bool) {
	if l == nil || l.rate <= 0 {
		return 0, true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if !l.last.IsZero() {
		l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.rate)
	}
	l.last = now
	need := float64(parts) - l.tokens
	if need <= 0 {
		l.tokens -= float64(parts)
		return 0, true
	}
	wait = time.Duration(need / l.rate * float64(time.Second))
	if wait > maxWait {
		return wait, false
	}
	l.tokens -= float64(parts)
	return wait, true
}
