package main

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
)

// Assignment statuses (TaxiAssignments table, one row per reservation).
const (
	AssignmentAssigned  = "ASSIGNED"
	AssignmentRejected  = "REJECTED"  // holds nothing: the latest attempt was rejected, a later one may still assign
	AssignmentReleased  = "RELEASED"  // the reservation was cancelled: the unit is back
	AssignmentCompleted = "COMPLETED" // the ride is over: the unit is back
	AssignmentCanceled  = "CANCELED"
)

// Rejection reasons sent back to the reservation context.
const (
	ReasonReservationCanceled = "reservation canceled"
	ReasonTaxiNotFound        = "taxi not found"
	ReasonNoTaxiAvailable     = "no taxi available"
)

// Assignment is one row of the TaxiAssignments table, the taxi context's record of its answers to a
// reservation: which taxi unit it holds (ASSIGNED, then RELEASED), that its latest attempt was rejected
// (REJECTED), that the ride ended and gave the unit back (COMPLETED), or a CANCELED tombstone when the reservation was cancelled before any unit was held.
// Attempt is the latest confirm attempt answered, so each attempt is answered once; a rejection also
// records the taxi asked for and the reason (on a CANCELED or RELEASED row too, keeping the status).
// Every answer is a write, and its event follows from the table's stream (outbox.go).
type Assignment struct {
	ReservationID  string `dynamodbav:"reservationId" json:"reservationId"`
	TaxiID         string `dynamodbav:"taxiId,omitempty" json:"taxiId,omitempty"`
	TaxiName       string `dynamodbav:"taxiName,omitempty" json:"taxiName,omitempty"`
	DriverID       string `dynamodbav:"driverId,omitempty" json:"driverId,omitempty"` // who registered the taxi
	Status         string `dynamodbav:"status" json:"status"`
	Attempt        int    `dynamodbav:"attempt" json:"attempt"`
	RejectedTaxiID string `dynamodbav:"rejectedTaxiId,omitempty" json:"rejectedTaxiId,omitempty"`
	RejectReason   string `dynamodbav:"rejectReason,omitempty" json:"rejectReason,omitempty"`
	CorrelationID  string `dynamodbav:"correlationId,omitempty" json:"correlationId,omitempty"`
	CreatedAt      string `dynamodbav:"createdAt" json:"createdAt"`
	UpdatedAt      string `dynamodbav:"updatedAt" json:"updatedAt"`
}

func newAssignment(reservationID, taxiID, taxiName, status string, attempt int, now time.Time) Assignment {
	at := stamp(now)
	return Assignment{ReservationID: reservationID, TaxiID: taxiID, TaxiName: taxiName, Status: status, Attempt: attempt, CreatedAt: at, UpdatedAt: at}
}

// RefusalReason explains why the taxi cannot take a booking of that grade; refused is false when it can.
func RefusalReason(taxi *Taxi, bookingGrade string) (reason string, refused bool) {
	switch {
	case taxi == nil:
		return ReasonTaxiNotFound, true
	case taxi.Grade != bookingGrade:
		return fmt.Sprintf("taxi grade %s does not match booking grade %s", taxi.Grade, bookingGrade), true
	case taxi.StockCnt <= 0:
		return ReasonNoTaxiAvailable, true
	}
	return "", false
}

// The assignment rule is written once in Go, for the answer the service gives, and once as the conditions
// the assignment transaction writes under (below each Go half). TestAssignmentRuleConditions checks, on
// the local DynamoDB engine, that each condition holds exactly when its Go half does.

// assignmentOpen reports whether a confirm attempt may write a reservation's assignment row: there is
// none yet, or only a rejection of an earlier attempt.
func assignmentOpen(existing *Assignment, attempt int) bool {
	return existing == nil || (existing.Status == AssignmentRejected && existing.Attempt < attempt)
}

func assignmentOpenCondition(attempt int) expression.ConditionBuilder {
	return expression.AttributeNotExists(expression.Name("reservationId")).Or(expression.And(
		expression.Name("status").Equal(expression.Value(AssignmentRejected)),
		expression.Name("attempt").LessThan(expression.Value(attempt)),
	))
}

// taxiTakesCondition is RefusalReason's rule on the Taxis row: it exists, is of the booking's grade and
// has a unit in stock.
func taxiTakesCondition(bookingGrade string) expression.ConditionBuilder {
	return expression.AttributeExists(expression.Name("id")).And(
		expression.Name("grade").Equal(expression.Value(bookingGrade)),
		expression.Name("stockCnt").GreaterThan(expression.Value(0)),
	)
}
