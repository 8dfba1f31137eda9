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

func assignmentImage(t *testing.T, a *Assignment) map[string]events.DynamoDBAttributeValue {
	t.Helper()
	if a == nil {
		return nil
	}
	item, err := attributevalue.MarshalMap(a)
	if err != nil {
		t.Fatal(err)
	}
	return ddbtest.Image(item)
}

func TestDeriveEvents(t *testing.T) {
	row := func(status string, attempt int, mutate ...func(*Assignment)) *Assignment {
		a := &Assignment{ReservationID: "r1", Status: status, Attempt: attempt, CorrelationID: "corr-1", CreatedAt: "t", UpdatedAt: "t"}
		if status == AssignmentAssigned || status == AssignmentReleased {
			a.TaxiID, a.TaxiName = "t1", "Blue"
		}
		for _, m := range mutate {
			m(a)
		}
		return a
	}
	rejected := func(taxi, reason string) func(*Assignment) {
		return func(a *Assignment) { a.RejectedTaxiID, a.RejectReason = taxi, reason }
	}
	meta := contracts.Meta{CorrelationID: "corr-1"}
	tests := []struct {
		name    string
		event   events.DynamoDBOperationType
		old     *Assignment
		new     *Assignment
		want    []contracts.Event
		wantErr bool
	}{
		{"a unit held", "INSERT", nil, row(AssignmentAssigned, 1), []contracts.Event{&contracts.TaxiAssigned{Meta: meta, ReservationID: "r1", TaxiID: "t1", TaxiName: "Blue", Attempt: 1}}, false},
		{"a unit held after a rejection", "MODIFY", row(AssignmentRejected, 1, rejected("t9", ReasonNoTaxiAvailable)), row(AssignmentAssigned, 2), []contracts.Event{&contracts.TaxiAssigned{Meta: meta, ReservationID: "r1", TaxiID: "t1", TaxiName: "Blue", Attempt: 2}}, false},
		{"the held unit answers a newer attempt", "MODIFY", row(AssignmentAssigned, 1), row(AssignmentAssigned, 2), []contracts.Event{&contracts.TaxiAssigned{Meta: meta, ReservationID: "r1", TaxiID: "t1", TaxiName: "Blue", Attempt: 2}}, false},
		{"rejected", "INSERT", nil, row(AssignmentRejected, 1, rejected("t9", ReasonNoTaxiAvailable)), []contracts.Event{&contracts.TaxiAssignmentRejected{Meta: meta, ReservationID: "r1", TaxiID: "t9", Attempt: 1, Reason: ReasonNoTaxiAvailable}}, false},
		{"rejected again for a newer attempt", "MODIFY", row(AssignmentRejected, 1, rejected("t9", ReasonNoTaxiAvailable)), row(AssignmentRejected, 2, rejected("t8", ReasonTaxiNotFound)), []contracts.Event{&contracts.TaxiAssignmentRejected{Meta: meta, ReservationID: "r1", TaxiID: "t8", Attempt: 2, Reason: ReasonTaxiNotFound}}, false},
		{"a confirm after the cancel", "MODIFY", row(AssignmentCanceled, 0), row(AssignmentCanceled, 1, rejected("t1", ReasonReservationCanceled)), []contracts.Event{&contracts.TaxiAssignmentRejected{Meta: meta, ReservationID: "r1", TaxiID: "t1", Attempt: 1, Reason: ReasonReservationCanceled}}, false},
		{"a confirm after the release", "MODIFY", row(AssignmentReleased, 1), row(AssignmentReleased, 2, rejected("t2", ReasonReservationCanceled)), []contracts.Event{&contracts.TaxiAssignmentRejected{Meta: meta, ReservationID: "r1", TaxiID: "t2", Attempt: 2, Reason: ReasonReservationCanceled}}, false},
		{"released", "MODIFY", row(AssignmentAssigned, 1), row(AssignmentReleased, 1), []contracts.Event{&contracts.TaxiReleased{Meta: meta, ReservationID: "r1", TaxiID: "t1"}}, false},
		{"a tombstone answers nobody", "INSERT", nil, row(AssignmentCanceled, 0), nil, false},
		{"a rejection becomes a tombstone", "MODIFY", row(AssignmentRejected, 1, rejected("t9", ReasonNoTaxiAvailable)), row(AssignmentCanceled, 1, rejected("t9", ReasonNoTaxiAvailable)), nil, false},
		{"only the correlation id changed", "MODIFY", row(AssignmentAssigned, 1), row(AssignmentAssigned, 1, func(a *Assignment) { a.CorrelationID = "corr-2" }), nil, false},
		{"removed", "REMOVE", row(AssignmentAssigned, 1), nil, nil, false},
		{"MODIFY without the old image", "MODIFY", nil, row(AssignmentReleased, 1), nil, true},
		{"no reservation id", "INSERT", nil, row(AssignmentAssigned, 1, func(a *Assignment) { a.ReservationID = "" }), nil, true},
		{"ASSIGNED without a taxi", "INSERT", nil, row(AssignmentAssigned, 1, func(a *Assignment) { a.TaxiID = "" }), nil, true},
		{"a rejection without its reason", "INSERT", nil, row(AssignmentRejected, 1), nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := events.DynamoDBEventRecord{EventName: string(tt.event), EventSource: "aws:dynamodb", Change: events.DynamoDBStreamRecord{
				SequenceNumber: "1", StreamViewType: string(events.DynamoDBStreamViewTypeNewAndOldImages),
				NewImage: assignmentImage(t, tt.new), OldImage: assignmentImage(t, tt.old),
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

// A new image that is not an assignment at all is a malformed record, not a panic.
func TestDeriveRejectsForeignImages(t *testing.T) {
	rec := events.DynamoDBEventRecord{EventName: "INSERT", Change: events.DynamoDBStreamRecord{
		NewImage: map[string]events.DynamoDBAttributeValue{"reservationId": events.NewNumberAttribute("7"), "attempt": events.NewStringAttribute("one")},
	}}
	if _, err := deriveEvents(rec); !errors.Is(err, errMalformedRecord) {
		t.Errorf("err = %v", err)
	}
}
