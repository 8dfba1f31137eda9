package sqsemu

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/awsclock"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newService(t *testing.T, scale float64, dir string) *Service {
	t.Helper()
	s, err := New(Options{Dir: dir, Logger: quietLogger(), Clock: awsclock.New(scale)})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func mustCreate(t *testing.T, s *Service, spec QueueSpec) {
	t.Helper()
	if err := s.CreateQueue(spec); err != nil {
		t.Fatalf("CreateQueue(%s): %v", spec.Name, err)
	}
}

func mustSend(t *testing.T, s *Service, queue, body string, attrs map[string]MessageAttribute) string {
	t.Helper()
	id, err := s.Send(queue, body, attrs, -1)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	return id
}

func receiveOne(t *testing.T, s *Service, queue string, visibility time.Duration) Received {
	t.Helper()
	msgs, err := s.Receive(queue, 1, visibility)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("Receive = %d messages, %v; want 1", len(msgs), err)
	}
	return msgs[0]
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func errCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// SQS Developer Guide, "Amazon SQS visibility timeout": a received message stays in the queue but is
// invisible until it is deleted or its visibility timeout passes; ChangeMessageVisibility changes the
// remaining time, and 0 makes it visible at once. Delivery is at least once ("Amazon SQS standard
// queues"): a message not deleted is delivered again.
func TestVisibilityTimeout_SQSDeveloperGuideVisibilityTimeout(t *testing.T) {
	s := newService(t, 6000, "") // 30 s visibility = 5 ms wall
	mustCreate(t, s, QueueSpec{Name: "q"})
	id := mustSend(t, s, "q", "hello", nil)

	first := receiveOne(t, s, "q", 0)
	if first.MessageID != id {
		t.Fatalf("MessageID = %s, want %s", first.MessageID, id)
	}
	if msgs, _ := s.Receive("q", 10, time.Hour); len(msgs) != 0 {
		t.Fatalf("in-flight message received again: %+v", msgs)
	}
	if v, nv, _ := s.Counts("q"); v != 0 || nv != 1 {
		t.Fatalf("Counts = %d visible, %d not visible; want 0, 1", v, nv)
	}
	// After the queue's 30 s (AWS) visibility timeout the message is delivered again.
	var second Received
	eventually(t, 2*time.Second, "redelivery after the visibility timeout", func() bool {
		msgs, _ := s.Receive("q", 1, time.Hour)
		if len(msgs) == 1 {
			second = msgs[0]
			return true
		}
		return false
	})
	if second.ReceiptHandle == first.ReceiptHandle {
		t.Error("a new receive must return a new receipt handle")
	}
	if second.Attributes["ApproximateReceiveCount"] != "2" {
		t.Errorf("ApproximateReceiveCount = %s, want 2", second.Attributes["ApproximateReceiveCount"])
	}
	// ChangeMessageVisibility 0: visible at once.
	if err := s.ChangeVisibility("q", second.ReceiptHandle, 0); err != nil {
		t.Fatalf("ChangeVisibility: %v", err)
	}
	third := receiveOne(t, s, "q", time.Hour)
	// Changing the visibility of a visible message is MessageNotInflight.
	if err := s.ChangeVisibility("q", third.ReceiptHandle, 0); err != nil {
		t.Fatalf("ChangeVisibility: %v", err)
	}
	if err := s.ChangeVisibility("q", third.ReceiptHandle, time.Minute); errCode(err) != "AWS.SimpleQueueService.MessageNotInflight" {
		t.Errorf("ChangeVisibility of a visible message = %v, want MessageNotInflight", err)
	}
}

// "Amazon SQS visibility timeout": the maximum is 12 hours from the time the message was received.
func TestChangeVisibility_TwelveHourLimit_SQSDeveloperGuideVisibilityTimeout(t *testing.T) {
	s := newService(t, 1, "")
	mustCreate(t, s, QueueSpec{Name: "q"})
	mustSend(t, s, "q", "x", nil)
	m := receiveOne(t, s, "q", 0)
	tests := []struct {
		name string
		d    time.Duration
		code string
	}{
		{"within 12h", 11 * time.Hour, ""},
		{"just under 12h", 12*time.Hour - time.Minute, ""},
		{"beyond 12h", 12*time.Hour + time.Minute, "InvalidParameterValue"},
		{"negative", -time.Second, "InvalidParameterValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.ChangeVisibility("q", m.ReceiptHandle, tt.d); errCode(err) != tt.code {
				t.Errorf("ChangeVisibility(%v) = %v, want code %q", tt.d, err, tt.code)
			}
		})
	}
}

// API Reference, ReceiveMessage: SentTimestamp, ApproximateReceiveCount and
// ApproximateFirstReceiveTimestamp (epoch milliseconds); the first receive time does not change on
// later receives.
func TestSystemAttributes_ReceiveMessageAPIReference(t *testing.T) {
	s := newService(t, 1, "")
	mustCreate(t, s, QueueSpec{Name: "q"})
	before := s.now().UnixMilli()
	mustSend(t, s, "q", "x", nil)
	first := receiveOne(t, s, "q", 0)
	if err := s.ChangeVisibility("q", first.ReceiptHandle, 0); err != nil {
		t.Fatal(err)
	}
	second := receiveOne(t, s, "q", 0)
	for _, tt := range []struct {
		name, attr string
		want       func(v string) bool
	}{
		{"sent timestamp", "SentTimestamp", func(v string) bool { return v >= itoa(before) && v == first.Attributes["SentTimestamp"] }},
		{"receive count", "ApproximateReceiveCount", func(v string) bool { return v == "2" }},
		{"first receive", "ApproximateFirstReceiveTimestamp", func(v string) bool {
			return v == first.Attributes["ApproximateFirstReceiveTimestamp"] && v >= itoa(before)
		}},
		{"sender", "SenderId", func(v string) bool { return v == "000000000000" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if v := second.Attributes[tt.attr]; !tt.want(v) {
				t.Errorf("%s = %q", tt.attr, v)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// API Reference, DeleteMessage: "If you receive a message more than once, the ReceiptHandle is
// different each time ... you must provide the most recently received ReceiptHandle for the message
// (otherwise, the request succeeds, but the message will not be deleted)". Deleting an already
// deleted message succeeds; a malformed handle is ReceiptHandleIsInvalid.
func TestDeleteMessage_ReceiptHandles_DeleteMessageAPIReference(t *testing.T) {
	tests := []struct {
		name        string
		handle      func(old, current Received) string
		wantCode    string
		wantDeleted bool
	}{
		{"most recent handle deletes", func(_, cur Received) string { return cur.ReceiptHandle }, "", true},
		{"stale handle succeeds without deleting", func(old, _ Received) string { return old.ReceiptHandle }, "", false},
		{"malformed handle", func(_, _ Received) string { return "not-a-handle" }, "ReceiptHandleIsInvalid", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newService(t, 1, "")
			mustCreate(t, s, QueueSpec{Name: "q"})
			mustSend(t, s, "q", "x", nil)
			old := receiveOne(t, s, "q", 0)
			if err := s.ChangeVisibility("q", old.ReceiptHandle, 0); err != nil {
				t.Fatal(err)
			}
			cur := receiveOne(t, s, "q", 0)
			err := s.Delete("q", tt.handle(old, cur))
			if errCode(err) != tt.wantCode {
				t.Fatalf("Delete = %v, want code %q", err, tt.wantCode)
			}
			if deleted := len(s.Messages("q")) == 0; deleted != tt.wantDeleted {
				t.Fatalf("deleted = %v, want %v", deleted, tt.wantDeleted)
			}
			if tt.wantDeleted {
				if err := s.Delete("q", cur.ReceiptHandle); err != nil {
					t.Errorf("deleting an already deleted message = %v, want success", err)
				}
			}
		})
	}
}

// SQS Developer Guide, "Using dead-letter queues in Amazon SQS": when the ReceiveCount for a message
// exceeds the queue's maxReceiveCount, SQS moves it to the dead-letter queue; "Setting-up dead-letter
// queue retention in Amazon SQS": for standard queues the enqueue timestamp is unchanged. The message
// keeps its ID, body and attributes and gains DeadLetterQueueSourceArn (API Reference, ReceiveMessage).
func TestRedrivePolicy_DeadLetterQueues(t *testing.T) {
	s := newService(t, 1, "")
	mustCreate(t, s, QueueSpec{Name: "dlq", MessageRetentionPeriod: 14 * 24 * time.Hour})
	mustCreate(t, s, QueueSpec{Name: "src", DeadLetterTarget: "arn:aws:sqs:us-east-1:000000000000:dlq", MaxReceiveCount: 2})
	attrs := map[string]MessageAttribute{"kind": {DataType: "String", StringValue: "poison"}}
	id := mustSend(t, s, "src", `{"n":1}`, attrs)
	var sent string
	for i := 1; i <= 2; i++ {
		m := receiveOne(t, s, "src", 0)
		sent = m.Attributes["SentTimestamp"]
		if err := s.ChangeVisibility("src", m.ReceiptHandle, 0); err != nil {
			t.Fatal(err)
		}
	}
	if msgs, err := s.Receive("src", 10, 0); err != nil || len(msgs) != 0 {
		t.Fatalf("third receive = %d messages, %v; want the message moved to the DLQ", len(msgs), err)
	}
	if v, nv, d := s.Counts("src"); v+nv+d != 0 {
		t.Fatalf("source still holds %d/%d/%d messages", v, nv, d)
	}
	got := receiveOne(t, s, "dlq", 0)
	for _, c := range []struct{ name, got, want string }{
		{"MessageId", got.MessageID, id},
		{"Body", got.Body, `{"n":1}`},
		{"attribute", got.MessageAttributes["kind"].StringValue, "poison"},
		{"SentTimestamp", got.Attributes["SentTimestamp"], sent},
		{"DeadLetterQueueSourceArn", got.Attributes["DeadLetterQueueSourceArn"], "arn:aws:sqs:us-east-1:000000000000:src"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
}

// SQS Developer Guide, "Learn how to configure a dead-letter queue redrive in Amazon SQS": redrive
// moves messages back to their source queue as new messages (new message ID and enqueue time).
func TestRedrive_BackToSourceQueue_DeadLetterQueueRedrive(t *testing.T) {
	s := newService(t, 1, "")
	mustCreate(t, s, QueueSpec{Name: "dlq"})
	mustCreate(t, s, QueueSpec{Name: "src", DeadLetterTarget: "dlq", MaxReceiveCount: 1})
	id := mustSend(t, s, "src", "x", nil)
	m := receiveOne(t, s, "src", 0)
	_ = s.ChangeVisibility("src", m.ReceiptHandle, 0)
	if msgs, _ := s.Receive("src", 1, 0); len(msgs) != 0 {
		t.Fatal("message not dead-lettered")
	}
	n, err := s.Redrive("dlq")
	if err != nil || n != 1 {
		t.Fatalf("Redrive = %d, %v; want 1", n, err)
	}
	back := receiveOne(t, s, "src", 0)
	if back.Body != "x" || back.MessageID == id || back.Attributes["ApproximateReceiveCount"] != "1" {
		t.Errorf("redriven message = %+v; want body x, a new ID and a fresh receive count", back)
	}
	tasks, err := s.MoveTasks(s.ARN("dlq"), 10)
	if err != nil || len(tasks) != 1 || tasks[0].Status != "COMPLETED" || tasks[0].ApproximateNumberOfMessagesMoved != 1 {
		t.Errorf("MoveTasks = %+v, %v", tasks, err)
	}
	// A message that was not dead-lettered by a redrive policy has no source to go back to.
	s.Put("dlq", []byte("orphan"), nil)
	if _, err := s.Redrive("dlq"); err == nil {
		t.Error("Redrive of a message without DeadLetterQueueSourceArn succeeded")
	}
}

// Finished move tasks do not pile up: a source queue keeps what ListMessageMoveTasks can list.
func TestRedrive_TasksBounded(t *testing.T) {
	s := newService(t, 1, "")
	mustCreate(t, s, QueueSpec{Name: "dlq"})
	mustCreate(t, s, QueueSpec{Name: "src", DeadLetterTarget: "dlq", MaxReceiveCount: 1})
	for range 3 * maxMoveTasksListed {
		if _, err := s.Redrive("dlq"); err != nil {
			t.Fatal(err)
		}
	}
	tasks, err := s.MoveTasks(s.ARN("dlq"), maxMoveTasksListed)
	if err != nil || len(tasks) != maxMoveTasksListed {
		t.Errorf("MoveTasks = %d tasks (%v), want %d", len(tasks), err, maxMoveTasksListed)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.tasks) != maxMoveTasksListed {
		t.Errorf("%d tasks kept after %d redrives, want %d", len(s.tasks), 3*maxMoveTasksListed, maxMoveTasksListed)
	}
}

// SQS Developer Guide, "Amazon SQS message quotas" (message retention): messages older than the
// queue's MessageRetentionPeriod are deleted.
func TestRetention_MessageQuotas(t *testing.T) {
	s := newService(t, 60000, "") // 60 s retention = 1 ms wall
	mustCreate(t, s, QueueSpec{Name: "q", MessageRetentionPeriod: time.Minute})
	mustSend(t, s, "q", "old", nil)
	eventually(t, 2*time.Second, "the message to expire", func() bool {
		v, nv, d := s.Counts("q")
		return v+nv+d == 0
	})
	if msgs, _ := s.Receive("q", 10, 0); len(msgs) != 0 {
		t.Errorf("expired message received: %+v", msgs)
	}
}

// SQS Developer Guide, "Amazon SQS delay queues": a delayed message stays invisible for the delay
// and counts as ApproximateNumberOfMessagesDelayed.
func TestDelay_DelayQueues(t *testing.T) {
	s := newService(t, 1, "")
	mustCreate(t, s, QueueSpec{Name: "q", DelaySeconds: 10 * time.Minute})
	mustSend(t, s, "q", "later", nil)
	if _, err := s.Send("q", "now", nil, 0); err != nil {
		t.Fatal(err)
	}
	if v, nv, d := s.Counts("q"); v != 1 || nv != 0 || d != 1 {
		t.Fatalf("Counts = %d/%d/%d, want 1 visible, 1 delayed", v, nv, d)
	}
	if m := receiveOne(t, s, "q", 0); m.Body != "now" {
		t.Errorf("received %q, want the undelayed message", m.Body)
	}
	if _, err := s.Send("q", "x", nil, 16*time.Minute); errCode(err) != "InvalidParameterValue" {
		t.Errorf("16-minute delay = %v, want InvalidParameterValue", err)
	}
}

// SQS Developer Guide, "Amazon SQS short and long polling": with WaitTimeSeconds the receive returns
// as soon as a message arrives, or empty when the wait (at most 20 s) ends.
func TestLongPolling_ShortAndLongPolling(t *testing.T) {
	t.Run("returns when a message arrives", func(t *testing.T) {
		s := newService(t, 1, "")
		mustCreate(t, s, QueueSpec{Name: "q"})
		got := make(chan []Received, 1)
		go func() {
			msgs, _ := s.ReceiveWait(context.Background(), "q", 10, 0, 20*time.Second)
			got <- msgs
		}()
		// The sender does not know when the poller starts waiting; send until it has the message.
		start := time.Now()
		mustSend(t, s, "q", "ping", nil)
		select {
		case msgs := <-got:
			if len(msgs) != 1 || msgs[0].Body != "ping" {
				t.Fatalf("long poll got %+v", msgs)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("long poll did not return")
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("long poll took %v", time.Since(start))
		}
	})
	t.Run("wakes when an in-flight message becomes visible", func(t *testing.T) {
		s := newService(t, 600, "") // 30 s visibility = 50 ms wall; 20 s wait = 33 ms
		mustCreate(t, s, QueueSpec{Name: "q"})
		mustSend(t, s, "q", "x", nil)
		receiveOne(t, s, "q", 0)
		eventually(t, 5*time.Second, "the message after its visibility timeout", func() bool {
			msgs, err := s.ReceiveWait(context.Background(), "q", 1, 0, 20*time.Second)
			return err == nil && len(msgs) == 1
		})
	})
	t.Run("empty after the wait", func(t *testing.T) {
		s := newService(t, 600, "")
		mustCreate(t, s, QueueSpec{Name: "q"})
		msgs, err := s.ReceiveWait(context.Background(), "q", 1, 0, 20*time.Second)
		if err != nil || len(msgs) != 0 {
			t.Errorf("ReceiveWait on an empty queue = %v, %v", msgs, err)
		}
	})
	t.Run("context ends the wait", func(t *testing.T) {
		s := newService(t, 1, "")
		mustCreate(t, s, QueueSpec{Name: "q"})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := s.ReceiveWait(ctx, "q", 1, 0, 20*time.Second); !errors.Is(err, context.Canceled) {
			t.Errorf("ReceiveWait with a cancelled context = %v", err)
		}
	})
}

// API Reference, ReceiveMessage: MaxNumberOfMessages 1–10, WaitTimeSeconds 0–20, VisibilityTimeout
// 0–43200; otherwise InvalidParameterValue.
func TestReceiveValidation_ReceiveMessageAPIReference(t *testing.T) {
	s := newService(t, 1, "")
	mustCreate(t, s, QueueSpec{Name: "q"})
	tests := []struct {
		name      string
		max       int
		vis, wait time.Duration
		wantCode  string
		wantQueue string
	}{
		{"max 1", 1, 0, 0, "", "q"},
		{"max 10", 10, 0, 0, "", "q"},
		{"max 0", 0, 0, 0, "InvalidParameterValue", "q"},
		{"max 11", 11, 0, 0, "InvalidParameterValue", "q"},
		{"wait 21s", 1, 0, 21 * time.Second, "InvalidParameterValue", "q"},
		{"visibility 12h+1s", 1, 12*time.Hour + time.Second, 0, "InvalidParameterValue", "q"},
		{"unknown queue", 1, 0, 0, "AWS.SimpleQueueService.NonExistentQueue", "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.receive(context.Background(), tt.wantQueue, tt.max, tt.vis, tt.wait)
			if errCode(err) != tt.wantCode {
				t.Errorf("receive = %v, want code %q", err, tt.wantCode)
			}
		})
	}
}

// SQS Developer Guide, "Amazon SQS message quotas" and API Reference, CreateQueue
// (MaximumMessageSize: 1,024 bytes to 1,048,576 bytes, default 1 MiB): message size counts the body
// and every attribute's name, type and value; at most 10 attributes; only the allowed Unicode
// characters.
func TestMessageLimits_MessageQuotas(t *testing.T) {
	s := newService(t, 1, "")
	mustCreate(t, s, QueueSpec{Name: "q"})
	mustCreate(t, s, QueueSpec{Name: "small", MaximumMessageSize: 1024})
	many := map[string]MessageAttribute{}
	for i := range 11 {
		many["a"+string(rune('a'+i))] = MessageAttribute{DataType: "String", StringValue: "v"}
	}
	tests := []struct {
		name, queue, body string
		attrs             map[string]MessageAttribute
		wantCode          string
	}{
		{"1 MiB body", "q", strings.Repeat("x", MaxMessageSize), nil, ""},
		{"1 MiB + 1", "q", strings.Repeat("x", MaxMessageSize+1), nil, "InvalidParameterValue"},
		{"attributes count toward the size", "small", strings.Repeat("x", 1000), map[string]MessageAttribute{"name": {DataType: "String", StringValue: strings.Repeat("v", 20)}}, "InvalidParameterValue"},
		{"queue maximum", "small", strings.Repeat("x", 1024), nil, ""},
		{"empty body", "q", "", nil, "MissingParameter"},
		{"invalid character", "q", "a\x00b", nil, "InvalidMessageContents"},
		{"11 attributes", "q", "x", many, "InvalidParameterValue"},
		{"bad data type", "q", "x", map[string]MessageAttribute{"a": {DataType: "Integer", StringValue: "1"}}, "InvalidParameterValue"},
		{"custom type suffix", "q", "x", map[string]MessageAttribute{"a": {DataType: "Number.int", StringValue: "1"}}, ""},
		{"binary attribute", "q", "x", map[string]MessageAttribute{"a": {DataType: "Binary", BinaryValue: []byte{0, 1}}}, ""},
		{"reserved attribute name", "q", "x", map[string]MessageAttribute{"AWS.x": {DataType: "String", StringValue: "1"}}, "InvalidParameterValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Send(tt.queue, tt.body, tt.attrs, -1)
			if errCode(err) != tt.wantCode {
				t.Errorf("Send = %v, want code %q", err, tt.wantCode)
			}
		})
	}
}

// SQS Developer Guide, "Amazon SQS message attributes": message attributes come back with the
// message, with MD5OfMessageAttributes computed over them.
func TestMessageAttributes_MessageAttributesPage(t *testing.T) {
	s := newService(t, 1, "")
	mustCreate(t, s, QueueSpec{Name: "q"})
	attrs := map[string]MessageAttribute{
		"s": {DataType: "String", StringValue: "text"},
		"n": {DataType: "Number", StringValue: "42"},
		"b": {DataType: "Binary", BinaryValue: []byte{1, 2, 3}},
	}
	mustSend(t, s, "q", "x", attrs)
	m := receiveOne(t, s, "q", 0)
	if len(m.MessageAttributes) != 3 || string(m.MessageAttributes["b"].BinaryValue) != "\x01\x02\x03" || m.MessageAttributes["n"].StringValue != "42" {
		t.Errorf("MessageAttributes = %+v", m.MessageAttributes)
	}
	if m.MD5OfMessageAttributes != md5OfAttributes(attrs) || len(m.MD5OfMessageAttributes) != 32 {
		t.Errorf("MD5OfMessageAttributes = %q", m.MD5OfMessageAttributes)
	}
	if m.MD5OfBody != "9dd4e461268c8034f5c8564e155c67a6" { // md5("x")
		t.Errorf("MD5OfBody = %q", m.MD5OfBody)
	}
}

// API Reference, PurgeQueue: deletes every message; another purge within 60 seconds is
// PurgeQueueInProgress.
func TestPurge_PurgeQueueAPIReference(t *testing.T) {
	s := newService(t, 1, "")
	mustCreate(t, s, QueueSpec{Name: "q"})
	mustSend(t, s, "q", "a", nil)
	mustSend(t, s, "q", "b", nil)
	if err := s.Purge("q"); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := s.Counts("q"); v != 0 {
		t.Errorf("%d messages after purge", v)
	}
	if err := s.Purge("q"); errCode(err) != "AWS.SimpleQueueService.PurgeQueueInProgress" {
		t.Errorf("second purge = %v, want PurgeQueueInProgress", err)
	}
}

// The dead-letter adapter replaces dlq.Store.Put: it never fails, creates a missing queue, and sends
// attributes as String message attributes.
func TestPut_DeadLetterAdapter(t *testing.T) {
	s := newService(t, 1, "")
	s.Put("arn:aws:sqs:us-east-1:000000000000:rule-dlq", []byte(`{"detail":{}}`), map[string]string{"ERROR_CODE": "X", "empty": ""})
	s.Put("rule-dlq", []byte{}, nil)     // refused (empty body) and logged, not a panic
	s.Put("bad name!", []byte("x"), nil) // refused and logged
	msgs := s.Messages("rule-dlq")
	if len(msgs) != 1 || msgs[0].Body != `{"detail":{}}` {
		t.Fatalf("Messages = %+v", msgs)
	}
	if a := msgs[0].MessageAttributes["ERROR_CODE"]; a.DataType != "String" || a.StringValue != "X" {
		t.Errorf("attribute = %+v", a)
	}
	if names := s.QueueNames(); len(names) != 1 || names[0] != "rule-dlq" {
		t.Errorf("QueueNames = %v", names)
	}
}

// Queue references: a name, a queue URL or an ARN.
func TestQueueName_References(t *testing.T) {
	for _, tt := range []struct{ ref, want string }{
		{"orders", "orders"},
		{"http://localhost:4566/000000000000/orders", "orders"},
		{"https://sqs.us-east-1.amazonaws.com/123456789012/orders", "orders"},
		{"arn:aws:sqs:us-east-1:123456789012:orders", "orders"},
	} {
		if got := QueueName(tt.ref); got != tt.want {
			t.Errorf("QueueName(%q) = %q, want %q", tt.ref, got, tt.want)
		}
	}
}

// Persistence: acknowledged messages survive a restart; in-flight messages are visible again; receive
// counts survive (so a redrive policy still applies); deleted messages stay deleted; a torn last line
// is skipped.
func TestPersistence_RestartKeepsMessages(t *testing.T) {
	dir := t.TempDir()
	s1, err := New(Options{Dir: dir, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s1, QueueSpec{Name: "dlq"})
	mustCreate(t, s1, QueueSpec{Name: "q", VisibilityTimeout: time.Hour, DeadLetterTarget: "dlq", MaxReceiveCount: 5})
	keep := mustSend(t, s1, "q", "keep", map[string]MessageAttribute{"a": {DataType: "String", StringValue: "1"}})
	mustSend(t, s1, "q", "gone", nil)
	inflight := receiveOne(t, s1, "q", 0) // "keep": in flight for an hour
	gone := receiveOne(t, s1, "q", 0)
	if err := s1.Delete("q", gone.ReceiptHandle); err != nil {
		t.Fatal(err)
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "sqs", "q.log"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString(`{"t":"s","m":{"id":"torn`)
	_ = f.Close()

	s2 := newService(t, 1, dir)
	if names := s2.QueueNames(); len(names) != 2 {
		t.Fatalf("QueueNames after restart = %v", names)
	}
	m := receiveOne(t, s2, "q", 0)
	if m.MessageID != keep || m.MessageID != inflight.MessageID || m.Attributes["ApproximateReceiveCount"] != "2" ||
		m.MessageAttributes["a"].StringValue != "1" {
		t.Errorf("after restart received %+v", m)
	}
	if msgs, _ := s2.Receive("q", 10, 0); len(msgs) != 0 {
		t.Errorf("deleted message came back: %+v", msgs)
	}
	if err := s2.Delete("q", inflight.ReceiptHandle); err != nil {
		t.Fatal(err)
	}
	if n := len(s2.Messages("q")); n != 1 {
		t.Errorf("stale pre-restart handle deleted the message (left %d)", n)
	}
}

// CreateQueue (Go API) validates attributes as CreateQueue does and updates an existing queue.
func TestCreateQueue_Validation_CreateQueueAPIReference(t *testing.T) {
	s := newService(t, 1, "")
	tests := []struct {
		name     string
		spec     QueueSpec
		wantCode string
	}{
		{"defaults", QueueSpec{Name: "a"}, ""},
		{"update", QueueSpec{Name: "a", VisibilityTimeout: time.Minute}, ""},
		{"bad name", QueueSpec{Name: "a b"}, "InvalidParameterValue"},
		{"fifo", QueueSpec{Name: "a.fifo"}, "AWS.SimpleQueueService.UnsupportedOperation"},
		{"retention too short", QueueSpec{Name: "b", MessageRetentionPeriod: time.Second}, "InvalidAttributeValue"},
		{"visibility too long", QueueSpec{Name: "b", VisibilityTimeout: 13 * time.Hour}, "InvalidAttributeValue"},
		{"maxReceiveCount 0", QueueSpec{Name: "b", DeadLetterTarget: "a"}, "InvalidAttributeValue"},
		{"self as DLQ", QueueSpec{Name: "b", DeadLetterTarget: "b", MaxReceiveCount: 1}, "InvalidAttributeValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.CreateQueue(tt.spec); errCode(err) != tt.wantCode {
				t.Errorf("CreateQueue = %v, want code %q", err, tt.wantCode)
			}
		})
	}
}
