package bus

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/logging"
)

// fakeEventBridge stands in for the one EventBridge call; the wire protocol itself is tested by the local
// cloud's EventBridge against the real SDK client.
type fakeEventBridge struct {
	calls   [][]types.PutEventsRequestEntry
	failAll bool
}

func (f *fakeEventBridge) PutEvents(_ context.Context, in *eventbridge.PutEventsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	f.calls = append(f.calls, in.Entries)
	out := &eventbridge.PutEventsOutput{}
	for range in.Entries {
		if f.failAll {
			out.FailedEntryCount++
			out.Entries = append(out.Entries, types.PutEventsResultEntry{ErrorCode: aws.String("InternalFailure"), ErrorMessage: aws.String("try again")})
		} else {
			out.Entries = append(out.Entries, types.PutEventsResultEntry{EventId: aws.String("x")})
		}
	}
	return out, nil
}

func TestPublishStampsAndBatches(t *testing.T) {
	fake := &fakeEventBridge{}
	p := NewEventBridge(fake, "bus-1")
	ctx := logging.With(context.Background(), logging.New(nil, "error"), "r", "corr-9")

	var evs []contracts.Event
	for i := 0; i < 12; i++ {
		evs = append(evs, &contracts.OrderCanceled{OrderID: "o", CustomerID: "c"})
	}
	if err := p.Publish(ctx, evs...); err != nil {
		t.Fatal(err)
	}
	if len(fake.calls) != 2 || len(fake.calls[0]) != 10 || len(fake.calls[1]) != 2 {
		t.Fatalf("batches = %d", len(fake.calls))
	}
	e := fake.calls[0][0]
	if aws.ToString(e.Source) != contracts.SourceOrder || aws.ToString(e.DetailType) != contracts.NameOrderCanceled || aws.ToString(e.EventBusName) != "bus-1" {
		t.Errorf("entry = %+v", e)
	}
	var detail map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(e.Detail)), &detail); err != nil {
		t.Fatal(err)
	}
	if detail["eventId"] == "" || detail["correlationId"] != "corr-9" || detail["occurredAt"] == nil {
		t.Errorf("envelope not stamped: %v", detail)
	}
}

func TestPublishFailsOnFailedEntries(t *testing.T) {
	p := NewEventBridge(&fakeEventBridge{failAll: true}, "bus-1")
	err := p.Publish(context.Background(), &contracts.OrderCanceled{OrderID: "o"})
	if err == nil || !strings.Contains(err.Error(), "InternalFailure") {
		t.Errorf("err = %v, want the entry's error code", err)
	}
}
