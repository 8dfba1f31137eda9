package ddbemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The table data on disk is a snapshot plus the write logs after it, by generation:
//
//	snapshot-<g>.snap   the tables as they were when generation g began (snapshot.go); earlier
//	                    versions wrote snapshot-<g>.jsonl, a write log of one PutItem per item
//	writes-<g>.jsonl    the writes of generation g (writes.jsonl: generation 0, the format before);
//	                    item writes are logged as the item images they leave (walOpItems), so
//	                    replaying a log over a snapshot that already holds some of it is harmless
//
// Compaction locks the tables' writers only long enough to clone each table's item tree (O(1),
// copy on write) and to start log generation g+1; it then writes snapshot-<g+1>.snap.tmp from the
// clones while writes continue into the new log, fsyncs it, renames it into place and only then
// deletes the older logs and snapshot. A crash at any moment leaves either the old snapshot with
// every log since, or the new snapshot with the logs since: nothing acknowledged is lost.

const (
	walFileName        = "writes.jsonl" // generation 0
	walPrefix          = "writes-"
	snapshotPrefix     = "snapshot-"
	dataSuffix         = ".jsonl"
	snapshotSuffix     = ".snap"
	jsonSnapshotSuffix = ".jsonl" // snapshots of earlier versions: a write log
)

func walName(gen int) string {
	if gen == 0 {
		return walFileName
	}
	return fmt.Sprintf("%s%06d%s", walPrefix, gen, dataSuffix)
}

func snapshotName(gen int) string {
	return fmt.Sprintf("%s%06d%s", snapshotPrefix, gen, snapshotSuffix)
}

func jsonSnapshotName(gen int) string {
	return fmt.Sprintf("%s%06d%s", snapshotPrefix, gen, jsonSnapshotSuffix)
}

// dataFiles lists the generations of the logs and the newest snapshot in dir (-1: none), removing
// an unfinished snapshot.
func dataFiles(dir string) (logs []int, snapshot int, err error) {
	snapshot = -1
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, -1, nil
	}
	if err != nil {
		return nil, -1, fmt.Errorf("list %s: %w", dir, err)
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, snapshotPrefix) && strings.HasSuffix(name, ".tmp") {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				return nil, -1, fmt.Errorf("remove unfinished snapshot: %w", err)
			}
			continue
		}
		if name == walFileName {
			logs = append(logs, 0)
			continue
		}
		for _, p := range []string{walPrefix, snapshotPrefix} {
			digits, ok := strings.CutPrefix(name, p)
			if !ok {
				continue
			}
			if trimmed, snap := strings.CutSuffix(digits, snapshotSuffix); snap && p == snapshotPrefix {
				digits = trimmed
			} else {
				digits, ok = strings.CutSuffix(digits, dataSuffix)
			}
			gen, err := strconv.Atoi(digits)
			if !ok || err != nil {
				continue
			}
			if p == walPrefix {
				logs = append(logs, gen)
			} else {
				snapshot = max(snapshot, gen)
			}
		}
	}
	slices.Sort(logs)
	return logs, snapshot, nil
}

// replayData rebuilds the tables from the snapshot and the logs after it. Callers hold s.mu.
func (s *Service) replayData() error {
	started := time.Now()
	dir := s.dataDir()
	entries, bytes := 0, int64(0)
	s.replaying = true
	defer func() { s.replaying = false }()
	items := 0
	if s.snapGen >= 0 {
		n, loaded, size, err := s.loadSnapshot(dir, s.snapGen)
		if err != nil {
			return fmt.Errorf("load snapshot: %w", err)
		}
		entries, items, bytes = entries+n, items+loaded, bytes+size
		s.snapshotBytes = size
	}
	for _, gen := range s.replayGens {
		limit := int64(-1)
		if gen == s.walGen {
			limit = s.replayLimit
		}
		n, size, err := replayFile(filepath.Join(dir, walName(gen)), limit, s.replayEntry)
		if err != nil {
			return fmt.Errorf("replay %s: %w", walName(gen), err)
		}
		entries, bytes = entries+n, bytes+size
	}
	s.log.Info("dynamodb data loaded", "entries", entries, "snapshotItems", items, "bytes", bytes, "snapshot", s.snapGen >= 0,
		"took", time.Since(started).Round(time.Millisecond))
	return nil
}

// loadSnapshot loads snapshot generation gen, binary or (from earlier versions) a write log.
func (s *Service) loadSnapshot(dir string, gen int) (entries, items int, size int64, err error) {
	path := filepath.Join(dir, snapshotName(gen))
	if _, statErr := os.Stat(path); statErr == nil {
		return s.loadSnapshotFile(path)
	}
	n, size, err := replayFile(filepath.Join(dir, jsonSnapshotName(gen)), -1, s.replayEntry)
	return n, 0, size, err
}

func replayFile(path string, limit int64, apply func(op string, body []byte)) (int, int64, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	n, size := 0, int64(0)
	err = scanEntries(f, limit, func(e walEntry, end int64) error {
		apply(e.Op, e.Body)
		n, size = n+1, end
		return nil
	})
	return n, size, err
}

func (s *Service) dataDir() string { return filepath.Join(s.opts.DataDir, "dynamodb") }

// Compact snapshots the tables and drops the write log behind the snapshot (see above). Writes wait
// only while the item trees are cloned and the log rotates; it runs on its own when the log has grown
// past CompactAboveBytes and 1/compactLogFraction of the last snapshot.
func (s *Service) Compact() (CompactStats, error) {
	s.compactMu.Lock()
	defer s.compactMu.Unlock()
	started := time.Now()
	dir := s.dataDir()
	s.mu.RLock()
	if s.closed || s.wal == nil {
		s.mu.RUnlock()
		return CompactStats{}, errors.New("compact: no write log")
	}
	gen := s.walGen + 1
	var all []writeTarget
	for _, name := range s.tableNamesLocked() {
		all = append(all, writeTarget{table: s.tables[name]})
	}
	unlock := lockTables(all)
	paused := time.Now()
	tables, err := s.snapshotTablesLocked()
	var old *writeLog
	if err == nil {
		var next *writeLog
		next, _, err = openWriteLog(dir, walName(gen), s.log)
		if err == nil {
			old, s.wal, s.walGen = s.wal, next, gen
		}
	}
	unlock()
	s.mu.RUnlock()
	stats := CompactStats{Paused: time.Since(paused)}
	if err != nil {
		return stats, fmt.Errorf("compact: %w", err)
	}
	if err := old.close(); err != nil {
		s.log.Error("close compacted write log", "err", err)
	}
	tmp := filepath.Join(dir, snapshotName(gen)+".tmp")
	stats.Items, stats.Bytes, err = writeSnapshotFile(tmp, tables)
	if err != nil {
		_ = os.Remove(tmp)
		return stats, fmt.Errorf("compact: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, snapshotName(gen))); err != nil {
		return stats, fmt.Errorf("compact: install snapshot: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return stats, fmt.Errorf("compact: %w", err)
	}
	// The snapshot is durable: what it covers goes.
	logs, _, err := dataFiles(dir)
	if err != nil {
		return stats, fmt.Errorf("compact: %w", err)
	}
	for _, g := range logs {
		if g < gen {
			if err := os.Remove(filepath.Join(dir, walName(g))); err != nil {
				return stats, fmt.Errorf("compact: drop old log: %w", err)
			}
		}
	}
	if s.snapGen >= 0 {
		for _, name := range []string{snapshotName(s.snapGen), jsonSnapshotName(s.snapGen)} {
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return stats, fmt.Errorf("compact: drop old snapshot: %w", err)
			}
		}
	}
	s.snapGen = gen
	s.snapshotBytes = stats.Bytes
	stats.Took = time.Since(started)
	s.log.Info("dynamodb compacted", "items", stats.Items, "bytes", stats.Bytes, "writesPausedFor", stats.Paused.Round(time.Microsecond),
		"took", stats.Took.Round(time.Millisecond))
	return stats, nil
}

// CompactStats describes one compaction.
type CompactStats struct {
	Items  int           `json:"items"`
	Bytes  int64         `json:"snapshotBytes"`
	Paused time.Duration `json:"pausedNs"` // how long writes waited
	Took   time.Duration `json:"tookNs"`
}

// snapshotTablesLocked captures what rebuilds the current state: API-created tables, TTL settings
// that differ from the specs, and a clone of every table's items. Callers hold s.mu and every
// table's write lock.
func (s *Service) snapshotTablesLocked() ([]snapshotTable, error) {
	var out []snapshotTable
	for _, name := range s.tableNamesLocked() {
		t := s.tables[name]
		snap := snapshotTable{name: name}
		snap.store = t.store.cloneAll()
		for _, idx := range t.store.indexes {
			snap.indexNames = append(snap.indexNames, idx.name)
		}
		if t.createBody != nil {
			snap.entries = append(snap.entries, walEntry{Op: "CreateTable", Body: t.createBody})
		}
		if t.ttlAttr != t.spec.TTLAttribute {
			body, err := ttlRequest(name, t.ttlAttr, t.spec.TTLAttribute)
			if err != nil {
				return nil, err
			}
			snap.entries = append(snap.entries, walEntry{Op: "UpdateTimeToLive", Body: body})
		}
		out = append(out, snap)
	}
	return out, nil
}

type countingWriter struct {
	w interface{ Write([]byte) (int, error) }
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// compactLogFraction bounds the write log to this fraction of the last snapshot (but at least
// CompactAboveBytes), since start-up replays the log after loading the snapshot, and a logged item
// costs ~15 µs to replay (decode, keys, index updates) against ~0.4 µs to load from a snapshot
// (BenchmarkRestart). A packed log entry is about as big as a snapshot item, so a log of 1/16 of
// the snapshot replays in about the time the snapshot takes to load; the data dir holds at most
// the snapshot and its log plus, while compacting, the next snapshot and log (< 2.2x).
const compactLogFraction = 16

// compactDue reports whether the write log has outgrown both CompactAboveBytes and
// 1/compactLogFraction of the last snapshot.
func (s *Service) compactDue() bool {
	if s.opts.CompactAboveBytes < 0 {
		return false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed || s.wal == nil || !s.replayed {
		return false
	}
	return s.wal.sizeNow() > max(s.opts.CompactAboveBytes, s.snapshotBytes/compactLogFraction)
}

// ttlRequest renders the UpdateTimeToLive that turns the spec's TTL setting into the current one.
func ttlRequest(table, current, fromSpec string) ([]byte, error) {
	spec := map[string]any{"AttributeName": current, "Enabled": true}
	if current == "" {
		spec = map[string]any{"AttributeName": fromSpec, "Enabled": false}
	}
	return json.Marshal(map[string]any{"TableName": table, "TimeToLiveSpecification": spec})
}
