// Package metrics writes business metrics as CloudWatch Embedded Metric Format log lines: CloudWatch Logs
// turns them into metrics on AWS, and locally they are plain JSON lines in the function's log.
package metrics

import (
	"encoding/json"
	"io"
	"os"
	"sync"
	"time"
)

const Namespace = "CallTaxi"

// Names of the business metrics.
const (
	OrdersPlaced      = "OrdersPlaced"
	OrdersCanceled    = "OrdersCanceled"
	PaymentsApproved  = "PaymentsApproved"
	PaymentsDeclined  = "PaymentsDeclined"
	PaymentsThrottled = "PaymentsThrottled"
	TaxisAssigned     = "TaxisAssigned"
	SMSSent           = "SMSSent"
	// StuckOrdersFound counts orders the sweep found unpaid more than 5 minutes after creation with their
	// payment approved (which it then completes) or stuck PENDING: something upstream broke (alarmed).
	StuckOrdersFound = "StuckOrdersFound"
)

// Recorder emits EMF lines for one service.
type Recorder struct {
	mu      sync.Mutex
	w       io.Writer
	service string
	now     func() time.Time
}

// New returns a recorder writing to w (os.Stdout when nil), dimensioned by service.
func New(w io.Writer, service string) *Recorder {
	if w == nil {
		w = os.Stdout
	}
	return &Recorder{w: w, service: service, now: time.Now}
}

// Count emits one Count metric.
func (r *Recorder) Count(name string, value float64) {
	if r == nil {
		return
	}
	line := map[string]any{
		"_aws": map[string]any{
			"Timestamp": r.now().UnixMilli(),
			"CloudWatchMetrics": []map[string]any{{
				"Namespace":  Namespace,
				"Dimensions": [][]string{{"service"}},
				"Metrics":    []map[string]string{{"Name": name, "Unit": "Count"}},
			}},
		},
		"service": r.service,
		name:      value,
	}
	b, _ := json.Marshal(line)
	r.mu.Lock()
	defer r.mu.Unlock()
	_, _ = r.w.Write(append(b, '\n'))
}
