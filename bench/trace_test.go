package main

import (
	"testing"
	"time"
)

func TestSequentialCallsCountsNestedButNotParallel(t *testing.T) {
	at := func(ms int) time.Time { return time.Unix(0, 0).Add(time.Duration(ms) * time.Millisecond) }
	calls := []tracedCall{
		{Operation: "PutItem", Start: at(0), End: at(5)},
		{Service: "lambda", Operation: "Invoke", Start: at(6), End: at(40)},
		{Operation: "payment.PutItem", Start: at(10), End: at(15)}, // inside the Invoke
		{Operation: "payment.UpdateItem", Start: at(16), End: at(20)},
		{Operation: "PutEvents", Start: at(41), End: at(50)},
		{Operation: "beside PutEvents", Start: at(42), End: at(48)}, // parallel: not on the path
		{Operation: "UpdateItem", Start: at(51), End: at(55)},
	}
	if got := sequentialCalls(calls); got != 6 {
		t.Errorf("sequential = %d, want 6", got)
	}
}
