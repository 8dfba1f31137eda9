package ddbemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Stream records are persisted per stream in DataDir/dynamodb/streams/<table>.jsonl, in the
// write log format: a "Stream" entry naming the stream, then one "Record" entry per record, so
// that after a restart consumers find the records (with the same ARN, shard and sequence
// numbers) they had not consumed yet. At start only the newest retained records are loaded,
// and the file is cut down to them when it holds a quarter more.
//
// A record is written after the item write it describes is in the table log; a crash between
// the two loses that record (not the write).

const (
	streamLogDir    = "streams"
	streamMetaOp    = "Stream"
	streamRecordOp  = "Record"
	streamLogSuffix = ".jsonl"
)

type streamMeta struct {
	ARN      string `json:"arn"`
	ShardID  string `json:"shardId"`
	ViewType string `json:"viewType"`
}

// persist appends a record to the stream's log. Callers hold st.mu.
func (st *Stream) persist(r events.DynamoDBEventRecord) {
	if st.wal == nil {
		return
	}
	body, err := json.Marshal(r)
	if err == nil {
		err = st.wal.append(streamRecordOp, body)
	}
	if err != nil {
		st.wal.log.Error("persist stream record", "table", st.table, "err", err)
	}
}

func (s *Service) streamLogDir() string {
	return filepath.Join(s.opts.DataDir, "dynamodb", streamLogDir)
}

// attachStreamLog opens the stream's log and, unless fresh (a table created now), takes over
// the ARN, shard and records persisted for the same stream of this table. Callers hold s.mu
// exclusively, in the same critical section that registered the table: nobody else has seen
// the stream yet.
func (s *Service) attachStreamLog(t *tableState, fresh bool) error {
	st := t.stream
	if s.wal == nil || st == nil || st.wal != nil {
		return nil
	}
	dir, name := s.streamLogDir(), t.spec.Name+streamLogSuffix
	if fresh {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove stale stream log of %s: %w", t.spec.Name, err)
		}
	}
	wal, valid, err := openWriteLog(dir, name, s.log)
	if err != nil {
		return fmt.Errorf("open stream log of %s: %w", t.spec.Name, err)
	}
	var meta *streamMeta
	loaded := 0
	_, err = wal.replay(valid, func(op string, body []byte) {
		switch op {
		case streamMetaOp:
			var m streamMeta
			if json.Unmarshal(body, &m) == nil && m.ViewType == st.viewType && strings.HasPrefix(m.ARN, t.arn+"/stream/") {
				meta = &m
			}
		case streamRecordOp:
			var r events.DynamoDBEventRecord
			if meta == nil || json.Unmarshal(body, &r) != nil {
				return
			}
			n, err := parseSequence(r.Change.SequenceNumber)
			if err != nil || len(st.records) > 0 && n != st.nextN {
				return // not a continuation of the sequence
			}
			if len(st.records) == 0 {
				st.firstN = n
			}
			st.records = append(st.records, r)
			st.nextN = n + 1
			st.trim()
			loaded++
		}
	})
	if err != nil {
		_ = wal.close()
		return fmt.Errorf("read stream log of %s: %w", t.spec.Name, err)
	}
	if meta != nil {
		st.arn, st.shardID = meta.ARN, meta.ShardID
	} else {
		st.records, st.firstN, st.nextN = nil, 1, 1
	}
	if meta == nil || loaded > len(st.records) {
		if err := st.rewriteLog(wal); err != nil {
			_ = wal.close()
			return err
		}
	}
	st.wal = wal
	return nil
}

// rewriteLog replaces the stream's log with its metadata and retained records.
func (st *Stream) rewriteLog(wal *writeLog) error {
	meta, err := json.Marshal(streamMeta{ARN: st.arn, ShardID: st.shardID, ViewType: st.viewType})
	if err != nil {
		return fmt.Errorf("encode stream metadata: %w", err)
	}
	entries := []walEntry{{Op: streamMetaOp, Body: meta}}
	for _, r := range st.records {
		body, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("encode stream record: %w", err)
		}
		entries = append(entries, walEntry{Op: streamRecordOp, Body: body})
	}
	if err := wal.rewrite(entries); err != nil {
		return fmt.Errorf("rewrite stream log of %s: %w", st.table, err)
	}
	return nil
}

// closeStreamLog closes the stream's log; with remove (the table is deleted), the file goes too.
func (s *Service) closeStreamLog(t *tableState, remove bool) error {
	st := t.stream
	if st == nil {
		return nil
	}
	st.mu.Lock()
	wal := st.wal
	st.wal = nil
	st.mu.Unlock()
	if wal == nil {
		return nil
	}
	err := wal.close()
	if remove {
		if rerr := os.Remove(wal.path); rerr != nil && !errors.Is(rerr, os.ErrNotExist) && err == nil {
			err = fmt.Errorf("remove stream log of %s: %w", t.spec.Name, rerr)
		}
	}
	return err
}

// removeStaleStreamLogs deletes the logs of streams that no longer exist. Callers hold s.mu.
func (s *Service) removeStaleStreamLogs() error {
	entries, err := os.ReadDir(s.streamLogDir())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list stream logs: %w", err)
	}
	for _, e := range entries {
		table, ok := strings.CutSuffix(e.Name(), streamLogSuffix)
		if !ok {
			continue
		}
		if t := s.tables[table]; t != nil && t.stream != nil {
			continue
		}
		if err := os.Remove(filepath.Join(s.streamLogDir(), e.Name())); err != nil {
			return fmt.Errorf("remove stale stream log: %w", err)
		}
	}
	return nil
}
