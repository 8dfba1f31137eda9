package streamrec

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/events"
)

// ProcessByKey handles a stream batch with up to workers goroutines. Records with the same key (as keyOf
// returns it) are handled one after another in batch order; records of different keys run concurrently.
// An empty key puts the record in a group of its own.
//
// A key stops at its first failing record. The response reports the lowest failed record and every
// record after it, because AWS restarts the shard at the lowest reported SequenceNumber: records of other
// keys after that point are redelivered even if they succeeded, so handle must be idempotent (version
// checks, idempotency claims). Once a record has failed, records after it that have not started yet are
// not started at all, since they will be redelivered anyway.
func ProcessByKey(ctx context.Context, records []events.DynamoDBEventRecord, workers int,
	keyOf func(events.DynamoDBEventRecord) string, handle func(context.Context, events.DynamoDBEventRecord) error,
) events.DynamoDBEventResponse {
	groups := groupByKey(records, keyOf)
	lowestFailed := atomic.Int64{}
	lowestFailed.Store(int64(len(records)))
	fail := func(i int) {
		for {
			cur := lowestFailed.Load()
			if int64(i) >= cur || lowestFailed.CompareAndSwap(cur, int64(i)) {
				return
			}
		}
	}
	runGroup := func(indexes []int) {
		for _, i := range indexes {
			if int64(i) > lowestFailed.Load() {
				return // redelivered from the earlier failure anyway
			}
			if err := handle(ctx, records[i]); err != nil {
				fail(i)
				return
			}
		}
	}

	workers = max(1, min(workers, len(groups)))
	next := make(chan []int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for g := range next {
				runGroup(g)
			}
		})
	}
	for _, g := range groups {
		next <- g
	}
	close(next)
	wg.Wait()

	var failures Failures
	for _, rec := range records[lowestFailed.Load():] {
		failures.Add(rec)
	}
	return failures.Response()
}

// groupByKey returns the records' indexes grouped by key, groups in order of their first record.
func groupByKey(records []events.DynamoDBEventRecord, keyOf func(events.DynamoDBEventRecord) string) [][]int {
	var groups [][]int
	byKey := map[string]int{}
	for i, rec := range records {
		key := keyOf(rec)
		if key == "" {
			key = "\x00record " + strconv.Itoa(i) // a group of its own
		}
		g, ok := byKey[key]
		if !ok {
			g = len(groups)
			byKey[key] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	return groups
}

// StringAttr returns the image's string attribute name, "" when it is missing or not a string.
func StringAttr(image map[string]events.DynamoDBAttributeValue, name string) string {
	v, ok := image[name]
	if !ok || v.DataType() != events.DataTypeString {
		return ""
	}
	return v.String()
}
