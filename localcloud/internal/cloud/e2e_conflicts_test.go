package cloud_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/calltaxi/call-taxi/localcloud/internal/cloud"
	"github.com/calltaxi/call-taxi/shared/contracts"
)

// DynamoDB developer guide, "Transaction conflict handling in DynamoDB": a driver's PATCH /taxis/{id} (a
// PutItem on the taxi) overlapping the assignment transactions on the same taxi is refused with
// TransactionConflictException. With conflicts injected on every item a transaction just held, the PATCH
// never answers 5xx, every assignment lands, and the taxi's counters still balance.
func TestDriverPatchRacingFiftyAssignments(t *testing.T) {
	t.Parallel()
	const assignments, patches = 50, 40
	c := startCloud(t, nil, func(cfg *cloud.Config) { cfg.TransactionConflictRate = 0.3 })
	driver := newUser(t, c, "drivers")
	taxiID := registerTaxi(t, driver, "basic", 100)

	bus := c.Template.Buses["CallTaxiBus"].Name
	eb := eventbridge.New(eventbridge.Options{Region: "us-east-1", BaseEndpoint: aws.String(c.ServicesURL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range assignments {
			ev := &contracts.ReservationConfirmed{ReservationID: fmt.Sprintf("rsv-race-%02d", i), OrderID: fmt.Sprintf("race-%02d", i),
				OrderType: "basic", TaxiID: taxiID, Attempt: 1}
			detail, err := json.Marshal(ev)
			if err != nil {
				t.Error(err)
				return
			}
			out, err := eb.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
				EventBusName: aws.String(bus), Source: aws.String(ev.EventSource()), DetailType: aws.String(ev.EventName()), Detail: aws.String(string(detail)),
			}}})
			if err != nil || out.FailedEntryCount != 0 {
				t.Errorf("put ReservationConfirmed %d: %v %+v", i, err, out)
			}
		}
	})
	statuses := map[int]int{}
	var mu sync.Mutex
	for d := range 2 {
		wg.Go(func() {
			for i := range patches / 2 {
				r := driver.do("PATCH", "/taxis/"+taxiID, map[string]any{"stockCnt": 100 + 2*i + d})
				mu.Lock()
				statuses[r.Status]++
				mu.Unlock()
				if r.Status >= 500 {
					t.Errorf("PATCH %d: %d %s (Retry-After %q)", i, r.Status, r.RawBody, r.Header.Get("Retry-After"))
				}
			}
		})
	}
	wg.Wait()

	assignmentsTable := c.Template.Tables["TaxiAssignmentsTable"].Name
	taxisTable := c.Template.Tables["TaxisTable"].Name
	var taxi map[string]any
	eventually(t, "every assignment to land", time.Minute, func() (bool, string) {
		rows, err := c.DynamoDB.Scan(assignmentsTable)
		if err != nil {
			return false, err.Error()
		}
		held := 0
		for _, row := range rows {
			if row["taxiId"] == taxiID && row["status"] == "ASSIGNED" {
				held++
			}
		}
		return held == assignments, fmt.Sprintf("%d of %d assignments", held, assignments)
	})
	taxis, err := c.DynamoDB.Scan(taxisTable)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range taxis {
		if row["id"] == taxiID {
			taxi = row
		}
	}
	n := func(k string) int64 {
		v, _ := taxi[k].(json.Number).Int64()
		return v
	}
	if n("assignedCnt") != assignments || n("stockCnt") != n("suppliedCnt")-n("assignedCnt")+n("releasedCnt") || n("stockCnt") < 0 {
		t.Errorf("taxi counters do not balance: %v", taxi)
	}
	t.Logf("PATCH statuses %v; %d writes refused by transaction conflicts", statuses, c.DynamoDB.TransactionConflicts())
	if c.DynamoDB.TransactionConflicts() == 0 {
		t.Error("no transaction conflict was injected: the race was not exercised")
	}
}
