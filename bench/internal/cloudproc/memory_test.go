package cloudproc

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// fakeProc lays out a /proc-like tree: pid → (status VmRSS kB, exe target, children).
func fakeProc(t *testing.T, procs map[int]struct {
	rssKB    string
	exe      string
	children string
}) string {
	t.Helper()
	root := t.TempDir()
	for pid, p := range procs {
		dir := filepath.Join(root, strconv.Itoa(pid))
		task := filepath.Join(dir, "task", strconv.Itoa(pid))
		if err := os.MkdirAll(task, 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dir, "status"), "Name:\tx\nVmPeak:\t 1 kB\nVmRSS:\t  "+p.rssKB+" kB\n")
		write(t, filepath.Join(task, "children"), p.children)
		if err := os.Symlink(p.exe, filepath.Join(dir, "exe")); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestMemoryWalksTheProcessTree(t *testing.T) {
	root := fakeProc(t, map[int]struct {
		rssKB    string
		exe      string
		children string
	}{
		100: {"50000", "/tmp/x/localcloud", "200 201 "},
		200: {"8000", "/tmp/x/data/build/OrderFunction/bootstrap", "300"},
		201: {"6000", "/tmp/x/data/build/OrderFunction/bootstrap", ""},
		300: {"1000", "/usr/bin/sleep", ""},
		999: {"7", "/tmp/unrelated", ""},
	})
	procs, err := Memory(root, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(procs) != 4 {
		t.Fatalf("got %d processes (%v), want 4: the unrelated one is not in the tree", len(procs), procs)
	}
	by := ByName(procs)
	if got := by["OrderFunction"]; got.Environments != 2 || got.TotalRSSBytes != 14000*1024 || got.MaxRSSBytes != 8000*1024 {
		t.Errorf("OrderFunction = %+v", got)
	}
	if got := by["localcloud"]; got.TotalRSSBytes != 50000*1024 {
		t.Errorf("localcloud = %+v", got)
	}
	if got := by["sleep"]; got.Environments != 1 {
		t.Errorf("grandchild not found: %+v", by)
	}
}

func TestMemoryOfMissingRootFails(t *testing.T) {
	if _, err := Memory(t.TempDir(), 4242); err == nil {
		t.Error("want an error for a root process that does not exist")
	}
}
