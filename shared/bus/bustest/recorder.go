// Package bustest is an in-memory bus.Publisher for tests of the publishing contexts.
package bustest

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/calltaxi/call-taxi/shared/bus"
	"github.com/calltaxi/call-taxi/shared/contracts"
)

// ErrPublish is what a failing Recorder returns.
var ErrPublish = errors.New("bustest: publish failed")

// Recorder keeps every published event; set Fail to make Publish fail (nothing recorded).
type Recorder struct {
	mu     sync.Mutex
	events []contracts.Event
	Fail   bool
}

var _ bus.Publisher = (*Recorder)(nil)

func (r *Recorder) Publish(ctx context.Context, evs ...contracts.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Fail {
		return ErrPublish
	}
	for _, ev := range evs {
		bus.Stamp(ctx, ev, time.Now())
	}
	r.events = append(r.events, evs...)
	return nil
}

// Events returns what was published, in order.
func (r *Recorder) Events() []contracts.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]contracts.Event(nil), r.events...)
}

// Names returns the names of what was published, in order.
func (r *Recorder) Names() []string {
	var names []string
	for _, ev := range r.Events() {
		names = append(names, ev.EventName())
	}
	return names
}

// Count returns how many events with that name were published.
func (r *Recorder) Count(name string) int {
	n := 0
	for _, ev := range r.Events() {
		if ev.EventName() == name {
			n++
		}
	}
	return n
}

// Reset forgets what was published.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = nil
}
