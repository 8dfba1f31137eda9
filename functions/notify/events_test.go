package main

import (
	"context"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func failed(resp events.DynamoDBEventResponse) []string {
	out := []string{}
	for _, f := range resp.BatchItemFailures {
		out = append(out, f.ItemIdentifier)
	}
	return out
}

func TestStreamHandler(t *testing.T) {
	paid := record("INSERT", "1", nil, image("orderaaaaaa", testPhone, StatusPaid))
	reservedAndConfirmed := record("MODIFY", "2", image("orderaaaaaa", testPhone, StatusPaid), image("orderaaaaaa", testPhone, StatusPaid, StatusReserved, StatusConfirmed))
	otherOrder := record("MODIFY", "3", image("orderbbbbbb", testPhone), image("orderbbbbbb", testPhone, StatusPaid))
	fieldOnly := record("MODIFY", "4", image("orderaaaaaa", testPhone, StatusPaid), image("orderaaaaaa", testPhone, StatusPaid)) // e.g. a payment version bump

	type delivery struct {
		records      []events.DynamoDBEventRecord
		smsFailures  int      // the SMS provider refuses this many sends first
		smsFailOn    string   // ... of the texts containing this
		wantFailures []string // sequence numbers reported failed
	}
	tests := []struct {
		name       string
		setup      func(t *testing.T, f *fixture)
		deliveries []delivery
		wantTexts  []string // one substring per sent text, in order (bookings sorted by id: they run concurrently)
	}{
		{
			name:       "each new history entry is one SMS",
			deliveries: []delivery{{records: []events.DynamoDBEventRecord{paid, reservedAndConfirmed, fieldOnly}, wantFailures: []string{}}},
			wantTexts:  []string{"paid 5,700 KRW", "reached the taxi company", "taxi Seoul Prime 7 assigned"},
		},
		{
			name: "a replayed batch sends nothing again",
			deliveries: []delivery{
				{records: []events.DynamoDBEventRecord{paid, reservedAndConfirmed}, wantFailures: []string{}},
				{records: []events.DynamoDBEventRecord{paid, reservedAndConfirmed}, wantFailures: []string{}},
			},
			wantTexts: []string{"paid", "reached", "assigned"},
		},
		{
			name: "a failed send stops its booking: its later records are reported, not sent",
			deliveries: []delivery{
				{records: []events.DynamoDBEventRecord{paid, reservedAndConfirmed}, smsFailures: 1, wantFailures: []string{"1", "2"}},
			},
			wantTexts: nil,
		},
		{
			// Other bookings run concurrently: what they sent before the failure is skipped on the retry.
			name: "a failed send reports it and every later record; the retry sends each status once",
			deliveries: []delivery{
				{records: []events.DynamoDBEventRecord{paid, otherOrder}, smsFailures: 1, smsFailOn: "Booking AAAAAA", wantFailures: []string{"1", "3"}},
				{records: []events.DynamoDBEventRecord{paid, otherOrder}, wantFailures: []string{}},
			},
			wantTexts: []string{"Booking AAAAAA: paid", "Booking BBBBBB: paid"},
		},
		{
			name: "failure then retry sends each status exactly once",
			deliveries: []delivery{
				// RESERVED is sent, CONFIRMED fails: that record and everything after it are reported.
				{records: []events.DynamoDBEventRecord{reservedAndConfirmed, otherOrder}, smsFailures: 1, smsFailOn: "assigned", wantFailures: []string{"2", "3"}},
				{records: []events.DynamoDBEventRecord{reservedAndConfirmed, otherOrder}, smsFailures: 1, smsFailOn: "assigned", wantFailures: []string{"2", "3"}},
				{records: []events.DynamoDBEventRecord{reservedAndConfirmed, otherOrder}, wantFailures: []string{}},
			},
			wantTexts: []string{"reached", "assigned", "Booking BBBBBB"},
		},
		{
			name: "statuses reached before the phone was known are sent when it arrives, once",
			deliveries: []delivery{{records: []events.DynamoDBEventRecord{
				record("INSERT", "1", nil, image("orderaaaaaa", "", StatusPaid)),
				record("MODIFY", "2", image("orderaaaaaa", "", StatusPaid), image("orderaaaaaa", "", StatusPaid, StatusReserved)),
				record("MODIFY", "3", image("orderaaaaaa", "", StatusPaid, StatusReserved), image("orderaaaaaa", testPhone, StatusPaid, StatusReserved)),
				record("MODIFY", "4", image("orderaaaaaa", testPhone, StatusPaid, StatusReserved), image("orderaaaaaa", testPhone, StatusPaid, StatusReserved)),
			}, wantFailures: []string{}}},
			wantTexts: []string{"paid", "reached"},
		},
		{
			name:       "REMOVE is ignored",
			deliveries: []delivery{{records: []events.DynamoDBEventRecord{record("REMOVE", "1", image("orderaaaaaa", testPhone, StatusPaid), nil)}, wantFailures: []string{}}},
			wantTexts:  nil,
		},
		{
			name: "no phone or an invalid phone is skipped, not retried",
			deliveries: []delivery{{records: []events.DynamoDBEventRecord{
				record("INSERT", "1", nil, image("orderaaaaaa", "", StatusPaid)),
				record("INSERT", "2", nil, image("ordercccccc", "010-1234-5678", StatusPaid)),
				otherOrder,
			}, wantFailures: []string{}}},
			wantTexts: []string{"Booking BBBBBB"},
		},
		{
			name: "a send in progress elsewhere fails the record for a later retry",
			setup: func(t *testing.T, f *fixture) {
				key := IdempotencyKey("orderaaaaaa", StatusPaid)
				if _, _, err := f.claims.Begin(context.Background(), key, key, "orderaaaaaa"); err != nil {
					t.Fatal(err)
				}
			},
			deliveries: []delivery{{records: []events.DynamoDBEventRecord{paid, reservedAndConfirmed}, wantFailures: []string{"1", "2"}}},
			wantTexts:  nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			if tt.setup != nil {
				tt.setup(t, f)
			}
			for i, d := range tt.deliveries {
				f.sms.failures, f.sms.failOn = d.smsFailures, d.smsFailOn
				resp, err := f.handler(context.Background(), events.DynamoDBEvent{Records: d.records})
				if err != nil {
					t.Fatalf("delivery %d: %v", i, err)
				}
				if got := failed(resp); !reflect.DeepEqual(got, d.wantFailures) {
					t.Fatalf("delivery %d failures %v, want %v", i, got, d.wantFailures)
				}
			}
			texts := byBooking(f.sms.texts())
			if len(texts) != len(tt.wantTexts) {
				t.Fatalf("sent %d texts %q, want %d", len(texts), texts, len(tt.wantTexts))
			}
			for i, want := range tt.wantTexts {
				if !strings.Contains(texts[i], want) {
					t.Errorf("text %d = %q, want it to contain %q", i, texts[i], want)
				}
			}
			for _, s := range f.sms.sent {
				if s.phone != testPhone {
					t.Errorf("sent to %q", s.phone)
				}
			}
			if got := f.smsSentMetrics(); got != len(texts) {
				t.Errorf("SMSSent metric %d, want %d", got, len(texts))
			}
		})
	}
}

var bookingInText = regexp.MustCompile(`Booking ([A-Z0-9]+)`)

// byBooking sorts texts by the booking they name, keeping each booking's texts in the order they were sent.
func byBooking(texts []string) []string {
	out := slices.Clone(texts)
	slices.SortStableFunc(out, func(a, b string) int {
		return strings.Compare(bookingInText.FindString(a), bookingInText.FindString(b))
	})
	return out
}
