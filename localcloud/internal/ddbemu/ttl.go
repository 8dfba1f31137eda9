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

// SweepExpired deletes every item whose TTL attribute (epoch seconds, N) passed
// more than TTLDeletionDelay ago, emitting REMOVE records with the TTL service
// identity. It runs in the background every TTLSweepInterval; tests may call it
// directly.
//
// Deletion is lazy, as on AWS (DynamoDB developer guide, "Working with expired
// items": "Items that have expired, but haven't yet been deleted by TTL, will
// still appear in reads, queries, and scans"; they can also still be updated).
// The REMOVE records carry userIdentity {type Service, principalId
// dynamodb.amazonaws.com} ("DynamoDB Streams and Time to Live").
//
// The scan for candidates runs page by page under the shared lock, so requests
// are not held up for the length of a table scan; each delete is an ordinary item
// write, conditional on the TTL value the scan saw.
func (s *Service) SweepExpired() int {
	// Expiry is judged on the wall clock the product writes its TTL values with; only the delay is AWS time.
	cutoff := s.opts.Now().Add(-s.opts.Clock.Wall(max(s.opts.TTLDeletionDelay, 0)))
	deleted := 0
	for _, t := range s.ttlTables() {
		items, err := s.scanExpired(t, cutoff)
		if err != nil {
			s.log.Error("ttl scan", "table", t.spec.Name, "err", err)
			continue
		}
		for _, item := range items {
			if s.deleteExpired(t, item) {
				deleted++
			}
		}
	}
	return deleted
}

func (s *Service) deleteExpired(t *tableState, item rawItem) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return !s.closed && s.deleteExpiredLocked(t, item)
}

// ttlTables lists the tables with a TTL attribute, in name order.
func (s *Service) ttlTables() []*tableState {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil
	}
	var out []*tableState
	for _, name := range s.tableNamesLocked() {
		if t := s.tables[name]; t.ttlAttr != "" {
			out = append(out, t)
		}
	}
	return out
}

// ttlScanPage bounds how long one page of the TTL sweep holds the table's read lock. A variable for tests.
var ttlScanPage = 10_000

// scanExpired returns the items of t that expired before cutoff (key and TTL attribute only), read
// from the table's TTL index: only items whose TTL value has passed are visited.
func (s *Service) scanExpired(t *tableState, cutoff time.Time) ([]rawItem, error) {
	upTo, err := appendNumber(nil, strconv.FormatInt(cutoff.Unix()+1, 10))
	if err != nil {
		return nil, err
	}
	var expiredItems []rawItem
	var after seekKey
	for {
		s.mu.RLock()
		page := t.store.expiring(after, string(upTo), ttlScanPage)
		s.mu.RUnlock()
		for _, e := range page {
			attrs, err := t.store.itemAttrs(e.item)
			if err != nil {
				return nil, err
			}
			if expired(attrs[t.ttlAttr], cutoff) {
				picked := rawItem{t.ttlAttr: attrs[t.ttlAttr]}
				for _, k := range t.keyAttrs() {
					picked[k] = attrs[k]
				}
				expiredItems = append(expiredItems, picked)
			}
		}
		if len(page) < ttlScanPage {
			return expiredItems, nil
		}
		last := page[len(page)-1]
		after = seekKey{key: last.key, item: last.item.key()}
	}
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
