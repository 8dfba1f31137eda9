package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/calltaxi/call-taxi/shared/smsparts"
)

// The stream consumer only decides what to say: pending statuses on the booking's record, the booking
// on the queue; it never texts.
func TestStreamHandlerQueues(t *testing.T) {
	paid := record("INSERT", "1", nil, image("orderaaaaaa", testPhone, StatusPaid))
	reserved := record("MODIFY", "2", image("orderaaaaaa", testPhone, StatusPaid), image("orderaaaaaa", testPhone, StatusPaid, StatusReserved))
	fieldOnly := record("MODIFY", "3", image("orderaaaaaa", testPhone, StatusPaid, StatusReserved), image("orderaaaaaa", testPhone, StatusPaid, StatusReserved))
	other := record("INSERT", "4", nil, withLanguage(image("orderbbbbbb", "+14155550100", StatusPaid), "ko"))
	tests := []struct {
		name         string
		records      []events.DynamoDBEventRecord
		failSend     bool
		wantFailures []string
		wantQueued   []string
		wantPending  map[string][]string
		wantLanguage map[string]string
	}{
		{"each record with new statuses queues its booking", []events.DynamoDBEventRecord{paid, reserved, fieldOnly, other}, false, []string{},
			[]string{"orderaaaaaa", "orderaaaaaa", "orderbbbbbb"},
			map[string][]string{"orderaaaaaa": {StatusPaid, StatusReserved}, "orderbbbbbb": {StatusPaid}},
			map[string]string{"orderaaaaaa": LangKorean, "orderbbbbbb": LangKorean}},
		{"a replayed batch adds nothing new", []events.DynamoDBEventRecord{paid, paid, reserved}, false, []string{},
			[]string{"orderaaaaaa", "orderaaaaaa", "orderaaaaaa"}, map[string][]string{"orderaaaaaa": {StatusPaid, StatusReserved}}, nil},
		{"statuses reached before the phone are queued when it arrives", []events.DynamoDBEventRecord{
			record("INSERT", "1", nil, image("orderaaaaaa", "", StatusPaid)),
			record("MODIFY", "2", image("orderaaaaaa", "", StatusPaid), image("orderaaaaaa", testPhone, StatusPaid, StatusReserved)),
		}, false, []string{}, []string{"orderaaaaaa"}, map[string][]string{"orderaaaaaa": {StatusPaid, StatusReserved}}, nil},
		{"no phone or an invalid phone is skipped, not retried", []events.DynamoDBEventRecord{
			record("INSERT", "1", nil, image("orderaaaaaa", "", StatusPaid)),
			record("INSERT", "2", nil, image("ordercccccc", "010-1234-5678", StatusPaid)),
		}, false, []string{}, nil, nil, nil},
		{"REMOVE is ignored", []events.DynamoDBEventRecord{record("REMOVE", "1", image("orderaaaaaa", testPhone, StatusPaid), nil)}, false, []string{}, nil, nil, nil},
		{"a queue that refuses fails the record and every later one of the booking", []events.DynamoDBEventRecord{paid, reserved, other}, true,
			[]string{"1", "2", "4"}, nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.queue.failSend = tt.failSend
			if got := f.stream(t, tt.records...); !reflect.DeepEqual(got, tt.wantFailures) {
				t.Fatalf("failures %v, want %v", got, tt.wantFailures)
			}
			queued := slices.Clone(f.queue.enqueued)
			slices.Sort(queued)
			if !reflect.DeepEqual(queued, tt.wantQueued) {
				t.Errorf("queued %v, want %v", queued, tt.wantQueued)
			}
			for _, d := range f.queue.delays {
				if d != announceWindow {
					t.Errorf("queued with delay %d, want the announce window %d", d, announceWindow)
				}
			}
			for id, want := range tt.wantPending {
				rec := f.record(t, id)
				got := slices.Clone(rec.Pending)
				slices.Sort(got)
				slices.Sort(want)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s pending %v, want %v", id, got, want)
				}
				if lang, ok := tt.wantLanguage[id]; ok && rec.Language != lang {
					t.Errorf("%s language %q, want %q", id, rec.Language, lang)
				}
			}
			if len(f.sms.texts()) != 0 {
				t.Error("the stream consumer texted")
			}
		})
	}
}

// End to end through both halves: what the customer receives.
func TestStatusesAnnouncedExactlyOnce(t *testing.T) {
	a := "orderaaaaaa"
	paid := record("INSERT", "1", nil, image(a, testPhone, StatusPaid))
	reserved := record("MODIFY", "2", image(a, testPhone, StatusPaid), image(a, testPhone, StatusPaid, StatusReserved))
	confirmed := record("MODIFY", "3", image(a, testPhone, StatusPaid, StatusReserved), image(a, testPhone, StatusPaid, StatusReserved, StatusConfirmed))
	f := newFixture(t)

	// PAID and RESERVED arrive within the window: one text names both; the second request finds nothing.
	f.stream(t, paid, reserved)
	if got := f.send(t, f.queue.take()); len(got) != 0 {
		t.Fatalf("failures %v", got)
	}
	// A replay of the stream and a duplicate delivery of the queue send nothing again.
	f.stream(t, paid, reserved)
	f.send(t, f.queue.take())
	// CONFIRMED later: its own text.
	f.stream(t, confirmed)
	f.send(t, f.queue.take())

	want := []string{"[콜택시] 예약 AAAAAA: 결제 5,700원(prime), 배차 요청 접수.", "[콜택시] 예약 AAAAAA: Seoul Prime 7 배차 완료, 곧 도착."}
	if got := f.sms.texts(); !reflect.DeepEqual(got, want) {
		t.Fatalf("texts %q, want %q", got, want)
	}
	parts := 0
	for _, text := range f.sms.texts() {
		parts += smsparts.Parts(text)
	}
	rec := f.record(t, a)
	if parts != 2 || rec.SentParts != 2 || rec.SentMessages != 2 || len(rec.ToAnnounce()) != 0 {
		t.Errorf("parts %d, record %+v", parts, rec)
	}
	if got := f.metric("SMSSent"); got != 2 {
		t.Errorf("SMSSent metric %d, want 2", got)
	}
}

func TestSender(t *testing.T) {
	a := "orderaaaaaa"
	tests := []struct {
		name          string
		smsFailures   int
		smsErr        error
		body          string
		leased        bool
		wantFailed    bool
		wantRetry     bool // visibility set by the sender
		wantTexts     int
		wantAnnounced bool
		wantFailedRec bool
	}{
		{name: "sent", wantTexts: 1, wantAnnounced: true},
		{name: "throttled goes back with backoff", smsFailures: 1, smsErr: ErrThrottled, wantFailed: true, wantRetry: true},
		{name: "a transient failure goes back with backoff", smsFailures: 1, wantFailed: true, wantRetry: true},
		{name: "an invalid number is recorded failed and acknowledged", smsFailures: 1, smsErr: &PermanentError{Reason: "InvalidParameter: not valid to publish to"},
			wantAnnounced: true, wantFailedRec: true},
		{name: "an opted-out number is recorded failed and acknowledged", smsFailures: 1, smsErr: &PermanentError{Reason: "opted out"},
			wantAnnounced: true, wantFailedRec: true},
		{name: "another sender on the booking: back shortly", leased: true, wantFailed: true, wantRetry: true},
		{name: "poison body goes to the DLQ by the queue's redrive", body: `{"order":`, wantFailed: true},
		{name: "unknown booking is acknowledged", body: `{"orderId":"nobody"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.stream(t, record("INSERT", "1", nil, image(a, testPhone, StatusPaid)))
			f.queue.take()
			if tt.leased {
				if _, _, err := f.records.Lease(context.Background(), a); err != nil {
					t.Fatal(err)
				}
			}
			f.sms.failures, f.sms.err = tt.smsFailures, tt.smsErr
			body := tt.body
			if body == "" {
				body = `{"orderId":"` + a + `"}`
			}
			failed := f.send(t, events.SQSEvent{Records: []events.SQSMessage{sqsMessage("m1", body, 3)}})
			if (len(failed) == 1) != tt.wantFailed {
				t.Errorf("failures %v, want failed %v", failed, tt.wantFailed)
			}
			if _, ok := f.queue.retries["rh-m1"]; ok != tt.wantRetry {
				t.Errorf("retry visibility set %v, want %v (%v)", ok, tt.wantRetry, f.queue.retries)
			}
			if got := len(f.sms.texts()); got != tt.wantTexts {
				t.Errorf("%d texts, want %d", got, tt.wantTexts)
			}
			if tt.body != "" {
				return
			}
			if tt.leased {
				if err := f.records.Release(context.Background(), a); err != nil {
					t.Fatal(err)
				}
			}
			rec := f.record(t, a)
			if announced := len(rec.ToAnnounce()) == 0; announced != tt.wantAnnounced {
				t.Errorf("announced %v, want %v: %+v", announced, tt.wantAnnounced, rec)
			}
			if failedRec := slices.Contains(rec.Failed, StatusPaid) && rec.FailReason != ""; failedRec != tt.wantFailedRec {
				t.Errorf("failed on the record %v, want %v: %+v", failedRec, tt.wantFailedRec, rec)
			}
			if !tt.wantAnnounced && rec.LeaseUntil != 0 {
				t.Errorf("the lease was not given back: %+v", rec)
			}
		})
	}
}

func TestSenderBackoff(t *testing.T) {
	s := &Sender{jitter: func(d time.Duration) time.Duration { return d }}
	for receives, want := range map[int]time.Duration{0: time.Second, 1: time.Second, 2: 2 * time.Second, 4: 8 * time.Second, 7: 60 * time.Second, 500: 60 * time.Second} {
		if got := s.backoff(sqsMessage("m", "{}", receives)); got != want {
			t.Errorf("receive %d: %v, want %v", receives, got, want)
		}
	}
}

// Over the environment's share of the rate, a message goes back to the queue for about the time the
// rate needs instead of waiting past the invocation's deadline.
func TestSenderDefersOverTheRate(t *testing.T) {
	f := newFixture(t)
	sender := NewSender(f.records, f.queue, f.sms, NewLimiter(0.5), nil, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	var batch events.SQSEvent
	for i, id := range []string{"orderaaaaaa", "orderbbbbbb", "ordercccccc"} {
		f.stream(t, record("INSERT", "1", nil, image(id, testPhone, StatusPaid)))
		batch.Records = append(batch.Records, sqsMessage("m"+strconv.Itoa(i), `{"orderId":"`+id+`"}`, 1))
	}
	ctx, cancel := context.WithTimeout(context.Background(), sendMargin+time.Second)
	defer cancel()
	resp, err := sender.Handle(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 2 || len(f.sms.texts()) != 1 {
		t.Fatalf("failures %v, texts %q: want one sent and two deferred", resp.BatchItemFailures, f.sms.texts())
	}
	// The batch is sent concurrently: which message won the rate's one part is not fixed.
	ids := []string{"orderaaaaaa", "orderbbbbbb", "ordercccccc"}
	for _, fl := range resp.BatchItemFailures {
		rh := "rh-" + fl.ItemIdentifier
		if d := f.queue.retries[rh]; d < 1 || d > 5 {
			t.Errorf("%s comes back after %d s, want about the 2 to 4 s the rate needs", rh, d)
		}
		i, _ := strconv.Atoi(strings.TrimPrefix(fl.ItemIdentifier, "m"))
		if rec := f.record(t, ids[i]); len(rec.ToAnnounce()) != 1 || rec.LeaseUntil != 0 {
			t.Errorf("%s deferred: %+v", ids[i], rec)
		}
	}
}

// concurrentSMS accepts a send only once `want` sends are in flight together; a send that waits
// longer than a few seconds for the others fails, which a sender texting one message after the
// other always hits.
type concurrentSMS struct {
	fakeSMS
	want     int
	mu       sync.Mutex
	inFlight int
	all      chan struct{}
}

func (c *concurrentSMS) Send(ctx context.Context, phone, text string) error {
	c.mu.Lock()
	c.inFlight++
	if c.inFlight == c.want {
		close(c.all)
	}
	c.mu.Unlock()
	select {
	case <-c.all:
		return c.fakeSMS.Send(ctx, phone, text)
	case <-time.After(3 * time.Second):
		return errors.New("the batch's sends were not in flight together")
	}
}

func TestSenderSendsABatchConcurrently(t *testing.T) {
	f := newFixture(t)
	sms := &concurrentSMS{want: 5, all: make(chan struct{})}
	sender := NewSender(f.records, f.queue, sms, NewLimiter(100), nil, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	var batch events.SQSEvent
	for i := range sms.want {
		id := fmt.Sprintf("order%06d", i)
		f.stream(t, record("INSERT", "1", nil, image(id, testPhone, StatusPaid)))
		batch.Records = append(batch.Records, sqsMessage("m"+strconv.Itoa(i), `{"orderId":"`+id+`"}`, 1))
	}
	resp, err := sender.Handle(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 0 || len(sms.texts()) != sms.want {
		t.Fatalf("failures %v, %d texts: want all %d sent together", resp.BatchItemFailures, len(sms.texts()), sms.want)
	}
	for i := range sms.want {
		if rec := f.record(t, fmt.Sprintf("order%06d", i)); len(rec.ToAnnounce()) != 0 || rec.LeaseUntil != 0 {
			t.Errorf("order %d: %+v", i, rec)
		}
	}
}

// Two messages of one booking in one batch text it once, one after the other: the second finds the
// statuses texted (it does not meet the first one's lease and come back).
func TestSenderTextsABookingOnceWhenABatchHoldsItTwice(t *testing.T) {
	f := newFixture(t)
	id := "orderaaaaaa"
	f.stream(t, record("INSERT", "1", nil, image(id, testPhone, StatusPaid)))
	batch := events.SQSEvent{Records: []events.SQSMessage{
		sqsMessage("m0", `{"orderId":"`+id+`"}`, 1), sqsMessage("m1", `{"orderId":"`+id+`"}`, 1),
	}}
	failed := f.send(t, batch)
	if got := len(f.sms.texts()); got != 1 {
		t.Fatalf("%d texts, want 1", got)
	}
	if len(failed) != 0 {
		t.Errorf("failures %v, want none", failed)
	}
	if rec := f.record(t, id); len(rec.ToAnnounce()) != 0 || rec.LeaseUntil != 0 {
		t.Errorf("after the batch: %+v", rec)
	}
}

func TestLimiter(t *testing.T) {
	now := time.Unix(0, 0)
	l := NewLimiter(2)
	l.now = func() time.Time { return now }
	steps := []struct {
		advance time.Duration
		parts   int
		maxWait time.Duration
		wait    time.Duration
		ok      bool
	}{
		{0, 1, 0, 0, true},                                // burst of 2
		{0, 1, 0, 0, true},                                //
		{0, 1, 0, 500 * time.Millisecond, false},          // empty: not taken
		{0, 1, time.Second, 500 * time.Millisecond, true}, // taken, wait half a second
		{250 * time.Millisecond, 1, time.Second, 750 * time.Millisecond, true},
		{10 * time.Second, 3, time.Second, 500 * time.Millisecond, true}, // refilled to the burst only
	}
	for i, st := range steps {
		now = now.Add(st.advance)
		wait, ok := l.Reserve(st.parts, st.maxWait)
		if wait != st.wait || ok != st.ok {
			t.Errorf("step %d: wait %v ok %v, want %v %v", i, wait, ok, st.wait, st.ok)
		}
	}
	if wait, ok := (*Limiter)(nil).Reserve(100, 0); wait != 0 || !ok {
		t.Error("no limiter limits")
	}
}
