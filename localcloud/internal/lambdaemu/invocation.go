package lambdaemu

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// invocation is one request travelling through an environment.
type invocation struct {
	requestID   string
	traceID     string
	functionARN string
	payload     []byte
	deadline    time.Time

	delivered atomic.Bool  // the bootstrap has received it from GET /next
	result    chan outcome // capacity 1; the first outcome wins
	once      sync.Once
}

type outcome struct {
	payload []byte
	err     *FunctionError
}

func newInvocation(functionARN string, payload []byte, requestID string) *invocation {
	return &invocation{
		requestID:   requestID,
		traceID:     newTraceID(),
		functionARN: functionARN,
		payload:     payload,
		result:      make(chan outcome, 1),
	}
}

// finish records the outcome unless one was recorded already.
func (inv *invocation) finish(o outcome) {
	inv.once.Do(func() { inv.result <- o })
}

// newRequestID returns a random UUID (version 4), the shape of Lambda request ids.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// newTraceID returns an X-Ray trace header: Root=1-<epoch hex>-<96-bit random>;Parent=...;Sampled=0.
func newTraceID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0",
		time.Now().Unix(), hex.EncodeToString(b[:12]), hex.EncodeToString(b[12:]))
}
