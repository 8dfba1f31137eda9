// Package awsclock is the local cloud's notion of AWS time. Every AWS-defined wait the local cloud
// emulates (SQS visibility timeouts and retention, Lambda's asynchronous retry delays and maximum event
// age, EventBridge retry windows, stream retries, TTL deletion delay) is written in AWS seconds, exactly
// as the AWS documentation and template.yaml state them, and converted to wall time here. A scale of 600
// runs ten minutes of AWS time per wall second, so a test can cover hours of retry windows in seconds;
// the default scale 1 is real time.
package awsclock

import (
	"context"
	"time"
)

// Clock converts AWS durations to wall durations. The zero value and a nil *Clock are real time.
type Clock struct {
	scale float64   // AWS seconds per wall second; 0 means 1
	epoch time.Time // wall time at which AWS time and wall time agree
}

// New returns a clock that runs scale AWS seconds per wall second (scale <= 0 means 1).
func New(scale float64) *Clock {
	if scale <= 0 {
		scale = 1
	}
	return &Clock{scale: scale, epoch: time.Now()}
}

// Scale is the number of AWS seconds per wall second.
func (c *Clock) Scale() float64 {
	if c == nil || c.scale <= 0 {
		return 1
	}
	return c.scale
}

// Wall is how long an AWS duration d lasts on the wall clock.
func (c *Clock) Wall(d time.Duration) time.Duration {
	s := c.Scale()
	if s == 1 || d <= 0 {
		return d
	}
	return time.Duration(float64(d) / s)
}

// AWS is how much AWS time a wall duration d represents.
func (c *Clock) AWS(d time.Duration) time.Duration {
	s := c.Scale()
	if s == 1 {
		return d
	}
	return time.Duration(float64(d) * s)
}

// Now is the current AWS time: it runs Scale times faster than the wall clock from the clock's creation.
func (c *Clock) Now() time.Time {
	if c == nil || c.Scale() == 1 {
		return time.Now()
	}
	return c.epoch.Add(c.AWS(time.Since(c.epoch)))
}

// Since is the AWS time elapsed since the AWS time t.
func (c *Clock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }

// NewTimer fires after the AWS duration d.
func (c *Clock) NewTimer(d time.Duration) *time.Timer { return time.NewTimer(c.Wall(d)) }

// AfterFunc calls f after the AWS duration d.
func (c *Clock) AfterFunc(d time.Duration, f func()) *time.Timer { return time.AfterFunc(c.Wall(d), f) }

// Sleep waits the AWS duration d, or until ctx ends (then it returns ctx.Err()).
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	t := c.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
