package cloud_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/cloud"
	"github.com/calltaxi/call-taxi/shared/smsparts"
)

// smsKeywords name each status in notify's texts (Korean for +82 numbers, English otherwise).
var smsKeywords = []struct{ status, ko, en string }{
	{"PAID", "결제", "paid"},
	{"RESERVED", "배차 요청 접수", "reached the taxi company"},
	{"CONFIRMED", "배차 완료", "assigned"},
	{"CANCELED", "취소·환불 완료", "cancelled and refunded"},
}

// smsStatuses are the statuses the texts sent to phone announce, in the order announced (a status
// announced twice appears twice), and the texts.
func smsStatuses(t *testing.T, c *cloud.Cloud, phone string) (statuses, texts []string) {
	t.Helper()
	for _, text := range smsFor(t, c, phone) {
		texts = append(texts, text)
		for _, k := range smsKeywords {
			if strings.Contains(text, k.ko) || strings.Contains(text, k.en) {
				statuses = append(statuses, k.status)
			}
		}
	}
	return statuses, texts
}

// waitAnnounced waits until the texts to phone have announced exactly want (each once), each text one
// SMS part.
func waitAnnounced(t *testing.T, c *cloud.Cloud, phone string, timeout time.Duration, want ...string) {
	t.Helper()
	eventually(t, fmt.Sprintf("%s announced to %s", want, phone), timeout, func() (bool, string) {
		statuses, texts := smsStatuses(t, c, phone)
		return slices.Equal(statuses, want), strings.Join(texts, " | ")
	})
	_, texts := smsStatuses(t, c, phone)
	for _, text := range texts {
		if n := smsparts.Parts(text); n != 1 {
			t.Errorf("%q is %d SMS parts", text, n)
		}
	}
}

// At an SMS rate of 5 message parts per second (the account's and the stack's SmsPartsPerSecond), a burst
// of 50 bookings is RESERVED within seconds, as without SMS: the MyPages stream only queues what to say.
// The sender then texts every customer every status, in one-part texts, within the time the rate allows,
// and nothing reaches a dead-letter queue.
//
// Not parallel: its bounds are wall-clock rates (time scale 1), so it runs alone, before the parallel tests.
func TestSMSBurstWithinTheRate(t *testing.T) {
	const bookings, rate = 50, 5.0
	c := startCloud(t, map[string]string{"SmsPartsPerSecond": "5"}, withTimeScale(1), func(cfg *cloud.Config) {
		cfg.SMSPartsPerSecond = rate
	})
	customer := newUser(t, c, "customers")
	type booking struct{ id, phone string }
	var (
		mu     sync.Mutex
		placed []booking
		wg     sync.WaitGroup
	)
	start := time.Now()
	for i := range bookings {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := orderBody([]string{"basic", "prime", "platinum"}[i%3], goodCard)
			if i%5 == 0 {
				body["language"] = "en"
			}
			for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
				r := customer.do("POST", "/orders", body, "Idempotency-Key", fmt.Sprintf("burst-%d", i))
				if r.Status == 201 {
					mu.Lock()
					placed = append(placed, booking{r.str("id"), body["phone"].(string)})
					mu.Unlock()
					return
				}
				if r.Status != 429 && r.Status != 503 {
					t.Errorf("order %d: %d %s", i, r.Status, r.RawBody)
					return
				}
				time.Sleep(100 * time.Millisecond) // the client's backoff after 429/503
			}
		}()
	}
	wg.Wait()
	if len(placed) != bookings {
		t.Fatalf("%d of %d bookings placed", len(placed), bookings)
	}
	for _, b := range placed {
		waitMypageStatus(t, customer, b.id, "RESERVED")
	}
	reservedIn := time.Since(start)
	if reservedIn > 30*time.Second {
		t.Errorf("the burst took %s to be RESERVED: SMS must not hold bookings up", reservedIn)
	}

	// Every status once; at worst PAID and RESERVED go in separate texts: 2 parts a booking.
	allowed := time.Duration(float64(2*bookings)/rate*float64(time.Second)) + 15*time.Second
	for _, b := range placed {
		waitAnnounced(t, c, b.phone, allowed-time.Since(start)+time.Second, "PAID", "RESERVED")
	}
	announcedIn := time.Since(start)
	parts, texts := 0, 0
	for _, b := range placed {
		_, ts := smsStatuses(t, c, b.phone)
		texts += len(ts)
		for _, text := range ts {
			parts += smsparts.Parts(text)
		}
	}
	// The rate bounds how fast: parts/rate seconds at the least (after the bucket's first second).
	if minimum := time.Duration(float64(parts-int(rate))/rate*float64(time.Second)) - time.Second; announcedIn < minimum {
		t.Errorf("%d parts announced in %s, faster than %v parts/s allows (%s)", parts, announcedIn, rate, minimum)
	}
	if limit := time.Duration(float64(parts)/rate*float64(time.Second)) + 15*time.Second; announcedIn > limit {
		t.Errorf("%d parts announced in %s, want within %s at %v parts/s", parts, announcedIn, limit, rate)
	}
	en := 0
	for _, m := range c.SNS.Messages() {
		if strings.HasPrefix(m.Message, "[CallTaxi]") {
			en++
		}
	}
	if en == 0 {
		t.Error("no booking with language en was texted in English")
	}
	if n := totalDeadLetters(dlqCounts(t, c)); n != 0 {
		t.Errorf("%d message(s) in dead-letter queues", n)
	}
	t.Logf("%d bookings RESERVED in %s; PAID+RESERVED announced to all in %s: %d texts, %d parts (%.2f parts/booking), %d publishes throttled",
		bookings, reservedIn.Round(time.Millisecond), announcedIn.Round(time.Millisecond), texts, parts, float64(parts)/bookings, c.SNS.Throttled())
}

// A number SNS can never text (opted out, or invalid) is recorded as failed on the booking's notification
// record and not retried: the message is acknowledged, nothing is delivered, nothing reaches a DLQ, and
// the booking itself is unaffected.
func TestSMSToUndeliverableNumbersIsRecordedNotRetried(t *testing.T) {
	t.Parallel()
	c := startCloud(t, nil)
	customer := newUser(t, c, "customers")
	for _, phone := range []string{"+821099990001", "+821099990002"} { // snsemu.OptedOutNumber, InvalidNumber
		body := orderBody("basic", goodCard)
		body["phone"] = phone
		r := customer.do("POST", "/orders", body)
		if r.Status != 201 {
			t.Fatalf("order for %s: %d %s", phone, r.Status, r.RawBody)
		}
		id := r.str("id")
		waitMypageStatus(t, customer, id, "RESERVED")
		eventually(t, "the notification record of "+id+" to fail PAID and RESERVED", 20*time.Second, func() (bool, string) {
			items := call(t, c, "GET", "/_local/tables/NotificationsTable", nil)
			for _, item := range items.items() {
				if item["key"] == "booking#"+id {
					failed := fmt.Sprint(item["failed"])
					return strings.Contains(failed, "PAID") && strings.Contains(failed, "RESERVED") && item["failReason"] != "", fmt.Sprint(item)
				}
			}
			return false, items.RawBody
		})
		for _, m := range c.SNS.Messages() {
			if m.PhoneNumber == phone && m.Suppressed == "" {
				t.Errorf("delivered to %s: %+v", phone, m)
			}
		}
	}
	if n := totalDeadLetters(dlqCounts(t, c)); n != 0 {
		t.Errorf("%d message(s) in dead-letter queues", n)
	}
}
