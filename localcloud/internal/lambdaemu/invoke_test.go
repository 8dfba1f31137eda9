package lambdaemu

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestInvokeOutcomes(t *testing.T) {
	s := newTestService(t, Options{})
	registerTestFunction(t, s, "fn", nil)

	tests := []struct {
		name        string
		req         map[string]any
		wantEcho    string
		wantErrType string
		wantMessage string
	}{
		{name: "echo", req: map[string]any{"action": "echo", "message": "hello"}, wantEcho: "hello"},
		{name: "handler error", req: map[string]any{"action": "error", "message": "card declined"}, wantErrType: "errorString", wantMessage: "card declined"},
		{name: "panic", req: map[string]any{"action": "panic", "message": "boom"}, wantErrType: "string", wantMessage: "boom"},
		{name: "echo after panic", req: map[string]any{"action": "echo", "message": "again"}, wantEcho: "again"},
		{name: "crash", req: map[string]any{"action": "exit", "code": 7}, wantErrType: "Runtime.ExitError", wantMessage: "exit status 7"},
		{name: "echo after crash", req: map[string]any{"action": "echo", "message": "back"}, wantEcho: "back"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := time.Now()
			resp, err := invokeAction(t, s, "fn", tc.req)
			if tc.wantErrType != "" {
				fe := wantFunctionError(t, err, tc.wantErrType)
				if !strings.Contains(fe.Message, tc.wantMessage) {
					t.Errorf("message = %q, want it to contain %q", fe.Message, tc.wantMessage)
				}
				return
			}
			if err != nil {
				t.Fatalf("invoke: %v", err)
			}
			if resp.Echo != tc.wantEcho {
				t.Errorf("echo = %q, want %q", resp.Echo, tc.wantEcho)
			}
			if resp.ARN != "arn:aws:lambda:us-east-1:123456789012:function:fn" || len(resp.RequestID) != 36 {
				t.Errorf("context: arn=%q requestId=%q", resp.ARN, resp.RequestID)
			}
			deadline := time.UnixMilli(resp.DeadlineMs)
			if deadline.Before(before.Add(4*time.Second)) || deadline.After(time.Now().Add(5*time.Second)) {
				t.Errorf("deadline %v is not about 5 s after the invoke", deadline)
			}
		})
	}
	st := statsOf(t, s, "fn")
	if st.Invocations != int64(len(tests)) || st.Errors != 3 {
		t.Errorf("stats invocations=%d errors=%d, want %d and 3", st.Invocations, st.Errors, len(tests))
	}
}

func TestSequentialInvokesReuseOneWarmEnvironment(t *testing.T) {
	s := newTestService(t, Options{})
	registerTestFunction(t, s, "fn", nil)
	first := mustInvoke(t, s, "fn", map[string]any{"action": "echo"})
	for range 4 {
		if resp := mustInvoke(t, s, "fn", map[string]any{"action": "echo"}); resp.PID != first.PID {
			t.Fatalf("pid changed from %d to %d: environment not reused", first.PID, resp.PID)
		}
	}
	st := statsOf(t, s, "fn")
	if st.ColdStarts != 1 || st.Invocations != 5 || st.Environments != 1 || st.IdleEnvironments != 1 {
		t.Errorf("stats = %+v, want 1 cold start, 5 invocations, 1 idle environment", st)
	}
	if st.LastColdStartMs <= 0 || st.AvgColdStartMs != st.LastColdStartMs {
		t.Errorf("cold start durations last=%v avg=%v", st.LastColdStartMs, st.AvgColdStartMs)
	}
}

func TestConcurrencyLimitsThrottle(t *testing.T) {
	one, zero := 1, 0
	tests := []struct {
		name       string
		opts       Options
		reserved   *int
		wantReason string
	}{
		{"reserved concurrency 1", Options{}, &one, ReasonReservedConcurrency},
		{"account concurrency 1", Options{AccountConcurrency: 1}, nil, ReasonAccountConcurrency},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestService(t, tc.opts)
			registerTestFunction(t, s, "fn", func(c *FunctionConfig) { c.ReservedConcurrency = tc.reserved })

			slow := make(chan error, 1)
			go func() {
				_, err := invokeAction(t, s, "fn", map[string]any{"action": "sleep", "ms": 1500})
				slow <- err
			}()
			waitFor(t, "the slow invoke to hold its slot", func() bool { return statsOf(t, s, "fn").ConcurrentInvokes == 1 })

			_, err := invokeAction(t, s, "fn", map[string]any{"action": "echo"})
			var te *ThrottleError
			if !errors.As(err, &te) || te.Reason != tc.wantReason {
				t.Fatalf("second invoke err = %v, want ThrottleError %s", err, tc.wantReason)
			}
			if err := <-slow; err != nil {
				t.Fatalf("slow invoke: %v", err)
			}
			mustInvoke(t, s, "fn", map[string]any{"action": "echo"}) // the slot is free again
			if st := statsOf(t, s, "fn"); st.Throttles != 1 || st.Invocations != 2 || st.ColdStarts != 1 {
				t.Errorf("stats = %+v, want 1 throttle, 2 invocations, 1 cold start", st)
			}
		})
	}
	t.Run("reserved concurrency 0", func(t *testing.T) {
		s := newTestService(t, Options{})
		registerTestFunction(t, s, "fn", func(c *FunctionConfig) { c.ReservedConcurrency = &zero })
		_, err := invokeAction(t, s, "fn", map[string]any{"action": "echo"})
		var te *ThrottleError
		if !errors.As(err, &te) || te.Reason != ReasonReservedConcurrency {
			t.Fatalf("err = %v, want ThrottleError", err)
		}
	})
}

func TestConcurrentInvokesGetSeparateEnvironments(t *testing.T) {
	s := newTestService(t, Options{})
	registerTestFunction(t, s, "fn", nil)
	const n = 3
	pids := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := invokeAction(t, s, "fn", map[string]any{"action": "sleep", "ms": 400})
			if err != nil {
				t.Errorf("invoke: %v", err)
				return
			}
			pids <- resp.PID
		}()
	}
	wg.Wait()
	close(pids)
	seen := map[int]bool{}
	for pid := range pids {
		seen[pid] = true
	}
	if len(seen) != n {
		t.Errorf("%d concurrent invokes ran in %d environments, want %d", n, len(seen), n)
	}
	if st := statsOf(t, s, "fn"); st.IdleEnvironments != n || st.ColdStarts != n {
		t.Errorf("stats = %+v", st)
	}
}

func TestTimeoutKillsAndReplacesEnvironment(t *testing.T) {
	s := newTestService(t, Options{})
	registerTestFunction(t, s, "fn", func(c *FunctionConfig) { c.Timeout = 500 * time.Millisecond })
	warm := mustInvoke(t, s, "fn", map[string]any{"action": "echo"})

	start := time.Now()
	_, err := invokeAction(t, s, "fn", map[string]any{"action": "sleep", "ms": 5000})
	fe := wantFunctionError(t, err, "Sandbox.Timedout")
	if !strings.Contains(fe.Message, "Task timed out after 0.50 seconds") {
		t.Errorf("message = %q", fe.Message)
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("timeout took %v", elapsed)
	}
	waitFor(t, "the timed-out process to be killed", func() bool { return processGone(warm.PID) })

	next := mustInvoke(t, s, "fn", map[string]any{"action": "echo"})
	if next.PID == warm.PID {
		t.Errorf("invoke after timeout reused the killed environment")
	}
	if st := statsOf(t, s, "fn"); st.Timeouts != 1 || st.Errors != 1 || st.ColdStarts != 2 {
		t.Errorf("stats = %+v, want 1 timeout, 1 error, 2 cold starts", st)
	}
}

func TestCrashedInitReportsExitError(t *testing.T) {
	s := newTestService(t, Options{})
	registerTestFunction(t, s, "fn", func(c *FunctionConfig) { c.Env = map[string]string{"TEST_FAIL_INIT": "1"} })
	_, err := invokeAction(t, s, "fn", map[string]any{"action": "echo"})
	fe := wantFunctionError(t, err, "Runtime.ExitError")
	if !strings.Contains(fe.Message, "exit status 3") {
		t.Errorf("message = %q", fe.Message)
	}
	registerTestFunction(t, s, "missing", func(c *FunctionConfig) { c.Binary = "/nonexistent/bootstrap" })
	_, err = invokeAction(t, s, "missing", map[string]any{"action": "echo"})
	wantFunctionError(t, err, "Runtime.InvalidEntrypoint")
}

func TestEnvironmentVariables(t *testing.T) {
	s := newTestService(t, Options{Region: "ap-northeast-2"})
	registerTestFunction(t, s, "call-taxi-OrderFunction", func(c *FunctionConfig) {
		c.MemoryMB = 256
		c.Env = map[string]string{
			"ORDERS_TABLE":             "Orders",
			"AWS_ENDPOINT_URL_LAMBDA":  "http://127.0.0.1:4566",
			"AWS_LAMBDA_FUNCTION_NAME": "hijacked", // reserved: must not win
		}
	})
	keys := []string{"ORDERS_TABLE", "AWS_ENDPOINT_URL_LAMBDA", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_REGION", "AWS_DEFAULT_REGION", "_HANDLER", "LAMBDA_TASK_ROOT", "HOME"}
	resp := mustInvoke(t, s, "call-taxi-OrderFunction", map[string]any{"action": "env", "keys": keys})
	want := map[string]string{
		"ORDERS_TABLE":                    "Orders",
		"AWS_ENDPOINT_URL_LAMBDA":         "http://127.0.0.1:4566",
		"AWS_LAMBDA_FUNCTION_NAME":        "call-taxi-OrderFunction",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_REGION":                      "ap-northeast-2",
		"AWS_DEFAULT_REGION":              "ap-northeast-2",
		"_HANDLER":                        "bootstrap",
		"LAMBDA_TASK_ROOT":                strings.TrimSuffix(testBootstrap, "/bootstrap"),
		"HOME":                            "", // nothing leaks from the host
	}
	for k, v := range want {
		if resp.Env[k] != v {
			t.Errorf("%s = %q, want %q", k, resp.Env[k], v)
		}
	}
	if !strings.HasPrefix(resp.ARN, "arn:aws:lambda:ap-northeast-2:") {
		t.Errorf("arn = %q", resp.ARN)
	}
}

// Fault drills name what AWS would show: Stop is reserved concurrency 0 ("Lambda function scaling":
// a throttled invoke fails with TooManyRequestsException, reason
// ReservedFunctionConcurrentInvocationLimitExceeded); Fail is a deploy whose bootstrap exits at once
// ("Error handling and automatic retries": a function error, Runtime.ExitError).
func TestFaultDrills(t *testing.T) {
	tests := []struct {
		name  string
		drill func(*Service, string) error
		state FunctionState
		check func(t *testing.T, err error)
	}{
		{"stop throttles as reserved concurrency 0", (*Service).Stop, StateThrottled, func(t *testing.T, err error) {
			var te *ThrottleError
			if !errors.As(err, &te) || te.Reason != ReasonReservedConcurrency {
				t.Fatalf("invoke while stopped: err = %v, want ThrottleError %s", err, ReasonReservedConcurrency)
			}
		}},
		{"fail returns a function error without a process", (*Service).Fail, StateFailing, func(t *testing.T, err error) {
			fe := wantFunctionError(t, err, "Runtime.ExitError")
			if !strings.Contains(fe.Message, "Runtime exited with error") {
				t.Errorf("message = %q", fe.Message)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs safeBuffer
			s := newTestService(t, Options{LogOutput: &logs})
			registerTestFunction(t, s, "fn", nil)
			warm := mustInvoke(t, s, "fn", map[string]any{"action": "echo"})

			inFlight := make(chan error, 1)
			go func() {
				_, err := invokeAction(t, s, "fn", map[string]any{"action": "sleep", "ms": 3000})
				inFlight <- err
			}()
			waitFor(t, "the bootstrap to receive the slow invoke", func() bool {
				return strings.Contains(logs.String(), "[fn] sleeping 3000ms\n")
			})

			if err := tt.drill(s, "fn"); err != nil {
				t.Fatalf("drill: %v", err)
			}
			wantFunctionError(t, <-inFlight, "Runtime.ExitError")
			if !processGone(warm.PID) {
				t.Errorf("process %d survived the drill", warm.PID)
			}
			before := statsOf(t, s, "fn")
			_, err := invokeAction(t, s, "fn", map[string]any{"action": "echo"})
			tt.check(t, err)
			st := statsOf(t, s, "fn")
			if st.State != tt.state || st.Environments != 0 || st.ColdStarts != before.ColdStarts {
				t.Errorf("stats during the drill = %+v", st)
			}
			if state, err := s.State("fn"); err != nil || state != tt.state {
				t.Errorf("State = %q, %v; want %q", state, err, tt.state)
			}

			if err := s.Start("fn"); err != nil {
				t.Fatalf("Start: %v", err)
			}
			if resp := mustInvoke(t, s, "fn", map[string]any{"action": "echo"}); resp.PID == warm.PID {
				t.Errorf("started function reused a killed process")
			}
			if st := statsOf(t, s, "fn"); st.State != StateRunning {
				t.Errorf("state after Start = %q", st.State)
			}
		})
	}
	s := newTestService(t, Options{})
	for name, drill := range map[string]func(*Service, string) error{"Stop": (*Service).Stop, "Fail": (*Service).Fail, "Start": (*Service).Start} {
		if err := drill(s, "nope"); !errors.Is(err, ErrFunctionNotFound) {
			t.Errorf("%s(unknown) = %v", name, err)
		}
	}
}

func TestKillRandomEnvironment(t *testing.T) {
	s := newTestService(t, Options{})
	registerTestFunction(t, s, "fn", nil)
	if _, ok := s.KillRandomEnvironment(); ok {
		t.Fatal("killed something with no environment running")
	}
	warm := mustInvoke(t, s, "fn", map[string]any{"action": "echo"})
	desc, ok := s.KillRandomEnvironment()
	if !ok || !strings.HasPrefix(desc, "fn/env-") {
		t.Fatalf("KillRandomEnvironment = %q, %v", desc, ok)
	}
	waitFor(t, "the environment to be reaped", func() bool { return statsOf(t, s, "fn").Environments == 0 })
	if resp := mustInvoke(t, s, "fn", map[string]any{"action": "echo"}); resp.PID == warm.PID {
		t.Errorf("invoke after kill reused the dead process")
	}
}

func TestFunctionLogsArePrefixed(t *testing.T) {
	var logs safeBuffer
	s := newTestService(t, Options{LogOutput: &logs})
	registerTestFunction(t, s, "call-taxi-NotifyFunction", nil)
	mustInvoke(t, s, "call-taxi-NotifyFunction", map[string]any{"action": "print", "message": "sms sent"})
	waitFor(t, "the log line", func() bool {
		return strings.Contains(logs.String(), "[call-taxi-NotifyFunction] sms sent\n")
	})
}

func TestCloseLeavesNoChildProcess(t *testing.T) {
	s := New(Options{})
	registerTestFunction(t, s, "a", nil)
	registerTestFunction(t, s, "b", nil)
	idle := mustInvoke(t, s, "a", map[string]any{"action": "echo"})
	busy := make(chan error, 1)
	go func() {
		_, err := invokeAction(t, s, "b", map[string]any{"action": "sleep", "ms": 10000})
		busy <- err
	}()
	waitFor(t, "the busy environment", func() bool { return statsOf(t, s, "b").ColdStarts == 1 })
	var pids []int
	s.mu.Lock()
	for _, fn := range s.functions {
		for env := range fn.envs {
			pids = append(pids, env.cmd.Process.Pid)
		}
	}
	s.mu.Unlock()
	if len(pids) != 2 {
		t.Fatalf("want 2 environments, got %d", len(pids))
	}

	s.Close()
	for _, pid := range pids {
		if !processGone(pid) {
			t.Errorf("process %d survived Close", pid)
		}
	}
	if err := <-busy; err == nil {
		t.Error("in-flight invoke succeeded across Close")
	}
	if _, err := s.Invoke(context.Background(), "a", nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Invoke after Close = %v", err)
	}
	_ = idle
}

// EventInvokeConfig ranges follow PutFunctionEventInvokeConfig: MaximumRetryAttempts 0–2,
// MaximumEventAgeInSeconds 60–21600.
func TestRegisterValidates(t *testing.T) {
	s := newTestService(t, Options{})
	neg, three := -1, 3
	tooYoung, tooOld := 59*time.Second, 6*time.Hour+time.Second
	for _, cfg := range []FunctionConfig{
		{Binary: testBootstrap},
		{Name: "x"},
		{Name: "x", Binary: testBootstrap, ReservedConcurrency: &neg},
		{Name: "x", Binary: testBootstrap, MaximumRetryAttempts: &neg},
		{Name: "x", Binary: testBootstrap, MaximumRetryAttempts: &three},
		{Name: "x", Binary: testBootstrap, MaximumEventAge: &tooYoung},
		{Name: "x", Binary: testBootstrap, MaximumEventAge: &tooOld},
	} {
		if err := s.Register(cfg); err == nil {
			t.Errorf("Register(%+v) accepted", cfg)
		}
	}
	registerTestFunction(t, s, "dup", nil)
	if err := s.Register(FunctionConfig{Name: "dup", Binary: testBootstrap}); err == nil {
		t.Error("duplicate Register accepted")
	}
	if _, err := s.Invoke(context.Background(), "unknown", nil); !errors.Is(err, ErrFunctionNotFound) {
		t.Errorf("Invoke(unknown) = %v", err)
	}
}

func TestReclaimEndsIdleEnvironmentsSoTheNextInvokeColdStarts(t *testing.T) {
	s := newTestService(t, Options{})
	registerTestFunction(t, s, "fn", nil)
	if n, err := s.Reclaim("fn"); n != 0 || err != nil {
		t.Fatalf("Reclaim with nothing running = %d, %v", n, err)
	}
	warm := mustInvoke(t, s, "fn", map[string]any{"action": "echo"})
	n, err := s.Reclaim("fn")
	if n != 1 || err != nil {
		t.Fatalf("Reclaim = %d, %v; want 1 environment", n, err)
	}
	if st := statsOf(t, s, "fn"); st.Environments != 0 || st.State != StateRunning {
		t.Fatalf("after Reclaim: %d environments, state %s; want 0, running", st.Environments, st.State)
	}
	cold := mustInvoke(t, s, "fn", map[string]any{"action": "echo"})
	if cold.PID == warm.PID {
		t.Error("the invoke after Reclaim reused the reclaimed process")
	}
	if st := statsOf(t, s, "fn"); st.ColdStarts != 2 || st.LastColdStartMs <= 0 {
		t.Errorf("stats = %+v, want 2 cold starts with the last one timed", st)
	}
	if _, err := s.Reclaim("nope"); !errors.Is(err, ErrFunctionNotFound) {
		t.Errorf("Reclaim(unknown) = %v", err)
	}
}
