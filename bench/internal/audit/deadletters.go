package audit

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// queueConsumers maps a dead-letter queue (by a part of its name) to the function whose failures fill it.
var queueConsumers = []struct{ fragment, function string }{
	{"reservation-events", "ReservationFunction"},
	{"taxi-events", "TaxiFunction"},
	{"mypage-", "MyPageFunction"},
	{"notify-", "NotifyFunction"},
}

func consumerOf(queue string) string {
	for _, qc := range queueConsumers {
		if strings.Contains(queue, qc.fragment) {
			return qc.function
		}
	}
	return ""
}

// explains reports whether fault f can have made function's deliveries fail.
func explains(f Fault, function string) bool {
	switch f.Kind {
	case FaultStop, FaultFail, FaultKill:
		return function != "" && strings.Contains(f.Function, function)
	case FaultSMSFailure:
		return function == "NotifyFunction"
	}
	return false
}

// checkDeadLetters lists every dead letter with the injected fault that explains it; one no fault
// explains (its consumer was neither stopped nor killed before it, nor SMS failing for notify) is a violation.
func checkDeadLetters(s Snapshot, e Expectations) Result {
	res := Result{Name: "dead letters explained by injected faults"}
	queues := make([]string, 0, len(s.DLQ))
	for q := range s.DLQ {
		queues = append(queues, q)
	}
	sort.Strings(queues)
	for _, q := range queues {
		function := consumerOf(q)
		for _, m := range s.DLQ[q] {
			res.Checked++
			what := describeBody(m.Body)
			var cause *Fault
			for i := range e.Faults {
				f := e.Faults[i]
				if explains(f, function) && !f.At.After(m.At) {
					cause = &f
				}
			}
			if cause == nil {
				res.Violations = append(res.Violations, fmt.Sprintf("%s: %s at %s: no injected fault explains it", q, what, m.At.Format("15:04:05.000")))
				continue
			}
			res.Notes = append(res.Notes, fmt.Sprintf("%s: %s — after %s %s at %s", q, what, cause.Kind, cause.Function, cause.At.Format("15:04:05.000")))
		}
	}
	return res
}

// streamFailure is the on-failure record of a stream batch that exhausted its retries.
type streamFailure struct {
	RequestContext struct {
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	} `json:"requestContext"`
	ResponseContext struct {
		FunctionError string `json:"functionError"`
	} `json:"responseContext"`
	Batch struct {
		Start     string `json:"startSequenceNumber"`
		End       string `json:"endSequenceNumber"`
		BatchSize int    `json:"batchSize"`
	} `json:"DDBStreamBatchInfo"`
}

// describeBody names an EventBridge event or a stream failure record by what it is about.
func describeBody(body json.RawMessage) string {
	var sf streamFailure
	if json.Unmarshal(body, &sf) == nil && sf.Batch.BatchSize > 0 {
		return fmt.Sprintf("stream batch of %d records (sequence %s..%s), %s after %d invokes (%s)", sf.Batch.BatchSize,
			sf.Batch.Start, sf.Batch.End, sf.RequestContext.Condition, sf.RequestContext.ApproximateInvokeCount, sf.ResponseContext.FunctionError)
	}
	var ev struct {
		DetailType string         `json:"detail-type"`
		Detail     map[string]any `json:"detail"`
	}
	if json.Unmarshal(body, &ev) == nil && ev.DetailType != "" {
		for _, k := range []string{"orderId", "reservationId", "paymentId"} {
			if v, ok := ev.Detail[k].(string); ok {
				return fmt.Sprintf("%s (%s %s)", ev.DetailType, k, v)
			}
		}
		return ev.DetailType
	}
	const maxLen = 120
	text := string(body)
	if len(text) > maxLen {
		text = text[:maxLen] + "…"
	}
	return text
}
