package audit

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/calltaxi/call-taxi/bench/internal/api"
)

var t0 = time.Date(2025, 11, 25, 10, 0, 0, 0, time.UTC)

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
func atStr(ms int) string { return at(ms).Format("2006-01-02T15:04:05.000Z") }
func hist(entries ...any) []any {
	out := []any{}
	for i := 0; i+1 < len(entries); i += 2 {
		out = append(out, map[string]any{"status": entries[i], "at": atStr(entries[i+1].(int))})
	}
	return out
}

// healthy is a consistent world: o1 paid and waiting, o2 confirmed on taxi t1, o3 cancelled after it
// was confirmed (taxi released), o4 declined (not a booking).
func healthy() (Snapshot, Expectations) {
	s := Snapshot{
		Orders: []Item{
			{"id": "o1", "status": "PAID"},
			{"id": "o2", "status": "PAID"},
			{"id": "o3", "status": "CANCELED"},
			{"id": "o4", "status": "DECLINED"},
		},
		Payments: []Item{
			{"id": "pay-o1", "orderId": "o1", "status": "APPROVED"},
			{"id": "pay-o2", "orderId": "o2", "status": "APPROVED"},
			{"id": "pay-o3", "orderId": "o3", "status": "CANCELED"},
			{"id": "pay-o4", "orderId": "o4", "status": "DECLINED"},
		},
		Reservations: []Item{
			{"id": "rsv-o1", "orderId": "o1", "status": "REQUESTED"},
			{"id": "rsv-o2", "orderId": "o2", "status": "CONFIRMED", "taxiId": "t1"},
			{"id": "rsv-o3", "orderId": "o3", "status": "CANCELED", "taxiId": "t1"},
		},
		Taxis: []Item{
			{"id": "t1", "stockCnt": json.Number("9"), "suppliedCnt": 10.0, "assignedCnt": 2.0, "releasedCnt": 1.0},
		},
		Assignments: []Item{
			{"reservationId": "rsv-o2", "taxiId": "t1", "status": "ASSIGNED"},
			{"reservationId": "rsv-o3", "taxiId": "t1", "status": "RELEASED"},
		},
		MyPages: []Item{
			{"orderId": "o1", "phone": "+821000000001", "status": "RESERVED", "history": hist("PAID", 10, "RESERVED", 20)},
			{"orderId": "o2", "phone": "+821000000002", "status": "CONFIRMED", "history": hist("PAID", 10, "RESERVED", 20, "CONFIRMED", 30)},
			{"orderId": "o3", "phone": "+821000000003", "status": "CANCELED", "history": hist("PAID", 10, "RESERVED", 20, "CONFIRMED", 30, "CANCELED", 40)},
		},
		SMS: []api.SMS{
			{PhoneNumber: "+821000000001", Message: "[콜택시] 예약 O1: 결제 3,800원(basic).", At: at(15)},
			{PhoneNumber: "+821000000001", Message: "[콜택시] 예약 O1: 배차 요청 접수.", At: at(25)},
			{PhoneNumber: "+821000000002", Message: "[CallTaxi] Booking O2: paid.", At: at(11)},
			{PhoneNumber: "+821000000002", Message: "[CallTaxi] Booking O2: reached the taxi company.", At: at(21)},
			{PhoneNumber: "+821000000002", Message: "[CallTaxi] Booking O2: taxi Sonata assigned.", At: at(31)},
			{PhoneNumber: "+821000000003", Message: "[콜택시] 예약 O3: 결제 완료.", At: at(12)},
			{PhoneNumber: "+821000000003", Message: "[콜택시] 예약 O3: 배차 요청 접수.", At: at(22)},
			{PhoneNumber: "+821000000003", Message: "[콜택시] 예약 O3: 배차 완료.", At: at(32)},
			{PhoneNumber: "+821000000003", Message: "[콜택시] 예약 O3: 취소·환불 완료.", At: at(42)},
		},
		DLQ:   map[string][]api.DLQMessage{},
		Blobs: map[string][]byte{"table OrdersTable": []byte(`[{"id":"o1","cardLast4":"4242"}]`)},
		DataDir: fstest.MapFS{
			"ddb/orders.wal":          {Data: []byte(`{"cardLast4":"4242"}`)},
			"build/PaymentFunction/x": {Data: []byte("4242424242424242")}, // binaries' folder is skipped
			"bin":                     {Data: append([]byte{0x7f, 'E', 'L', 'F'}, "4242424242424242"...)},
		},
	}
	e := Expectations{
		Known:    true,
		Placed:   map[string]bool{"o1": true, "o2": true, "o3": true},
		Canceled: map[string]CancelOutcome{"o3": CancelConfirmed},
		Cards:    []string{"4242424242424242"},
	}
	return s, e
}

func TestHealthySnapshotHasNoViolations(t *testing.T) {
	s, e := healthy()
	r := Run(s, e)
	if n := r.ViolationCount(); n != 0 {
		var b strings.Builder
		r.Print(&b)
		t.Fatalf("%d violations on a healthy snapshot:\n%s", n, b.String())
	}
	for _, res := range r.Results {
		if res.Checked == 0 && !strings.Contains(res.Name, "dead letters") {
			t.Errorf("rule %q checked nothing", res.Name)
		}
	}
}

func TestEachKindOfViolationIsFound(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Snapshot, *Expectations)
		rule   string // fragment of the failing rule's name
		want   string // fragment of the violation
	}{
		{"201 order missing", func(s *Snapshot, e *Expectations) { e.Placed["o9"] = true }, "orders settled", "not in OrdersTable"},
		{"201 order left pending", func(s *Snapshot, e *Expectations) { s.Orders[0]["status"] = "PENDING_PAYMENT" }, "orders settled", "is PENDING_PAYMENT"},
		{"cancel acknowledged but order paid", func(s *Snapshot, e *Expectations) { e.Canceled["o1"] = CancelConfirmed }, "orders settled", "want [CANCELED]"},
		{"paid twice", func(s *Snapshot, e *Expectations) {
			s.Payments = append(s.Payments, Item{"id": "pay-o1-bis", "orderId": "o1", "status": "APPROVED"})
		}, "one payment", "paid twice"},
		{"no payment", func(s *Snapshot, e *Expectations) { s.Payments = s.Payments[1:] }, "one payment", "has no payment"},
		{"payment not approved", func(s *Snapshot, e *Expectations) { s.Payments[1]["status"] = "PENDING" }, "one payment", "is PENDING, want APPROVED"},
		{"no reservation", func(s *Snapshot, e *Expectations) { s.Reservations = s.Reservations[1:] }, "one reservation", "has no reservation"},
		{"stuck assigning", func(s *Snapshot, e *Expectations) { s.Reservations[0]["status"] = "ASSIGNING" }, "one reservation", "is ASSIGNING"},
		{"reservation for a declined order", func(s *Snapshot, e *Expectations) {
			s.Reservations = append(s.Reservations, Item{"id": "rsv-o4", "orderId": "o4", "status": "REQUESTED"})
		}, "one reservation", "that is DECLINED"},
		{"cancelled but not refunded", func(s *Snapshot, e *Expectations) { s.Payments[2]["status"] = "APPROVED" }, "refunded", "not refunded"},
		{"cancelled but taxi held", func(s *Snapshot, e *Expectations) { s.Assignments[1]["status"] = "ASSIGNED" }, "refunded", "still holds taxi"},
		{"stock arithmetic", func(s *Snapshot, e *Expectations) { s.Taxis[0]["stockCnt"] = 8.0 }, "taxi stock", "≠ suppliedCnt"},
		{"completed ride keeps its taxi", func(s *Snapshot, e *Expectations) { s.Reservations[1]["status"] = "COMPLETED" }, "registered − rides", "≠ registered 10 − 0 open rides"},
		{"completed ride, assignment still held", func(s *Snapshot, e *Expectations) { s.Reservations[1]["status"] = "COMPLETED" }, "assignments match", "is COMPLETED but its assignment is [ASSIGNED]"},
		{"a ride given back twice", func(s *Snapshot, e *Expectations) {
			s.Reservations[1]["status"], s.Assignments[0]["status"] = "COMPLETED", "COMPLETED"
			s.Taxis[0]["stockCnt"], s.Taxis[0]["completedCnt"] = 11.0, 2.0
		}, "registered − rides", "stockCnt 11 ≠ registered 10 − 0 open rides"},
		{"negative stock", func(s *Snapshot, e *Expectations) {
			s.Taxis[0]["stockCnt"], s.Taxis[0]["suppliedCnt"] = -1.0, 0.0
		}, "taxi stock", "below zero"},
		{"counter missing", func(s *Snapshot, e *Expectations) { delete(s.Taxis[0], "suppliedCnt") }, "taxi stock", "no numeric suppliedCnt"},
		{"held count differs from assignments", func(s *Snapshot, e *Expectations) {
			s.Taxis[0]["assignedCnt"], s.Taxis[0]["stockCnt"] = 3.0, 8.0
		}, "taxi stock", "but 1 assignments are ASSIGNED"},
		{"confirmed without assignment", func(s *Snapshot, e *Expectations) { s.Assignments = s.Assignments[1:] }, "assignments match", "is CONFIRMED but"},
		{"assignment for wrong taxi", func(s *Snapshot, e *Expectations) { s.Reservations[1]["taxiId"] = "t2" }, "assignments match", "but taxi t1 is held"},
		{"mypage missing", func(s *Snapshot, e *Expectations) { s.MyPages = s.MyPages[1:] }, "mypage", "has no mypage"},
		{"mypage behind", func(s *Snapshot, e *Expectations) {
			s.MyPages[1]["status"], s.MyPages[1]["history"] = "RESERVED", hist("PAID", 10, "RESERVED", 20)
		}, "mypage", "want CONFIRMED"},
		{"mypage history backwards", func(s *Snapshot, e *Expectations) {
			s.MyPages[0]["history"] = hist("RESERVED", 10, "PAID", 20, "RESERVED", 30)
		}, "mypage", "goes RESERVED → PAID"},
		{"sms missing", func(s *Snapshot, e *Expectations) { s.SMS = s.SMS[1:] }, "SMS", "no SMS to +821000000001 for PAID"},
		{"sms twice", func(s *Snapshot, e *Expectations) { s.SMS = append(s.SMS, s.SMS[4]) }, "SMS", "a second SMS to +821000000002"},
		{"sms of two parts", func(s *Snapshot, e *Expectations) {
			s.SMS[4].Message = "[CallTaxi] Booking O2: taxi " + strings.Repeat("Sonata ", 30) + "assigned."
		}, "SMS parts", "an SMS of 2 parts"},
		{"more than 3 parts through CONFIRMED", func(s *Snapshot, e *Expectations) {
			s.SMS[2].Message = "[CallTaxi] Booking O2: paid (" + strings.Repeat("x", 150) + ")."
			s.SMS[3].Message = "[CallTaxi] Booking O2: reached the taxi company (" + strings.Repeat("x", 150) + ")."
		}, "SMS parts", "booking o2 cost 5 SMS parts through CONFIRMED"},
		{"sms unrecognised", func(s *Snapshot, e *Expectations) {
			s.SMS = append(s.SMS, api.SMS{PhoneNumber: "+821000000001", Message: "hello", At: at(50)})
		}, "SMS", "unrecognised text"},
		{"unexplained dead letter", func(s *Snapshot, e *Expectations) {
			s.DLQ["call-taxi-taxi-events-dlq"] = []api.DLQMessage{{Body: json.RawMessage(`{"detail-type":"ReservationConfirmed","detail":{"reservationId":"rsv-o2"}}`), At: at(100)}}
		}, "dead letters", "ReservationConfirmed (reservationId rsv-o2)"},
		{"dead letter before the fault", func(s *Snapshot, e *Expectations) {
			s.DLQ["call-taxi-taxi-events-dlq"] = []api.DLQMessage{{Body: json.RawMessage(`{}`), At: at(100)}}
			e.Faults = []Fault{{At: at(200), Kind: FaultStop, Function: "TaxiFunction"}}
		}, "dead letters", "no injected fault"},
		{"stream batch dead-lettered in a run without faults", func(s *Snapshot, e *Expectations) {
			s.DLQ["call-taxi-notify-mypages-stream-dlq"] = []api.DLQMessage{{At: at(100), Body: json.RawMessage(
				`{"requestContext":{"condition":"RetryAttemptsExhausted","approximateInvokeCount":11},"responseContext":{"functionError":"Unhandled"},` +
					`"DDBStreamBatchInfo":{"startSequenceNumber":"7","endSequenceNumber":"9","batchSize":3}}`)}}
		}, "dead letters", "stream batch of 3 records (sequence 7..9), RetryAttemptsExhausted after 11 invokes (Unhandled)"},
		{"card in a table", func(s *Snapshot, e *Expectations) {
			s.Blobs["table PaymentsTable"] = []byte(`[{"cardNo":"4242424242424242"}]`)
		}, "card number", "4242••••••••4242 found 1× in table PaymentsTable"},
		{"declined test card in the dlq", func(s *Snapshot, e *Expectations) {
			s.Blobs["dead-letter queues"] = []byte(`{"cardNo":"4000000000000002"}`)
		}, "card number", "4000••••••••0002"},
		{"charged for an order that is not paid (a customer who gave up)", func(s *Snapshot, e *Expectations) {
			s.Orders = append(s.Orders, Item{"id": "o5", "status": "PENDING_PAYMENT"})
			s.Payments = append(s.Payments, Item{"id": "pay-o5", "orderId": "o5", "status": "APPROVED"})
		}, "APPROVED payment belongs to a PAID order", "payment pay-o5 is APPROVED but order o5 is PENDING_PAYMENT"},
		{"charged for an order that does not exist", func(s *Snapshot, e *Expectations) {
			s.Payments = append(s.Payments, Item{"id": "pay-o6", "orderId": "o6", "status": "APPROVED"})
		}, "APPROVED payment belongs to a PAID order", "order o6, which does not exist"},
		{"a paid order the company never saw (no 201 to the customer)", func(s *Snapshot, e *Expectations) {
			s.Orders = append(s.Orders, Item{"id": "o7", "status": "PAID"})
			s.Payments = append(s.Payments, Item{"id": "pay-o7", "orderId": "o7", "status": "APPROVED"})
		}, "PAID order reaches the company", "order o7 is PAID but has no reservation"},
		{"card in a data file", func(s *Snapshot, e *Expectations) {
			s.DataDir.(fstest.MapFS)["ddb/payments.wal"] = &fstest.MapFile{Data: []byte("...4242424242424242...")}
		}, "card number", "data file ddb/payments.wal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, e := healthy()
			tt.mutate(&s, &e)
			r := Run(s, e)
			found := false
			for _, res := range r.Results {
				for _, v := range res.Violations {
					if strings.Contains(res.Name, tt.rule) && strings.Contains(v, tt.want) {
						found = true
					}
				}
			}
			if !found {
				var b strings.Builder
				r.Print(&b)
				t.Errorf("want a %q violation containing %q; got:\n%s", tt.rule, tt.want, b.String())
			}
		})
	}
}

func TestDeadLetterExplainedByAFaultOnItsConsumer(t *testing.T) {
	s, e := healthy()
	s.DLQ["call-taxi-reservation-events-dlq"] = []api.DLQMessage{{Body: json.RawMessage(`{"detail-type":"PaymentApproved","detail":{"orderId":"o1"}}`), At: at(500)}}
	e.Faults = []Fault{
		{At: at(100), Kind: FaultStop, Function: "TaxiFunction"}, // wrong consumer
		{At: at(200), Kind: FaultKill, Function: "call-taxi-ReservationFunction/env-2 (pid 42)"},
	}
	r := Run(s, e)
	res := r.Results[8]
	if len(res.Violations) != 0 || len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "kill-environment") {
		t.Errorf("violations %v, notes %v", res.Violations, res.Notes)
	}
}

func TestUnknownExpectationsAreDerivedFromTheTables(t *testing.T) {
	s, _ := healthy()
	r := Run(s, Expectations{})
	if n := r.ViolationCount(); n != 0 {
		var b strings.Builder
		r.Print(&b)
		t.Fatalf("derived expectations: %d violations:\n%s", n, b.String())
	}
	s.Payments[2]["status"] = "APPROVED" // cancelled order o3 not refunded
	if Run(s, Expectations{}).ViolationCount() == 0 {
		t.Error("a cancelled, unrefunded order must be found without the load generator's expectations")
	}
}

func TestSMSStatuses(t *testing.T) {
	tests := map[string][]string{
		"[콜택시] 예약 O1: 결제 9,500원(prime), 배차 요청 접수.":                                 {"PAID", "RESERVED"},
		"[콜택시] 예약 O1: Seoul Prime 7 배차 완료, 취소·환불 완료.":                              {"CONFIRMED", "CANCELED"},
		"[CallTaxi] Booking O1: paid 9,500 KRW (prime); reached the taxi company.": {"PAID", "RESERVED"},
		"[CallTaxi] Booking O1: taxi Cancelo assigned; cancelled and refunded.":    {"CONFIRMED", "CANCELED"},
		"[CallTaxi] Booking O1: taxi Prepaid assigned.":                            {"CONFIRMED"},
		"hello": nil,
	}
	for text, want := range tests {
		if got := SMSStatuses(text); !slices.Equal(got, want) {
			t.Errorf("SMSStatuses(%q) = %q, want %q", text, got, want)
		}
	}
}

// One text announcing two statuses pairs with both history entries; the booking costs its parts once.
func TestOneTextAnnouncesSeveralStatuses(t *testing.T) {
	s, e := healthy()
	s.SMS = append(s.SMS[:3:3], s.SMS[4:]...)
	s.SMS[2].Message = "[CallTaxi] Booking O2: paid; reached the taxi company."
	pairs, unsent, unexpected := PairSMS(s)
	if len(unsent) != 0 || len(unexpected) != 0 || len(pairs) != 9 {
		t.Fatalf("pairs %d unsent %v unexpected %v", len(pairs), unsent, unexpected)
	}
	r := Run(s, e)
	if n := r.ViolationCount(); n != 0 {
		var b strings.Builder
		r.Print(&b)
		t.Fatalf("%d violations:\n%s", n, b.String())
	}
	for _, res := range r.Results {
		if strings.Contains(res.Name, "SMS parts") && !slices.Contains(res.Notes, "2.00 SMS parts per booking through CONFIRMED (1 bookings)") {
			t.Errorf("notes %q", res.Notes)
		}
	}
}

func TestSMSStatus(t *testing.T) {
	tests := map[string]string{
		"[CallTaxi] Booking X: paid 5,700 KRW (prime). 예약 X: 결제 완료":                   "PAID",
		"[CallTaxi] Booking X: your booking reached the taxi company. 예약 X: 배차 요청 접수": "RESERVED",
		"[CallTaxi] Booking X: taxi Cancelo assigned. 예약 X: 배차 완료":                    "CONFIRMED", // the taxi's name does not fool it
		"[CallTaxi] Booking X: taxi assigned. 예약 X: 배차 완료":                            "CONFIRMED",
		"[CallTaxi] Booking X: cancelled and refunded. 예약 X: 취소 및 환불 완료":              "CANCELED",
		"Booking X: cancelled and refunded.":                                          "CANCELED",
		"something else":                                                              "",
	}
	for text, want := range tests {
		if got := SMSStatus(text); got != want {
			t.Errorf("SMSStatus(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestPairSMSMeasuresLagPerStatus(t *testing.T) {
	s, _ := healthy()
	pairs, unsent, unexpected := PairSMS(s)
	if len(unsent) != 0 || len(unexpected) != 0 || len(pairs) != 9 {
		t.Fatalf("pairs %d unsent %v unexpected %v", len(pairs), unsent, unexpected)
	}
	for _, p := range pairs {
		if lag := p.SentAt.Sub(p.ChangedAt); lag <= 0 || lag > 5*time.Millisecond {
			t.Errorf("%s %s lag %v", p.Phone, p.Status, lag)
		}
	}
}

func TestCompletedAndPickedUpRidesAreHealthy(t *testing.T) {
	for _, status := range []string{"PICKED_UP", "COMPLETED"} {
		t.Run(status, func(t *testing.T) {
			s, e := healthy()
			s.Reservations[1]["status"] = status
			s.MyPages[1]["status"] = status
			s.MyPages[1]["history"] = hist("PAID", 10, "RESERVED", 20, "CONFIRMED", 30, "PICKED_UP", 50)
			s.SMS = append(s.SMS, api.SMS{PhoneNumber: "+821000000002", Message: "[CallTaxi] Booking O2: picked up.", At: at(51)})
			if status == "COMPLETED" {
				s.Assignments[0]["status"] = "COMPLETED"
				s.Taxis[0]["stockCnt"], s.Taxis[0]["completedCnt"] = json.Number("10"), 1.0
				s.MyPages[1]["history"] = hist("PAID", 10, "RESERVED", 20, "CONFIRMED", 30, "PICKED_UP", 50, "COMPLETED", 60)
				s.SMS = append(s.SMS, api.SMS{PhoneNumber: "+821000000002", Message: "[CallTaxi] Booking O2: ride completed.", At: at(61)})
			}
			r := Run(s, e)
			if n := r.ViolationCount(); n != 0 {
				var b strings.Builder
				r.Print(&b)
				t.Errorf("%d violations:\n%s", n, b.String())
			}
		})
	}
}
