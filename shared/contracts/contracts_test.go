package contracts

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

var allEvents = []Event{
	&OrderPlaced{}, &OrderCanceled{}, &PaymentApproved{}, &PaymentCanceled{}, &ReservationRequested{},
	&ReservationConfirmed{}, &ReservationCanceled{}, &TaxiAssigned{}, &TaxiAssignmentRejected{}, &TaxiReleased{},
	&ReservationPickedUp{}, &ReservationCompleted{},
}

func TestCatalogCoversEveryEvent(t *testing.T) {
	specs := map[string]Spec{}
	for _, s := range Catalog {
		if _, dup := specs[s.Name]; dup {
			t.Errorf("%s listed twice", s.Name)
		}
		specs[s.Name] = s
		if len(s.Consumers) == 0 && s.External == "" {
			t.Errorf("%s has no consumer and no External reason", s.Name)
		}
	}
	for _, e := range allEvents {
		s, ok := specs[e.EventName()]
		if !ok {
			t.Errorf("%s is not in the Catalog", e.EventName())
			continue
		}
		if s.Source != e.EventSource() || !strings.HasPrefix(s.Source, "calltaxi.") {
			t.Errorf("%s source %q vs catalog %q", e.EventName(), e.EventSource(), s.Source)
		}
	}
	if len(specs) != len(allEvents) {
		t.Errorf("catalog has %d events, types %d", len(specs), len(allEvents))
	}
}

func TestDetailRoundTrip(t *testing.T) {
	in := &TaxiAssigned{Meta: Meta{EventID: "e1", OccurredAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), CorrelationID: "c1"}, ReservationID: "rsv-1", TaxiID: "t1", TaxiName: "Sonata", Attempt: 2}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{`"eventId":"e1"`, `"correlationId":"c1"`, `"reservationId":"rsv-1"`, `"attempt":2`} {
		if !strings.Contains(string(raw), field) {
			t.Errorf("detail %s lacks %s", raw, field)
		}
	}
	out, err := Decode[TaxiAssigned](raw)
	if err != nil || out != *in {
		t.Errorf("round trip = %+v, %v", out, err)
	}
	if _, err := Decode[TaxiAssigned](json.RawMessage(`{"attempt":"x"}`)); err == nil {
		t.Error("a wrongly typed field must fail")
	}
}
