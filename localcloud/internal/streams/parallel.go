package streams

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/events"
)

// maxParallelizationFactor is the API's upper bound for ParallelizationFactor (CreateEventSourceMapping).
const maxParallelizationFactor = 10

// processConcurrently delivers the records read in one go as AWS does with a ParallelizationFactor
// above 1: the shard's records are spread over that many concurrent batches, every record of an item
// (its primary key) in the same one, so "Lambda still ensures in-order processing at the item
// (partition and sort key) level" (Using AWS Lambda with Amazon DynamoDB, "Polling and batching
// streams": https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html). Each lane retries, bisects
// and gives up on its own batches; the poller checkpoints past these records only when every lane is
// done with them. It returns false if ctx ended first.
//
// The lanes work in rounds: nothing more is read until every lane is done with this read, so a lane
// that keeps retrying holds up the others too (AWS documents the order per item, not how far a shard's
// other batches may run ahead; this is the conservative reading). The batching window waits for one
// full batch, not BatchSize × ParallelizationFactor records.
func (p *Poller) processConcurrently(ctx context.Context, recs []events.DynamoDBEventRecord) bool {
	if p.m.ParallelizationFactor <= 1 {
		return p.processInBatches(ctx, recs)
	}
	lanes := make([][]events.DynamoDBEventRecord, p.m.ParallelizationFactor)
	for _, r := range recs {
		i := laneOf(r, len(lanes))
		lanes[i] = append(lanes[i], r)
	}
	var wg sync.WaitGroup
	var stopped atomic.Bool
	for _, lane := range lanes {
		if len(lane) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !p.processInBatches(ctx, lane) {
				stopped.Store(true)
			}
		}()
	}
	wg.Wait()
	return !stopped.Load()
}

// processInBatches delivers recs in order, BatchSize at a time.
func (p *Poller) processInBatches(ctx context.Context, recs []events.DynamoDBEventRecord) bool {
	for len(recs) > 0 {
		n := min(len(recs), p.m.BatchSize)
		if !p.process(ctx, recs[:n]) {
			return false
		}
		recs = recs[n:]
	}
	return true
}

// laneOf picks the concurrent batch of a record by its item's primary key.
func laneOf(r events.DynamoDBEventRecord, lanes int) int {
	key, err := json.Marshal(r.Change.Keys) // map keys sorted: the same item, the same bytes
	if err != nil {
		return 0
	}
	h := fnv.New32a()
	_, _ = h.Write(key)
	return int(h.Sum32() % uint32(lanes))
}
