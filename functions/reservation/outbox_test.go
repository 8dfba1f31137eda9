package main

import (
	"errors"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"

	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/ddbtest"
)

func reservationImage(t *testing.T, r *Reservation) map[string]events.DynamoDBAttributeValue {
	t.Helper()
	if r == nil {
		return nil
	}
	item, err := attributevalue.MarshalMap(r)
	if err != nil {
		t.Fatal(err)
	}
	return ddbtest.Image(item)
}

func TestDeriveEvents(t *testing.T) {
	meta := contracts.Meta{CorrelationID: "corr"}
	assigning := func(attempt int, taxiID string) *Reservation {
		r := row(StatusAssigning, attempt, taxiID)
		r.Version = int64(3 + attempt)
		return r
	}
	tombstone := row(StatusCanceled, 0, "")
	tombstone.OrderType, tombstone.Version = "", 1
	released := row(StatusCanceled, 1, "t1")
	released.TaxiReleased = true
	tests := []struct {
		name    string
		event   events.DynamoDBOperationType
		old     *Reservation
		new     *Reservation
		want    []contracts.Event
		wantErr bool
	}{
		{"created REQUESTED", "INSERT", nil, row(StatusRequested, 0, ""), []contracts.Event{&contracts.ReservationRequested{Meta: meta, ReservationID: "rsv-o1", OrderID: "o1", CustomerID: "c1", OrderType: "prime"}}, false},
		{"the manager's confirm", "MODIFY", row(StatusRequested, 0, ""), assigning(1, "t1"), []contracts.Event{&contracts.ReservationConfirmed{Meta: meta, ReservationID: "rsv-o1", OrderID: "o1", OrderType: "prime", TaxiID: "t1", Attempt: 1}}, false},
		{"a confirm after a rejection", "MODIFY", row(StatusRequested, 1, ""), assigning(2, "t2"), []contracts.Event{&contracts.ReservationConfirmed{Meta: meta, ReservationID: "rsv-o1", OrderID: "o1", OrderType: "prime", TaxiID: "t2", Attempt: 2}}, false},
		{"cancelled", "MODIFY", row(StatusConfirmed, 1, "t1"), row(StatusCanceled, 1, "t1"), []contracts.Event{&contracts.ReservationCanceled{Meta: meta, ReservationID: "rsv-o1", OrderID: "o1"}}, false},
		{"a tombstone", "INSERT", nil, tombstone, []contracts.Event{&contracts.ReservationCanceled{Meta: meta, ReservationID: "rsv-o1", OrderID: "o1"}}, false},
		{"taxi assigned", "MODIFY", assigning(1, "t1"), row(StatusConfirmed, 1, "t1"), nil, false},
		{"rejected back to REQUESTED", "MODIFY", assigning(1, "t1"), row(StatusRequested, 1, ""), nil, false},
		{"the release recorded", "MODIFY", row(StatusCanceled, 1, "t1"), released, nil, false},
		{"picked up", "MODIFY", row(StatusConfirmed, 1, "t1"), row(StatusPickedUp, 1, "t1"), []contracts.Event{&contracts.ReservationPickedUp{Meta: meta, ReservationID: "rsv-o1", OrderID: "o1", TaxiID: "t1"}}, false},
		{"completed", "MODIFY", row(StatusPickedUp, 1, "t1"), row(StatusCompleted, 1, "t1"), []contracts.Event{&contracts.ReservationCompleted{Meta: meta, ReservationID: "rsv-o1", OrderID: "o1", TaxiID: "t1"}}, false},
		{"completed, rewritten", "MODIFY", row(StatusCompleted, 1, "t1"), row(StatusCompleted, 1, "t1"), nil, false},
		{"completed without a taxi", "MODIFY", row(StatusPickedUp, 1, "t1"), row(StatusCompleted, 1, ""), nil, true},
		{"cancel racing the pickup", "MODIFY", row(StatusPickedUp, 1, "t1"), row(StatusCanceled, 1, "t1"), []contracts.Event{&contracts.ReservationCanceled{Meta: meta, ReservationID: "rsv-o1", OrderID: "o1"}}, false},
		{"removed", "REMOVE", row(StatusRequested, 0, ""), nil, nil, false},
		{"MODIFY without the old image", "MODIFY", nil, row(StatusCanceled, 1, "t1"), nil, true},
		{"ASSIGNING without a taxi", "MODIFY", row(StatusRequested, 0, ""), assigning(1, ""), nil, true},
		{"no order id", "INSERT", nil, &Reservation{ID: "rsv-o1", Status: StatusRequested}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := events.DynamoDBEventRecord{EventName: string(tt.event), EventSource: "aws:dynamodb", Change: events.DynamoDBStreamRecord{
				SequenceNumber: "1", StreamViewType: string(events.DynamoDBStreamViewTypeNewAndOldImages),
				NewImage: reservationImage(t, tt.new), OldImage: reservationImage(t, tt.old),
			}}
			got, err := deriveEvents(rec)
			if tt.wantErr {
				if !errors.Is(err, errMalformedRecord) {
					t.Fatalf("err = %v, want a malformed record", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("derived %#v, want %#v", got, tt.want)
			}
		})
	}
}
