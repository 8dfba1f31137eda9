package ddbemu

import (
	"context"
	"time"
)

// maintainInterval paces the background upkeep of the data directory. A variable for tests.
var maintainInterval = time.Second

// maintainLoop persists stream checkpoints every maintainInterval, and then also seals, compresses
// and expires stream log segments and compacts the table data when the write log has grown enough.
func (s *Service) maintainLoop(ctx context.Context) {
	defer close(s.maintainDone)
	if s.opts.DataDir == "" {
		return
	}
	t := time.NewTicker(maintainInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.maintain()
		}
	}
}

func (s *Service) maintain() {
	s.maintainStreams()
	if s.compactDue() {
		if _, err := s.Compact(); err != nil {
			s.log.Error("compact dynamodb data", "err", err)
		}
	}
}

// maintainStreams persists checkpoints and keeps the stream logs. It holds s.mu shared, so that no
// table (and its log) is deleted meanwhile.
func (s *Service) maintainStreams() {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return
	}
	for _, name := range s.tableNamesLocked() {
		st := s.tables[name].stream
		if st == nil || st.disk == nil {
			continue
		}
		if err := st.flushPositions(); err != nil {
			s.log.Error("persist stream positions", "table", st.table, "err", err)
		}
		if err := st.maintain(s.opts.Now(), s.opts.StreamRetention); err != nil {
			s.log.Error("stream log upkeep", "table", st.table, "err", err)
		}
	}
}
