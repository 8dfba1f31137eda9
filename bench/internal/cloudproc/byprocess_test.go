package cloudproc

import (
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// writeStat writes /proc/<pid>/stat with utime and stime in clock ticks (fields 14 and 15).
func writeStat(t *testing.T, root string, pid int, utime, stime int) {
	t.Helper()
	stat := fmt.Sprintf("%d (boot strap) S 1 1 1 0 -1 0 0 0 0 0 %d %d 0 0 20 0 1 0 0 0 0", pid, utime, stime)
	write(t, filepath.Join(root, strconv.Itoa(pid), "stat"), stat)
}

type fakeTree = map[int]struct {
	rssKB    string
	exe      string
	children string
}

func TestCPUByNameCountsEachProcessFromItsFirstReading(t *testing.T) {
	root := fakeProc(t, fakeTree{
		100: {"50000", "/x/localcloud", "200 201"},
		200: {"8000", "/x/build/OrderFunction/bootstrap", ""},
		201: {"6000", "/x/build/MyPageFunction/bootstrap", ""},
		202: {"7000", "/x/build/OrderFunction/bootstrap", ""}, // not yet a child of the cloud
	})
	writeStat(t, root, 100, 100, 20)
	writeStat(t, root, 200, 10, 0)
	writeStat(t, root, 201, 5, 5)
	before, err := ProcessCPUs(root, 100)
	if err != nil {
		t.Fatal(err)
	}
	// Later: the cloud used 0.5 s more, order 0.3 s, mypage 0.1 s, and a new order environment 0.2 s.
	write(t, filepath.Join(root, "100", "task", "100", "children"), "200 201 202")
	writeStat(t, root, 100, 140, 30)
	writeStat(t, root, 200, 30, 20)
	writeStat(t, root, 201, 10, 10)
	writeStat(t, root, 202, 15, 5)
	after, err := ProcessCPUs(root, 100)
	if err != nil {
		t.Fatal(err)
	}
	got := CPUByName(before, after)
	want := map[string]time.Duration{
		"localcloud": 500 * time.Millisecond, "OrderFunction": 600 * time.Millisecond, "MyPageFunction": 100 * time.Millisecond,
	}
	for name, d := range want {
		if got[name] != d {
			t.Errorf("%s: %v, want %v (all: %v)", name, got[name], d, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("names %v, want %v", got, want)
	}
}

func TestTreeMemoryOfSumsRSSAndPSS(t *testing.T) {
	root := fakeProc(t, fakeTree{
		100: {"50000", "/x/localcloud", "200 201"},
		200: {"16000", "/x/build/OrderFunction/bootstrap", ""},
		201: {"16000", "/x/build/OrderFunction/bootstrap", ""},
	})
	for pid, pss := range map[int]int{100: 48000, 200: 9000, 201: 9000} {
		write(t, filepath.Join(root, strconv.Itoa(pid), "smaps_rollup"),
			fmt.Sprintf("00400000-7fff [rollup]\nRss:   1 kB\nPss:      %d kB\nPss_Anon:  1 kB\n", pss))
	}
	got, err := TreeMemoryOf(root, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := TreeMemory{Processes: 3, RSSBytes: 82000 * 1024, PSSBytes: 66000 * 1024}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if _, err := TreeMemoryOf(root, 4242); err == nil {
		t.Error("want an error for a root process that does not exist")
	}
}
