package cloudproc

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// tree lists root and its live descendants (breadth first); an error only if root is not there.
func tree(procRoot string, root int) ([]int, error) {
	if _, err := os.Stat(filepath.Join(procRoot, strconv.Itoa(root))); err != nil {
		return nil, fmt.Errorf("process %d: %w", root, err)
	}
	var out []int
	seen := map[int]bool{}
	queue := []int{root}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		if seen[pid] {
			continue
		}
		seen[pid] = true
		out = append(out, pid)
		queue = append(queue, children(procRoot, pid)...)
	}
	return out, nil
}

// NamedCPU is one live process's name (as Memory names it) and its own CPU time so far.
type NamedCPU struct {
	Name string
	CPU  time.Duration
}

// ProcessCPUs reads the own CPU time of every live process of root's tree, by pid (Linux only).
func ProcessCPUs(procRoot string, root int) (map[int]NamedCPU, error) {
	pids, err := tree(procRoot, root)
	if err != nil {
		return nil, err
	}
	out := make(map[int]NamedCPU, len(pids))
	for _, pid := range pids {
		self, _, err := statTimes(filepath.Join(procRoot, strconv.Itoa(pid), "stat"))
		if err != nil {
			continue // exited meanwhile
		}
		out[pid] = NamedCPU{Name: processName(procRoot, pid, pid == root), CPU: self}
	}
	return out, nil
}

// CPUByName is the CPU time each name used between two readings; a process first seen in after counts
// from zero. A process that exited in between is in neither sum: its time went to its parent's reaped
// children (TreeCPU counts it).
func CPUByName(before, after map[int]NamedCPU) map[string]time.Duration {
	out := map[string]time.Duration{}
	for pid, a := range after {
		used := a.CPU
		if b, ok := before[pid]; ok && b.Name == a.Name {
			used -= b.CPU
		}
		out[a.Name] += used
	}
	return out
}

// TreeMemory is the resident memory of root's whole tree at one moment.
type TreeMemory struct {
	Processes int   `json:"processes"`
	RSSBytes  int64 `json:"rssBytes"`
	// PSSBytes counts each page shared between processes (a bootstrap's code, mapped by every
	// environment of the function) once in all, split between them: the tree's real use of memory.
	PSSBytes int64 `json:"pssBytes"`
}

// TreeMemoryOf reads VmRSS and Pss (smaps_rollup) of every live process of root's tree (Linux only).
func TreeMemoryOf(procRoot string, root int) (TreeMemory, error) {
	procs, err := Memory(procRoot, root)
	if err != nil {
		return TreeMemory{}, err
	}
	var out TreeMemory
	for _, p := range procs {
		pss, err := kBField(filepath.Join(procRoot, strconv.Itoa(p.Pid), "smaps_rollup"), "Pss:")
		if err != nil {
			continue // exited meanwhile
		}
		out.Processes++
		out.RSSBytes += p.RSSBytes
		out.PSSBytes += pss
	}
	return out, nil
}

// kBField reads a "<label>  <n> kB" line of a /proc file, in bytes.
func kBField(path, label string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), label); ok {
			fields := strings.Fields(rest)
			if len(fields) == 0 {
				break
			}
			kb, err := strconv.ParseInt(fields[0], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parse %s in %s: %w", label, path, err)
			}
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("no %s in %s", label, path)
}
