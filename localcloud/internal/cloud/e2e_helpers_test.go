package cloud_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/cloud"
)

// The end-to-end tests drive only the HTTP API (with real tokens) of a local cloud that runs the real
// bootstrap binaries, exactly as a user would after `make run`.

// The end-to-end tests run in parallel: each starts its own local cloud, on its own free ports with its
// own data dir and its own function processes, and waits mostly on AWS time (visibility timeouts, retry
// delays), not on the CPU. The few whose bounds are wall-clock (a rate, a TTL) or whose cloud is busy by
// itself (an hour of AWS time per wall second) are not parallel, so they run alone first. e2eParallel is how many run at once unless -parallel says otherwise.
const e2eParallel = 4

func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		if err := flag.Set("test.parallel", strconv.Itoa(e2eParallel)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	code := m.Run()
	if build.dir != "" {
		_ = os.RemoveAll(build.dir)
	}
	os.Exit(code)
}

// build is the one build of the functions that every cloud in this test binary runs.
var build struct {
	once sync.Once
	dir  string
	err  error
}

// builtFunctions builds the functions on first use (the same Makefile targets as `sam build`) and returns
// the build dir.
func builtFunctions(t *testing.T, root string) string {
	t.Helper()
	build.once.Do(func() {
		if build.dir, build.err = os.MkdirTemp("", "calltaxi-e2e-build-"); build.err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		build.err = cloud.BuildAll(ctx, root, build.dir)
	})
	if build.err != nil {
		t.Fatalf("build the functions: %v", build.err)
	}
	return build.dir
}

// startCloud starts a local cloud for the test; configure, if any, adjusts its config last (e.g. to
// capture the function logs).
func startCloud(t *testing.T, params map[string]string, configure ...func(*cloud.Config)) *cloud.Cloud {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end: skipped in -short mode")
	}
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	logs := io.Discard
	if os.Getenv("E2E_VERBOSE") != "" {
		logs = os.Stderr
	}
	bd := builtFunctions(t, root)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cfg := cloud.Config{
		RepoRoot:           root,
		ParameterOverrides: params,
		APIAddr:            "127.0.0.1:0",
		ServicesAddr:       "127.0.0.1:0",
		DataDir:            t.TempDir(),
		BuildDir:           bd,
		SkipBuild:          true,
		Logger:             slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})),
		FunctionLogs:       logs,
		StaticDir:          "-",
		// A minute of AWS time per wall second: a message whose consumer failed comes back after its
		// queue's 120 s visibility timeout in 2 s, as it would on AWS after 2 minutes.
		TimeScale: 60,
	}
	for _, fn := range configure {
		fn(&cfg)
	}
	c, err := cloud.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("start local cloud: %v", err)
	}
	t.Cleanup(func() {
		c.Close()
		assertNoFunctionProcesses(t, bd, c.ServicesURL)
	})
	return c
}

// assertNoFunctionProcesses fails if a function process of this cloud still runs: a bootstrap from the
// build dir whose AWS endpoints point at this cloud's services (clouds that run alongside share the build
// dir, not the services address).
func assertNoFunctionProcesses(t *testing.T, dir, servicesURL string) {
	t.Helper()
	ours := []byte("\x00AWS_ENDPOINT_URL_DYNAMODB=" + servicesURL + "\x00")
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err != nil || !strings.HasPrefix(exe, dir) {
			continue
		}
		environ, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil {
			continue // gone since
		}
		if bytes.Contains(append([]byte{0}, environ...), ours) {
			t.Errorf("function process %s (%s) outlived the local cloud", e.Name(), exe)
		}
	}
}

type user struct {
	t     *testing.T
	c     *cloud.Cloud
	sub   string
	token string
}

func newUser(t *testing.T, c *cloud.Cloud, role string) *user {
	t.Helper()
	sub := fmt.Sprintf("%s-%d", strings.TrimSuffix(role, "s"), rand.Int64())
	tok, err := c.MintToken(sub, []string{role}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return &user{t: t, c: c, sub: sub, token: tok}
}

type response struct {
	Status  int
	Header  http.Header
	Body    map[string]any
	RawBody string
}

func (r response) str(key string) string {
	v, _ := r.Body[key].(string)
	return v
}

func (r response) errorCode() string {
	e, _ := r.Body["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

func (r response) items() []map[string]any {
	raw, _ := r.Body["items"].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, it := range raw {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

var httpClient = &http.Client{Timeout: 30 * time.Second}

func (u *user) do(method, path string, body any, headers ...string) response {
	u.t.Helper()
	return call(u.t, u.c, method, path, body, append([]string{"Authorization", "Bearer " + u.token}, headers...)...)
}

func call(t *testing.T, c *cloud.Cloud, method, path string, body any, headers ...string) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.APIURL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := response{Status: resp.StatusCode, Header: resp.Header, RawBody: string(raw)}
	_ = json.Unmarshal(raw, &out.Body)
	return out
}

// eventually polls cond until it holds or the deadline passes (no fixed sleeps).
func eventually(t *testing.T, what string, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	delay := 20 * time.Millisecond
	last := ""
	for {
		ok, detail := cond()
		if ok {
			return
		}
		last = detail
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s; last: %s", timeout, what, last)
		}
		time.Sleep(delay)
		delay = min(delay*2, 250*time.Millisecond)
	}
}

// placeOrder books as the order API tells a client to: a 503 or 429 (payment unavailable or busy, e.g. a
// cold payment function on a loaded machine) is retried with the same Idempotency-Key until the deadline.
// For tests about what happens after the booking, not to it.
func placeOrder(t *testing.T, u *user, body map[string]any) response {
	t.Helper()
	key := fmt.Sprintf("place-%d", rand.Int64())
	var r response
	eventually(t, "the order to be placed", 30*time.Second, func() (bool, string) {
		r = u.do("POST", "/orders", body, "Idempotency-Key", key)
		return r.Status != 503 && r.Status != 429, fmt.Sprintf("%d %s", r.Status, r.RawBody)
	})
	return r
}

func randomPhone() string { return fmt.Sprintf("+8210%08d", rand.IntN(100000000)) }

func orderBody(grade, card string) map[string]any {
	return map[string]any{"name": "Kim Minsu", "phone": randomPhone(), "orderType": grade, "cardNo": card, "pickup": "Gangnam Station", "destination": "Seoul Station"}
}

const goodCard = "4242424242424242"

// smsFor returns the SMS texts sent to phone.
func smsFor(t *testing.T, c *cloud.Cloud, phone string) []string {
	t.Helper()
	var texts []string
	for _, m := range c.SNS.Messages() {
		if m.PhoneNumber == phone {
			texts = append(texts, m.Message)
		}
	}
	return texts
}

func waitMypageStatus(t *testing.T, u *user, orderID, status string) response {
	t.Helper()
	var last response
	eventually(t, "mypage "+orderID+" to be "+status, 20*time.Second, func() (bool, string) {
		last = u.do("GET", "/mypages/"+orderID, nil)
		return last.Status == 200 && last.str("status") == status, last.RawBody
	})
	return last
}

func registerTaxi(t *testing.T, driver *user, grade string, stock int) string {
	t.Helper()
	r := driver.do("POST", "/taxis", map[string]any{"taxiName": "Sonata " + grade, "companyName": "Seoul Cab", "grade": grade, "stockCnt": stock, "itemPrice": 5700})
	if r.Status != 201 || r.str("id") == "" {
		t.Fatalf("register taxi: %d %s", r.Status, r.RawBody)
	}
	return r.str("id")
}

func taxiStock(t *testing.T, u *user, taxiID string) float64 {
	t.Helper()
	r := u.do("GET", "/taxis", nil)
	for _, it := range r.items() {
		if it["id"] == taxiID {
			n, _ := it["stockCnt"].(float64)
			return n
		}
	}
	t.Fatalf("taxi %s not listed: %s", taxiID, r.RawBody)
	return -1
}
