package ddbemu

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// ttlIdentity marks records of TTL deletions, as on AWS.
var ttlIdentity = &events.DynamoDBUserIdentity{Type: "Service", PrincipalID: "dynamodb.amazonaws.com"}

// AWS ignores TTL values more than five years in the past.
const ttlMaxAge = 5 * 365 * 24 * time.Hour

func (s *Service) sweepLoop(ctx context.Context) {
	defer close(s.sweepDone)
	t := time.NewTicker(s.opts.TTLSweepInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.SweepExpired()
		}
	}
}

// SweepExpired deletes every item whose TTL attribute (epoch seconds, N) is in
// the past, emitting REMOVE records with the TTL service identity. It runs in
// the background every TTLSweepInterval; tests may call it directly.
func (s *Service) SweepExpired() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0
	}
	now := s.opts.Now()
	deleted := 0
	for _, name := range s.tableNamesLocked() {
		t := s.tables[name]
		if t.ttlAttr == "" {
			continue
		}
		items, err := s.scanRaw(name)
		if err != nil {
			s.log.Error("ttl scan", "table", name, "err", err)
			continue
		}
		for _, raw := range items {
			var item rawItem
			if json.Unmarshal(raw, &item) != nil || !expired(item[t.ttlAttr], now) {
				continue
			}
			if s.deleteExpiredLocked(t, item) {
				deleted++
			}
		}
	}
	return deleted
}

func expired(ttlValue json.RawMessage, now time.Time) bool {
	var v struct{ N *string }
	if len(ttlValue) == 0 || json.Unmarshal(ttlValue, &v) != nil || v.N == nil {
		return false
	}
	secs, err := strconv.ParseFloat(*v.N, 64)
	if err != nil {
		return false
	}
	at := time.Unix(0, 0).Add(time.Duration(secs * float64(time.Second)))
	return at.Before(now) && now.Sub(at) <= ttlMaxAge
}

// deleteExpiredLocked deletes the item only if its TTL value is unchanged.
func (s *Service) deleteExpiredLocked(t *tableState, item rawItem) bool {
	body, err := json.Marshal(map[string]any{
		"TableName":                 t.spec.Name,
		"Key":                       pickKey(t, item),
		"ConditionExpression":       "#ttl = :ttl",
		"ExpressionAttributeNames":  map[string]string{"#ttl": t.ttlAttr},
		"ExpressionAttributeValues": map[string]json.RawMessage{":ttl": item[t.ttlAttr]},
	})
	if err != nil {
		return false
	}
	res := s.writeLocked("DeleteItem", body, ttlIdentity)
	if !res.ok() {
		s.log.Warn("ttl delete", "table", t.spec.Name, "status", res.status, "body", string(res.body))
	}
	return res.ok()
}
