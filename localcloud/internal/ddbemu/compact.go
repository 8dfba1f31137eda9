package ddbemu

import (
	"bufio"
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
//	snapshot-<g>.jsonl  the state after every write of the logs of generations below g, in the
//	                    write log format (API-created tables, TTL settings, one PutItem per item)
//	writes-<g>.jsonl    the writes of generation g (writes.jsonl: generation 0, the format before)
//
// Compaction starts generation g+1 at a point where no write is in flight, scans the tables into
// snapshot-<g+1>.jsonl.tmp, fsyncs it, renames it into place and only then deletes the older logs
// and snapshot. A crash at any moment leaves either the old snapshot with every log since, or the
// new snapshot with the logs since: nothing acknowledged is lost.

const (
	walFileName      = "writes.jsonl" // generation 0
	walPrefix        = "writes-"
	snapshotPrefix   = "snapshot-"
	dataSuffix       = ".jsonl"
	snapshotScanPage = 10_000
)

func walName(gen int) string {
	if gen == 0 {
		return walFileName
	}
	return fmt.Sprintf("%s%06d%s", walPrefix, gen, dataSuffix)
}

func snapshotName(gen int) string { return fmt.Sprintf("%s%06d%s", snapshotPrefix, gen, dataSuffix) }

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
			digits, ok = strings.CutSuffix(digits, dataSuffix)
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
	if s.snapGen >= 0 {
		n, size, err := replayFile(filepath.Join(dir, snapshotName(s.snapGen)), -1, s.replayEntry)
		if err != nil {
			return fmt.Errorf("replay snapshot: %w", err)
		}
		entries, bytes = entries+n, bytes+size
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
	s.log.Info("dynamodb data loaded", "entries", entries, "bytes", bytes, "snapshot", s.snapGen >= 0,
		"took", time.Since(started).Round(time.Millisecond))
	return nil
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
// while the tables are scanned (reads do not); it runs on its own when the log has grown past
// CompactAboveBytes and the size of the last snapshot.
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
	tmp := filepath.Join(dir, snapshotName(gen)+".tmp")
	var all []writeTarget
	for _, name := range s.tableNamesLocked() {
		all = append(all, writeTarget{table: s.tables[name]})
	}
	unlock := lockTables(all)
	stats, err := s.writeSnapshot(tmp)
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
	stats.Paused = time.Since(started)
	if err != nil {
		_ = os.Remove(tmp)
		return stats, fmt.Errorf("compact: %w", err)
	}
	if err := old.close(); err != nil {
		s.log.Error("close compacted write log", "err", err)
	}
	final := filepath.Join(dir, snapshotName(gen))
	if err := syncFile(tmp); err != nil {
		return stats, fmt.Errorf("compact: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
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
		if err := os.Remove(filepath.Join(dir, snapshotName(s.snapGen))); err != nil && !errors.Is(err, os.ErrNotExist) {
			return stats, fmt.Errorf("compact: drop old snapshot: %w", err)
		}
	}
	s.snapGen = gen
	s.snapshotBytes = stats.Bytes
	stats.Took = time.Since(started)
	s.log.Info("dynamodb compacted", "items", stats.Items, "bytes", stats.Bytes, "writesPausedFor", stats.Paused.Round(time.Millisecond),
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

// writeSnapshot writes the minimal history that rebuilds the current state: API-created tables,
// TTL settings that differ from the specs, and one PutItem per item. Callers hold s.mu and every
// table's write lock.
func (s *Service) writeSnapshot(path string) (CompactStats, error) {
	var stats CompactStats
	f, err := os.Create(path)
	if err != nil {
		return stats, fmt.Errorf("create %s: %w", path, err)
	}
	defer f.Close()
	cw := &countingWriter{w: f}
	w := bufio.NewWriterSize(cw, 1<<20)
	enc := json.NewEncoder(w)
	for _, name := range s.tableNamesLocked() {
		t := s.tables[name]
		if t.createBody != nil {
			if err := enc.Encode(walEntry{Op: "CreateTable", Body: t.createBody}); err != nil {
				return stats, fmt.Errorf("write %s: %w", path, err)
			}
		}
		if t.ttlAttr != t.spec.TTLAttribute {
			body, err := ttlRequest(name, t.ttlAttr, t.spec.TTLAttribute)
			if err != nil {
				return stats, err
			}
			if err := enc.Encode(walEntry{Op: "UpdateTimeToLive", Body: body}); err != nil {
				return stats, fmt.Errorf("write %s: %w", path, err)
			}
		}
		err := s.scanPages(name, func(items []json.RawMessage) error {
			for _, raw := range items {
				body, err := json.Marshal(map[string]any{"TableName": name, "Item": raw})
				if err != nil {
					return fmt.Errorf("encode item of %s: %w", name, err)
				}
				if err := enc.Encode(walEntry{Op: "PutItem", Body: body}); err != nil {
					return fmt.Errorf("write %s: %w", path, err)
				}
				stats.Items++
			}
			return nil
		})
		if err != nil {
			return stats, fmt.Errorf("scan %s: %w", name, err)
		}
	}
	if err := w.Flush(); err != nil {
		return stats, fmt.Errorf("write %s: %w", path, err)
	}
	stats.Bytes = cw.n
	return stats, nil
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

// scanPages calls fn with every page of the table's items (DynamoDB JSON).
func (s *Service) scanPages(table string, fn func([]json.RawMessage) error) error {
	var startKey json.RawMessage
	for {
		req := map[string]any{"TableName": table, "Limit": snapshotScanPage}
		if startKey != nil {
			req["ExclusiveStartKey"] = startKey
		}
		var out struct {
			Items            []json.RawMessage
			LastEvaluatedKey json.RawMessage
		}
		if err := s.callEngineJSON("Scan", req, &out); err != nil {
			return err
		}
		if err := fn(out.Items); err != nil {
			return err
		}
		if len(out.LastEvaluatedKey) == 0 || string(out.LastEvaluatedKey) == "null" {
			return nil
		}
		startKey = out.LastEvaluatedKey
	}
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}

// compactDue reports whether the write log has outgrown both CompactAboveBytes and the last snapshot.
func (s *Service) compactDue() bool {
	if s.opts.CompactAboveBytes < 0 {
		return false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed || s.wal == nil || !s.replayed {
		return false
	}
	return s.wal.sizeNow() > max(s.opts.CompactAboveBytes, s.snapshotBytes)
}

// ttlRequest renders the UpdateTimeToLive that turns the spec's TTL setting into the current one.
func ttlRequest(table, current, fromSpec string) ([]byte, error) {
	spec := map[string]any{"AttributeName": current, "Enabled": true}
	if current == "" {
		spec = map[string]any{"AttributeName": fromSpec, "Enabled": false}
	}
	return json.Marshal(map[string]any{"TableName": table, "TimeToLiveSpecification": spec})
}
