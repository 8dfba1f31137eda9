package lambdaemu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"sync"
	"syscall"
	"testing"
	"time"
)

type testResponse struct {
	Echo       string            `json:"echo"`
	PID        int               `json:"pid"`
	RequestID  string            `json:"requestId"`
	ARN        string            `json:"arn"`
	DeadlineMs int64             `json:"deadlineMs"`
	Env        map[string]string `json:"env"`
}

func newTestService(t *testing.T, opts Options) *Service {
	t.Helper()
	s := New(opts)
	t.Cleanup(s.Close)
	return s
}

func registerTestFunction(t *testing.T, s *Service, name string, mutate func(*FunctionConfig)) {
	t.Helper()
	cfg := FunctionConfig{Name: name, Binary: testBootstrap, Timeout: 5 * time.Second}
	if mutate != nil {
		mutate(&cfg)
	}
	if err := s.Register(cfg); err != nil {
		t.Fatalf("Register(%s): %v", name, err)
	}
}

func invokeAction(t *testing.T, s *Service, name string, req map[string]any) (testResponse, error) {
	t.Helper()
	payload, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := s.Invoke(ctx, name, payload)
	if err != nil {
		return testResponse{}, err
	}
	var resp testResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("response %s: %v", out, err)
	}
	return resp, nil
}

func mustInvoke(t *testing.T, s *Service, name string, req map[string]any) testResponse {
	t.Helper()
	resp, err := invokeAction(t, s, name, req)
	if err != nil {
		t.Fatalf("invoke %v: %v", req, err)
	}
	return resp
}

func wantFunctionError(t *testing.T, err error, wantType string) *FunctionError {
	t.Helper()
	var fe *FunctionError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v (%T), want *FunctionError %s", err, err, wantType)
	}
	if fe.Type != wantType {
		t.Fatalf("FunctionError.Type = %q (%s), want %q", fe.Type, fe.Message, wantType)
	}
	var body map[string]any
	if err := json.Unmarshal(fe.Payload, &body); err != nil || body["errorType"] != wantType {
		t.Errorf("FunctionError.Payload = %s, want JSON with errorType %q", fe.Payload, wantType)
	}
	return fe
}

func statsOf(t *testing.T, s *Service, name string) FunctionStats {
	t.Helper()
	for _, st := range s.Stats() {
		if st.Name == name {
			return st
		}
	}
	t.Fatalf("no stats for %s", name)
	return FunctionStats{}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// processGone reports whether pid no longer exists (killed and reaped).
func processGone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// safeBuffer collects function log output written from several goroutines.
type safeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
