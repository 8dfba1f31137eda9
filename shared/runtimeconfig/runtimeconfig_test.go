package runtimeconfig

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/calltaxi/call-taxi/shared/runtimeconfig/ssmtest"
)

var _ Getter = (*ssmtest.Store)(nil)

// step is one moment of a scenario: change the store, let time pass, then read.
type step struct {
	put      string // new value of the parameter ("" = unchanged)
	fail     bool   // SSM fails from this step on (until a step sets recover)
	recover  bool
	after    time.Duration
	want     string
	wantErr  string // substring of the error; "" = no error
	wantCall bool   // this read asked SSM
	wantLog  string // substring of the log written by this read
}

func TestReaderCachesForTTLAndServesLastGoodValue(t *testing.T) {
	const name = "/stack/min-taxi-price"
	throttled := errors.New("api error ThrottlingException: Rate exceeded")
	tests := []struct {
		name    string
		ttl     time.Duration
		initial string // "" = the parameter does not exist
		steps   []step
	}{
		{
			name: "first read asks SSM; reads within the TTL are cached; after it the new value is served",
			ttl:  30 * time.Second, initial: "3800",
			steps: []step{
				{want: "3800", wantCall: true},
				{put: "5000", after: 10 * time.Second, want: "3800"},
				{after: 19 * time.Second, want: "3800"},
				{after: time.Second, want: "5000", wantCall: true, wantLog: "runtime config changed"},
			},
		},
		{
			name: "TTL 0 reads every time",
			ttl:  0, initial: "3800",
			steps: []step{
				{want: "3800", wantCall: true},
				{want: "3800", wantCall: true},
				{put: "4000", want: "4000", wantCall: true},
			},
		},
		{
			name: "a failed refresh serves the last good value, logs it, and waits a TTL before asking again",
			ttl:  time.Second, initial: "3800",
			steps: []step{
				{want: "3800", wantCall: true},
				{fail: true, after: time.Second, want: "3800", wantCall: true, wantLog: "serving the last good value"},
				{after: 500 * time.Millisecond, want: "3800"},
				{recover: true, put: "4500", after: 500 * time.Millisecond, want: "4500", wantCall: true},
			},
		},
		{
			name: "no value ever read: a missing parameter is an error naming it, and the next read asks again",
			ttl:  time.Minute,
			steps: []step{
				{wantErr: "runtime config /stack/min-taxi-price: ssm get parameter: api error ParameterNotFound", wantCall: true},
				{put: "3800", want: "3800", wantCall: true},
			},
		},
		{
			name: "no value ever read: SSM failing is an error",
			ttl:  time.Minute, initial: "3800",
			steps: []step{
				{fail: true, wantErr: "Rate exceeded", wantCall: true},
				{recover: true, want: "3800", wantCall: true},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &ssmtest.Store{}
			if tt.initial != "" {
				fake.Put(name, tt.initial)
			}
			var logs bytes.Buffer
			r := New(fake, tt.ttl, slog.New(slog.NewTextHandler(&logs, nil)))
			now := time.Unix(1_700_000_000, 0)
			r.now = func() time.Time { return now }
			for i, s := range tt.steps {
				if s.put != "" {
					fake.Put(name, s.put)
				}
				if s.fail {
					fake.Fail(throttled)
				}
				if s.recover {
					fake.Fail(nil)
				}
				now = now.Add(s.after)
				logs.Reset()
				calls := fake.Calls()
				got, err := r.String(context.Background(), name)
				if s.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), s.wantErr) {
						t.Errorf("step %d: err = %v, want one containing %q", i, err, s.wantErr)
					}
				} else if err != nil || got != s.want {
					t.Errorf("step %d: String = %q, %v; want %q", i, got, err, s.want)
				}
				if asked := fake.Calls() > calls; asked != s.wantCall {
					t.Errorf("step %d: asked SSM = %v, want %v", i, asked, s.wantCall)
				}
				if s.wantLog != "" && !strings.Contains(logs.String(), s.wantLog) {
					t.Errorf("step %d: log %q does not contain %q", i, logs.String(), s.wantLog)
				}
			}
		})
	}
}

func TestNotFoundIsTheAPIError(t *testing.T) {
	r := New(&ssmtest.Store{}, time.Minute, slog.New(slog.DiscardHandler))
	_, err := r.String(context.Background(), "/missing")
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ParameterNotFound" {
		t.Errorf("err = %v, want it to wrap the API error ParameterNotFound", err)
	}
}

func positive(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("not an integer: %w", err)
	}
	if n <= 0 {
		return 0, errors.New("must be positive")
	}
	return n, nil
}

func TestValueParsesOnChangeAndKeepsTheLastGoodValue(t *testing.T) {
	const name = "/stack/min-taxi-price"
	tests := []struct {
		name    string
		initial string
		puts    []string // one per read after the first
		want    []int64  // one per read
		wantErr bool     // the first read fails
		parses  int      // parse calls over all reads
		warns   int      // log lines about invalid values
	}{
		{name: "valid values, each parsed once", initial: "3800", puts: []string{"", "5000", ""}, want: []int64{3800, 3800, 5000, 5000}, parses: 2},
		{name: "an invalid value keeps the last good one, logged once", initial: "3800", puts: []string{"abc", "", "-1", "4200"}, want: []int64{3800, 3800, 3800, 3800, 4200}, parses: 4, warns: 2},
		{name: "invalid from the start is an error", initial: "0", wantErr: true, parses: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &ssmtest.Store{}
			fake.Put(name, tt.initial)
			var logs bytes.Buffer
			parses := 0
			v := NewValue(New(fake, 0, slog.New(slog.NewTextHandler(&logs, nil))), name, func(s string) (int64, error) {
				parses++
				return positive(s)
			})
			got, err := v.Get(context.Background())
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), name) {
					t.Fatalf("Get = %d, %v; want an error naming %s", got, err, name)
				}
			} else if err != nil || got != tt.want[0] {
				t.Fatalf("read 0: Get = %d, %v; want %d", got, err, tt.want[0])
			}
			for i, put := range tt.puts {
				if put != "" {
					fake.Put(name, put)
				}
				if got, err := v.Get(context.Background()); err != nil || got != tt.want[i+1] {
					t.Errorf("read %d: Get = %d, %v; want %d", i+1, got, err, tt.want[i+1])
				}
			}
			if parses != tt.parses {
				t.Errorf("parsed %d times, want %d", parses, tt.parses)
			}
			if n := strings.Count(logs.String(), "value is invalid"); n != tt.warns {
				t.Errorf("%d warnings about invalid values, want %d:\n%s", n, tt.warns, logs.String())
			}
		})
	}
}

func TestTTL(t *testing.T) {
	for _, tt := range []struct {
		seconds int
		want    time.Duration
		wantErr bool
	}{{30, 30 * time.Second, false}, {0, 0, false}, {1, time.Second, false}, {-1, 0, true}} {
		got, err := TTL(tt.seconds)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("TTL(%d) = %v, %v; want %v, err=%v", tt.seconds, got, err, tt.want, tt.wantErr)
		}
	}
}

// Concurrent readers of one name make one SSM call per refresh, not one each.
func TestConcurrentReadersShareOneRefresh(t *testing.T) {
	fake := &ssmtest.Store{}
	fake.Put("/p", "v")
	r := New(fake, time.Hour, slog.New(slog.DiscardHandler))
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if got, err := r.String(context.Background(), "/p"); err != nil || got != "v" {
				t.Errorf("String = %q, %v", got, err)
			}
		})
	}
	wg.Wait()
	if fake.Calls() != 1 {
		t.Errorf("%d SSM calls, want 1", fake.Calls())
	}
}
