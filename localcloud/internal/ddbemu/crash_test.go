package ddbemu

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The crash test runs the store in a child process (this test binary, re-executed), writes to it
// from several clients, and SIGKILLs it: once in the middle of writes, once while it compacts. On the
// same data it must find every acknowledged write, a counter with exactly the acknowledged
// increments (plus at most the ones in flight: a non-idempotent write is neither lost nor applied
// twice by snapshot + log replay), and every stream record the child's consumer had not
// checkpointed; records it delivered but had not checkpointed may come again, as on AWS.

const (
	crashChildEnv = "DDBEMU_CRASH_CHILD"   // the data dir; set: this process is the child
	crashCompact  = "DDBEMU_CRASH_COMPACT" // "1": the child compacts continuously
	crashConsumer = "esm"
)

func crashSpec() TableSpec { return ordersSpec("Orders", "NEW_IMAGE") }

// TestMain runs the crash test's child instead of the tests when the parent started this binary as one, so
// no placeholder test shows up as skipped in a normal run.
func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		if err := runCrashChild(dir, os.Getenv(crashCompact) == "1"); err != nil {
			fmt.Fprintln(os.Stderr, "crash child:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func runCrashChild(dir string, compact bool) error {
	maintainInterval = 5 * time.Millisecond
	segmentBytes = 4 << 10
	opts := Options{DataDir: dir, Logger: quietLogger(), CompactAboveBytes: -1}
	if compact {
		opts.CompactAboveBytes = 1
	}
	svc, err := New(opts)
	if err != nil {
		return err
	}
	if err := svc.CreateTables([]TableSpec{crashSpec()}); err != nil {
		return err
	}
	// The consumer: records are "delivered" to a file (a write(2) each batch, which a kill -9 does
	// not undo), then checkpointed.
	delivered, err := os.OpenFile(filepath.Join(dir, "delivered.txt"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	st := svc.Stream("Orders")
	go func() {
		pos := st.Register(crashConsumer, "TRIM_HORIZON")
		for st.Wait(context.Background(), pos) == nil {
			recs := st.Read(pos, 50)
			var b strings.Builder
			for _, r := range recs {
				if v, ok := r.Change.NewImage["v"]; ok {
					b.WriteString(r.Change.Keys["id"].String() + " " + v.Number() + "\n")
				}
			}
			if _, err := delivered.WriteString(b.String()); err != nil {
				panic(err)
			}
			pos = recs[len(recs)-1].Change.SequenceNumber
			st.Checkpoint(crashConsumer, pos)
		}
	}()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, "addr.txt"), []byte(ln.Addr().String())); err != nil {
		return err
	}
	return http.Serve(ln, svc)
}

func TestCrashLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	cases := []struct {
		name    string
		compact bool
	}{
		{"kill -9 during writes", false},
		{"kill -9 during compaction", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			acked, counterAcked, inFlight := crashRound(t, dir, c.compact, 0)
			// A second round on the recovered data, killed again, then checked.
			acked2, counterAcked2, inFlight2 := crashRound(t, dir, c.compact, 1)
			for k, v := range acked2 {
				acked[k] = v
			}
			svc := verifyAfterCrash(t, dir, acked, counterAcked+counterAcked2, inFlight+inFlight2)
			if c.compact && svc.snapGen < 1 {
				t.Errorf("no snapshot after compacting: generation %d", svc.snapGen)
			}
		})
	}
}

// crashRound starts the child on dir, writes until it is killed and returns the acknowledged item
// values, the acknowledged counter increments and the writes in flight at the kill.
func crashRound(t *testing.T, dir string, compact bool, round int) (map[string]string, int64, int64) {
	t.Helper()
	_ = os.Remove(filepath.Join(dir, "addr.txt"))
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir, crashCompact+"="+map[bool]string{true: "1", false: "0"}[compact])
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	defer func() { _ = cmd.Process.Kill(); <-exited }()
	var addr []byte
	for deadline := time.Now().Add(20 * time.Second); ; {
		var err error
		if addr, err = os.ReadFile(filepath.Join(dir, "addr.txt")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("child did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	client := sdkClient("http://"+string(addr), func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })

	var mu sync.Mutex
	acked := map[string]string{}
	var counterAcked, inFlight atomic.Int64
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				id, v := fmt.Sprintf("r%d-w%d-%d", round, w, i), strconv.Itoa(i)
				_, err := client.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("Orders"),
					Item: map[string]types.AttributeValue{"id": str(id), "v": &types.AttributeValueMemberN{Value: v}}})
				if err != nil {
					return // killed
				}
				mu.Lock()
				acked[id] = v
				mu.Unlock()
				inFlight.Add(1)
				_, err = client.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{TableName: aws.String("Orders"),
					Key:                       map[string]types.AttributeValue{"id": str("counter")},
					UpdateExpression:          aws.String("ADD n :one"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}}})
				if err != nil {
					return // killed: this increment may or may not have been applied
				}
				inFlight.Add(-1)
				counterAcked.Add(1)
			}
		})
	}
	// Kill after some writes; while compacting, at a moment a snapshot is being written.
	for deadline := time.Now().Add(10 * time.Second); counterAcked.Load() < 50; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d writes acknowledged", counterAcked.Load())
		}
	}
	if compact {
		caught := false
		for deadline := time.Now().Add(2 * time.Second); !caught && time.Now().Before(deadline); {
			tmp, _ := filepath.Glob(filepath.Join(dir, "dynamodb", snapshotPrefix+"*.tmp"))
			caught = len(tmp) > 0
		}
		t.Logf("round %d: killed while a snapshot was being written: %v", round, caught)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited
	stop()
	wg.Wait()
	if len(acked) == 0 {
		t.Fatal("no write acknowledged before the kill")
	}
	return acked, counterAcked.Load(), inFlight.Load()
}

func verifyAfterCrash(t *testing.T, dir string, acked map[string]string, counterAcked, inFlight int64) *Service {
	t.Helper()
	svc, _ := startService(t, Options{DataDir: dir, CompactAboveBytes: -1}, crashSpec())
	rows, err := svc.Scan("Orders")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	var counter int64
	for _, r := range rows {
		id := r["id"].(string)
		if id == "counter" {
			counter, _ = r["n"].(json.Number).Int64()
			continue
		}
		got[id] = fmt.Sprint(r["v"])
	}
	lost := 0
	for id, v := range acked {
		if got[id] != v {
			lost++
			if lost < 5 {
				t.Errorf("acknowledged write %s=%s lost (found %q)", id, v, got[id])
			}
		}
	}
	if counter < counterAcked || counter > counterAcked+inFlight {
		t.Errorf("counter %d after the crash, want %d acknowledged increments (+ at most %d in flight)", counter, counterAcked, inFlight)
	}

	// Every acknowledged write's record is delivered before the crash or still undelivered after it.
	seen := map[string]bool{}
	f, err := os.Open(filepath.Join(dir, "delivered.txt"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	if f != nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			seen[sc.Text()] = true
		}
		f.Close()
	}
	st := svc.Stream("Orders")
	for _, r := range st.Read(st.Register(crashConsumer, "TRIM_HORIZON"), 0) {
		if v, ok := r.Change.NewImage["v"]; ok {
			seen[r.Change.Keys["id"].String()+" "+v.Number()] = true
		}
	}
	missing := 0
	for id, v := range acked {
		if !seen[id+" "+v] {
			missing++
			if missing < 5 {
				t.Errorf("stream record of acknowledged write %s=%s neither delivered nor undelivered after the crash", id, v)
			}
		}
	}
	t.Logf("%d acknowledged writes, %d counter increments (%d in flight), %d records delivered or pending",
		len(acked), counterAcked, inFlight, len(seen))
	return svc
}
