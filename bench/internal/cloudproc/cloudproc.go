// Package cloudproc runs the local cloud as a child process for a benchmark: it builds the localcloud
// command, starts it on free ports with a throw-away data directory, waits until it is healthy, and takes
// it down with its whole process group at the end.
package cloudproc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Options says what to start.
type Options struct {
	RepoRoot     string   // where go.mod, template.yaml and the Makefile are
	Params       []string // Key=Value template parameter overrides
	ExtraArgs    []string // more localcloud flags (e.g. -cpuprofile=FILE)
	StartTimeout time.Duration
	// DataDir, when set, is used as it is (not reset) instead of a throw-away one, e.g. to restart
	// on the data of a killed local cloud; Binary then reuses that cloud's build.
	DataDir string
	Binary  string
}

// Cloud is a running local cloud.
type Cloud struct {
	URL         string // API base URL
	ServicesURL string // the AWS endpoints (Lambda's Invoke API among them)
	DataDir     string
	Binary      string // the localcloud command it runs
	Pid         int

	tmp    string
	cmd    *exec.Cmd
	log    *lockedBuffer
	exited chan struct{}
	once   sync.Once
}

// Start builds and starts the local cloud; the caller must Stop it.
func Start(ctx context.Context, opts Options) (*Cloud, error) {
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 5 * time.Minute
	}
	tmp, err := os.MkdirTemp("", "calltaxi-bench-")
	if err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	bin := opts.Binary
	if bin == "" {
		bin = filepath.Join(tmp, "localcloud")
		build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", bin, "./localcloud")
		build.Dir = opts.RepoRoot
		if out, err := build.CombinedOutput(); err != nil {
			_ = os.RemoveAll(tmp)
			return nil, fmt.Errorf("build localcloud: %w\n%s", err, out)
		}
	}
	apiAddr, err := freeAddr()
	if err != nil {
		_ = os.RemoveAll(tmp)
		return nil, err
	}
	servicesAddr, err := freeAddr()
	if err != nil {
		_ = os.RemoveAll(tmp)
		return nil, err
	}
	c := &Cloud{URL: "http://" + apiAddr, ServicesURL: "http://" + servicesAddr, DataDir: filepath.Join(tmp, "data"), Binary: bin, tmp: tmp, log: &lockedBuffer{}, exited: make(chan struct{})}
	args := []string{"-root", opts.RepoRoot, "-api", apiAddr, "-services", servicesAddr, "-data", c.DataDir, "-reset", "-quiet", "-web", "-"}
	if opts.DataDir != "" {
		c.DataDir = opts.DataDir
		args = []string{"-root", opts.RepoRoot, "-api", apiAddr, "-services", servicesAddr, "-data", c.DataDir, "-no-build", "-quiet", "-web", "-"}
	}
	for _, p := range opts.Params {
		args = append(args, "-param", p)
	}
	args = append(args, opts.ExtraArgs...)
	// Not CommandContext: the process group is ours to end, in Stop, however ctx ends.
	c.cmd = exec.Command(bin, args...)
	c.cmd.Dir = opts.RepoRoot
	c.cmd.Stdout, c.cmd.Stderr = c.log, c.log
	c.cmd.SysProcAttr = procAttr()
	if err := c.cmd.Start(); err != nil {
		_ = os.RemoveAll(tmp)
		return nil, fmt.Errorf("start localcloud: %w", err)
	}
	c.Pid = c.cmd.Process.Pid
	go func() { _ = c.cmd.Wait(); close(c.exited) }()
	if err := c.waitHealthy(ctx, opts.StartTimeout); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

func (c *Cloud) waitHealthy(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: time.Second}
	for {
		select {
		case <-c.exited:
			return fmt.Errorf("localcloud exited during start-up:\n%s", c.log.tail(4000))
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		resp, err := client.Get(c.URL + "/_local/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("localcloud not healthy after %s:\n%s", timeout, c.log.tail(4000))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Log returns the tail of the local cloud's output, for error reports.
func (c *Cloud) Log() string { return c.log.tail(8000) }

// Stop ends the local cloud: SIGTERM to its process group so it can stop its functions, then SIGKILL to
// whatever is left of the group, and removes the temp dir. Safe to call more than once.
func (c *Cloud) Stop() {
	c.once.Do(func() {
		pgid := c.Pid
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-c.exited:
		case <-time.After(10 * time.Second):
		}
		// The group may still hold processes the local cloud forked; none may outlive the run.
		if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			fmt.Fprintf(os.Stderr, "bench: kill localcloud group %d: %v\n", pgid, err)
		}
		<-c.exited
		_ = os.RemoveAll(c.tmp)
	})
}

// Kill ends the local cloud's process group with SIGKILL, as a crash would, and keeps its data dir
// (and build) for a restart; Stop still cleans up.
func (c *Cloud) Kill() {
	if err := syscall.Kill(-c.Pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		fmt.Fprintf(os.Stderr, "bench: kill localcloud group %d: %v\n", c.Pid, err)
	}
	<-c.exited
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// Keep the last 1 MiB: enough to explain a failure, bounded over a long run.
	if b.buf.Len() > 1<<20 {
		rest := b.buf.Bytes()[b.buf.Len()-(512<<10):]
		b.buf = *bytes.NewBuffer(append([]byte(nil), rest...))
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return strings.TrimSpace(s)
}
