// Package runtimeconfig reads configuration that must change without a code deploy from SSM Parameter
// Store, through a short cache.
//
// Why not the function's Environment: every trigger calls the `live` alias, and SAM names a published
// version by hashing the unresolved function properties, so a changed stack parameter passed through
// Environment updates $LATEST but never the version `live` points at. The environment holds only the
// parameter's name, which no parameter value changes.
package runtimeconfig

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/calltaxi/call-taxi/shared/runtimeconfig/ssm"
)

// DefaultTTL is how long a value is served before it is read again when CONFIG_TTL_SECONDS is unset.
const DefaultTTL = 30 * time.Second

// Getter is the part of the SSM client the reader uses.
type Getter interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput) (*ssm.GetParameterOutput, error)
}

var _ Getter = (*ssm.Client)(nil)

// TTL turns CONFIG_TTL_SECONDS into a cache lifetime: 0 reads the parameter on every call.
func TTL(seconds int) (time.Duration, error) {
	if seconds < 0 {
		return 0, fmt.Errorf("config ttl %d s: must be 0 or more", seconds)
	}
	return time.Duration(seconds) * time.Second, nil
}

// Reader serves string parameters, each read again once its value is older than the TTL. A failed
// refresh serves the last good value (and is logged); a parameter never read successfully is an error.
type Reader struct {
	client Getter
	ttl    time.Duration
	logger *slog.Logger
	now    func() time.Time

	mu      sync.Mutex
	entries map[string]*entry
}

type entry struct {
	mu      sync.Mutex // one refresh of a name at a time
	value   string
	version int64
	has     bool
	checked time.Time // the last refresh attempt, good or failed
}

// New returns a reader over client with the given cache lifetime.
func New(client Getter, ttl time.Duration, logger *slog.Logger) *Reader {
	return &Reader{client: client, ttl: ttl, logger: logger, now: time.Now, entries: map[string]*entry{}}
}

// String returns the parameter's current value, at most the TTL old.
func (r *Reader) String(ctx context.Context, name string) (string, error) {
	e := r.entry(name)
	e.mu.Lock()
	defer e.mu.Unlock()
	now := r.now()
	if e.has && now.Sub(e.checked) < r.ttl {
		return e.value, nil
	}
	value, version, err := r.get(ctx, name)
	if err != nil {
		if !e.has {
			return "", fmt.Errorf("runtime config %s: %w", name, err)
		}
		// Wait a TTL before the next attempt, so a throttled or unreachable SSM is not asked per request.
		e.checked = now
		r.logger.Warn("runtime config refresh failed; serving the last good value",
			"parameter", name, "version", e.version, "error", err.Error())
		return e.value, nil
	}
	if e.has && value != e.value {
		r.logger.Info("runtime config changed", "parameter", name, "version", version)
	}
	e.value, e.version, e.has, e.checked = value, version, true, now
	return value, nil
}

func (r *Reader) get(ctx context.Context, name string) (string, int64, error) {
	out, err := r.client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name)})
	if err != nil {
		return "", 0, fmt.Errorf("ssm get parameter: %w", err)
	}
	if out.Parameter == nil || out.Parameter.Value == nil {
		return "", 0, errors.New("ssm get parameter: the answer has no value")
	}
	return *out.Parameter.Value, out.Parameter.Version, nil
}

func (r *Reader) entry(name string) *entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.entries[name]
	if !ok {
		e = &entry{}
		r.entries[name] = e
	}
	return e
}

// Value is a parameter parsed into T, parsed again only when its text changes. A text that does not
// parse is treated like a failed refresh: the last good value stays (logged once per bad text).
type Value[T any] struct {
	reader *Reader
	name   string
	parse  func(string) (T, error)

	mu     sync.Mutex
	raw    string
	val    T
	has    bool
	badRaw string
}

// NewValue returns the parameter name of r, parsed with parse.
func NewValue[T any](r *Reader, name string, parse func(string) (T, error)) *Value[T] {
	return &Value[T]{reader: r, name: name, parse: parse}
}

// Name is the parameter's name.
func (v *Value[T]) Name() string { return v.name }

// Get returns the current parsed value.
func (v *Value[T]) Get(ctx context.Context) (T, error) {
	var zero T
	raw, err := v.reader.String(ctx, v.name)
	if err != nil {
		return zero, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.has && (raw == v.raw || raw == v.badRaw) {
		return v.val, nil
	}
	val, err := v.parse(raw)
	if err != nil {
		if !v.has {
			return zero, fmt.Errorf("runtime config %s=%q: %w", v.name, raw, err)
		}
		v.badRaw = raw
		v.reader.logger.Warn("runtime config value is invalid; serving the last good value",
			"parameter", v.name, "value", raw, "error", err.Error())
		return v.val, nil
	}
	v.raw, v.val, v.has, v.badRaw = raw, val, true, ""
	return val, nil
}
