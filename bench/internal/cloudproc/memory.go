package cloudproc

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ProcessMemory is the resident memory of one process of the local cloud's tree.
type ProcessMemory struct {
	Pid      int    `json:"pid"`
	Name     string `json:"name"` // "localcloud" or the function's logical id
	RSSBytes int64  `json:"rssBytes"`
}

// Memory reads VmRSS of root and all its descendants from /proc (Linux only; elsewhere it returns an
// error). A function environment is named after its bootstrap's folder, i.e. its logical id.
func Memory(procRoot string, root int) ([]ProcessMemory, error) {
	pids, err := tree(procRoot, root)
	if err != nil {
		return nil, err
	}
	var out []ProcessMemory
	for _, pid := range pids {
		rss, err := vmRSS(filepath.Join(procRoot, strconv.Itoa(pid), "status"))
		if err != nil {
			if pid == root {
				return nil, err
			}
			continue // exited meanwhile
		}
		out = append(out, ProcessMemory{Pid: pid, Name: processName(procRoot, pid, pid == root), RSSBytes: rss})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Pid < out[j].Pid })
	return out, nil
}

func vmRSS(statusFile string) (int64, error) { return kBField(statusFile, "VmRSS:") }

// children lists pid's child processes from every thread's children file.
func children(procRoot string, pid int) []int {
	files, _ := filepath.Glob(filepath.Join(procRoot, strconv.Itoa(pid), "task", "*", "children"))
	var out []int
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, field := range strings.Fields(string(raw)) {
			if child, err := strconv.Atoi(field); err == nil {
				out = append(out, child)
			}
		}
	}
	return out
}

func processName(procRoot string, pid int, isRoot bool) string {
	if isRoot {
		return "localcloud"
	}
	exe, err := os.Readlink(filepath.Join(procRoot, strconv.Itoa(pid), "exe"))
	if err != nil {
		raw, _ := os.ReadFile(filepath.Join(procRoot, strconv.Itoa(pid), "cmdline"))
		exe, _, _ = strings.Cut(string(raw), "\x00")
	}
	if filepath.Base(exe) == "bootstrap" {
		return filepath.Base(filepath.Dir(exe))
	}
	return filepath.Base(exe)
}

// FunctionMemory is the memory of one function's environments at one moment.
type FunctionMemory struct {
	Environments  int   `json:"environments"`
	TotalRSSBytes int64 `json:"totalRssBytes"`
	MaxRSSBytes   int64 `json:"maxRssBytes"` // the largest single environment
}

// ByName groups process memory by name.
func ByName(procs []ProcessMemory) map[string]FunctionMemory {
	out := map[string]FunctionMemory{}
	for _, p := range procs {
		m := out[p.Name]
		m.Environments++
		m.TotalRSSBytes += p.RSSBytes
		m.MaxRSSBytes = max(m.MaxRSSBytes, p.RSSBytes)
		out[p.Name] = m
	}
	return out
}
