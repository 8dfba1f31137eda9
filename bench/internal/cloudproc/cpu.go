package cloudproc

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's times (100 on every Linux build the
// benchmark runs on).
const clockTicks = 100

// CPU is the processor time of the local cloud's tree: the local cloud itself and, with the children
// it has reaped, every function environment.
type CPU struct {
	LocalCloud time.Duration `json:"localCloudNs"` // the local cloud process alone
	Tree       time.Duration `json:"treeNs"`       // it, its live descendants and its reaped children
}

// TreeCPU reads the CPU times of root and its descendants from /proc (Linux only).
func TreeCPU(procRoot string, root int) (CPU, error) {
	pids, err := tree(procRoot, root)
	if err != nil {
		return CPU{}, err
	}
	var out CPU
	for _, pid := range pids {
		self, reaped, err := statTimes(filepath.Join(procRoot, strconv.Itoa(pid), "stat"))
		if err != nil {
			if pid == root {
				return CPU{}, err
			}
			continue // exited meanwhile
		}
		if pid == root {
			out.LocalCloud = self
			// Reaped environments; live ones' children are counted through them.
			out.Tree += reaped
		}
		out.Tree += self
	}
	return out, nil
}

// statTimes returns utime+stime and cutime+cstime of one process.
func statTimes(path string) (self, reaped time.Duration, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, fmt.Errorf("read %s: %w", path, err)
	}
	// The command name (field 2) may contain spaces: fields are counted after its closing ")".
	s := string(raw)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("parse %s", path)
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3 (state)
	if len(f) < 15 {
		return 0, 0, fmt.Errorf("parse %s: %d fields", path, len(f))
	}
	ticks := func(field int) int64 { n, _ := strconv.ParseInt(f[field-3], 10, 64); return n }
	toDur := func(t int64) time.Duration { return time.Duration(t) * time.Second / clockTicks }
	return toDur(ticks(14) + ticks(15)), toDur(ticks(16) + ticks(17)), nil
}

// DirSizes returns the bytes under each top-level entry of dir (files and directories), skipping names in skip.
func DirSizes(dir string, skip ...string) (map[string]int64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	out := map[string]int64{}
	for _, e := range entries {
		if slices.Contains(skip, e.Name()) {
			continue
		}
		var total int64
		err := filepath.WalkDir(filepath.Join(dir, e.Name()), func(_ string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil // removed meanwhile
			}
			if !d.IsDir() {
				if info, err := d.Info(); err == nil {
					total += info.Size()
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("size of %s: %w", e.Name(), err)
		}
		out[e.Name()] = total
	}
	return out, nil
}

// ProcessCPU is one process's own utime+stime (Linux only).
func ProcessCPU(procRoot string, pid int) (time.Duration, error) {
	self, _, err := statTimes(filepath.Join(procRoot, strconv.Itoa(pid), "stat"))
	return self, err
}
