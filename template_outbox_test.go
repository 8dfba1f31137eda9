package calltaxi_test

import (
	"slices"
	"testing"
)

// The overload guard guards charges only (issue 9): PaymentFunction's reserved concurrency is the gateway's
// capacity, so it has no trigger but order's Invoke; history reads and the Payments outbox run on the
// unreserved PaymentRecordsFunction, built from the same folder.
func TestPaymentGuardGuardsChargesOnly(t *testing.T) {
	tpl := loadRepo(t, ".").tpl
	charges := tpl.functionProperties("PaymentFunction")
	if charges["ReservedConcurrentExecutions"] == nil {
		t.Error("PaymentFunction: no ReservedConcurrentExecutions (the overload guard)")
	}
	if events := asMap(charges["Events"]); len(events) != 0 {
		t.Errorf("PaymentFunction has triggers %v: they would take charges' place in its reserved concurrency", sortedKeys(events))
	}
	records := tpl.functionProperties("PaymentRecordsFunction")
	if records["ReservedConcurrentExecutions"] != nil {
		t.Error("PaymentRecordsFunction must not be reserved: reads and the outbox scale on their own")
	}
	var routes []string
	for _, ev := range tpl.functionEvents("PaymentRecordsFunction", "HttpApi") {
		routes = append(routes, asString(ev["Method"])+" "+asString(ev["Path"]))
	}
	if !slices.Equal(routes, []string{"GET /paymentHistories"}) {
		t.Errorf("PaymentRecordsFunction routes %v, want GET /paymentHistories", routes)
	}
	if functionFolder("PaymentRecordsFunction") != "payment" || functionFolder("PaymentFunction") != "payment" {
		t.Error("both payment functions must be built from functions/payment")
	}
}

// events:PutEvents is held only where a table's outbox stream is published: a function that may put
// events reads the stream of a table its own environment names (its own table), and a function that
// publishes an outbox may put events.
func TestPutEventsOnlyWhereAnOutboxPublishes(t *testing.T) {
	repo := loadRepo(t, ".")
	tpl := repo.tpl
	for _, fn := range tpl.functions() {
		mayPut := false
		for _, p := range valueList(tpl.functionProperties(fn)["Policies"]) {
			for _, st := range valueList(asMap(p)["Statement"]) {
				mayPut = mayPut || slices.Contains(stringList(asMap(st)["Action"]), "events:PutEvents")
			}
		}
		own := map[string]bool{}
		for _, v := range tpl.functionEnvironment(fn) {
			for _, id := range referencedNames(v) {
				own[id] = true
			}
		}
		outbox := false
		for _, ev := range tpl.functionEvents(fn, "DynamoDB") {
			if table := getAttResource(asMap(ev["Stream"])["Fn::GetAtt"]); own[table] {
				outbox = true
			}
		}
		switch {
		case mayPut && !outbox:
			t.Errorf("%s may PutEvents but publishes no table of its own from a stream", fn)
		case outbox && !mayPut:
			t.Errorf("%s publishes its table's stream but may not PutEvents", fn)
		}
	}
}

// The sweep is the safety net for money: the order function runs every minute and its finding anything
// raises an alarm.
func TestUnpaidOrdersSweep(t *testing.T) {
	tpl := loadRepo(t, ".").tpl
	schedules := tpl.functionEvents("OrderFunction", "Schedule")
	if len(schedules) != 1 {
		t.Fatalf("OrderFunction has %d Schedule events, want 1", len(schedules))
	}
	for name, ev := range schedules {
		if ev["Schedule"] != "rate(1 minute)" {
			t.Errorf("OrderFunction.Events.%s: Schedule %v, want rate(1 minute)", name, ev["Schedule"])
		}
	}
	found := false
	for _, id := range tpl.resourcesOfType("AWS::CloudWatch::Alarm") {
		props := asMap(tpl.resources[id]["Properties"])
		found = found || (props["Namespace"] == "CallTaxi" && props["MetricName"] == "StuckOrdersFound" &&
			props["ComparisonOperator"] == "GreaterThanThreshold" && number(props["Threshold"]) == 0)
	}
	if !found {
		t.Error("no alarm on CallTaxi StuckOrdersFound > 0")
	}
	index := false
	for _, gsi := range valueList(asMap(tpl.resources["OrdersTable"]["Properties"])["GlobalSecondaryIndexes"]) {
		index = index || asMap(gsi)["IndexName"] == "pendingShard-createdAt-index"
	}
	if !index {
		t.Error("OrdersTable has no pendingShard-createdAt-index (the sweep's sparse index)")
	}
}
