package ddbemu

import (
	"encoding/json"
	"fmt"
)

// compactLocked rewrites the log as the minimal history that rebuilds the
// current state: API-created tables, TTL settings that differ from the specs,
// and one PutItem per item. Callers hold s.mu.
func (s *Service) compactLocked() error {
	var entries []walEntry
	items := 0
	for _, name := range s.tableNamesLocked() {
		t := s.tables[name]
		if t.createBody != nil {
			entries = append(entries, walEntry{Op: "CreateTable", Body: t.createBody})
		}
		if t.ttlAttr != t.spec.TTLAttribute {
			body, err := ttlRequest(name, t.ttlAttr, t.spec.TTLAttribute)
			if err != nil {
				return err
			}
			entries = append(entries, walEntry{Op: "UpdateTimeToLive", Body: body})
		}
		raws, err := s.scanRaw(name)
		if err != nil {
			return fmt.Errorf("scan %s: %w", name, err)
		}
		for _, raw := range raws {
			body, err := json.Marshal(map[string]any{"TableName": name, "Item": raw})
			if err != nil {
				return fmt.Errorf("encode item of %s: %w", name, err)
			}
			entries = append(entries, walEntry{Op: "PutItem", Body: body})
			items++
		}
	}
	if err := s.wal.rewrite(entries); err != nil {
		return err
	}
	s.log.Info("dynamodb log compacted", "items", items, "entries", len(entries))
	return nil
}

// ttlRequest renders the UpdateTimeToLive that turns the spec's TTL setting into the current one.
func ttlRequest(table, current, fromSpec string) ([]byte, error) {
	spec := map[string]any{"AttributeName": current, "Enabled": true}
	if current == "" {
		spec = map[string]any{"AttributeName": fromSpec, "Enabled": false}
	}
	return json.Marshal(map[string]any{"TableName": table, "TimeToLiveSpecification": spec})
}
