package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/calltaxi/call-taxi/shared/ddbtest"
)

const (
	testTable    = "mypages"
	testOrderID  = "0h5k3m9q2r7t1v7f3k2a"
	testCustomer = "cust-1"
)

func newTestStore(t *testing.T) *DynamoStore {
	t.Helper()
	client := ddbtest.New(t, ddbtest.Table{
		Name: testTable, Hash: "orderId",
		Indexes: []ddbtest.Index{{Name: CustomerIndex, Hash: "customerId", Range: "createdAt"}},
	})
	return NewDynamoStore(client, testTable)
}

func quietLogger() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

// at returns a contract timestamp n seconds after a fixed start.
func at(n int) string { return fmt.Sprintf("2026-03-01T09:%02d:%02d.000Z", n/60, n%60) }

func orderRec(version int64, status string, t int) SourceRecord {
	return SourceRecord{
		Entity: EntityOrder, ID: testOrderID, OrderID: testOrderID, CustomerID: testCustomer, Status: status,
		Version: version, CorrelationID: "corr-1", Name: "Kim Minji", Phone: "+821012345678", OrderType: "prime",
		Fare: 5700, CreatedAt: at(0), UpdatedAt: at(t),
	}
}

func paymentRec(version int64, status string, t int) SourceRecord {
	return SourceRecord{
		Entity: EntityPayment, ID: "pay-" + testOrderID, OrderID: testOrderID, CustomerID: testCustomer,
		Status: status, Version: version, CorrelationID: "corr-1", CreatedAt: at(1), UpdatedAt: at(t),
	}
}

func reservationRec(version int64, status string, t int) SourceRecord {
	return SourceRecord{
		Entity: EntityReservation, ID: "rsv-" + testOrderID, OrderID: testOrderID, CustomerID: testCustomer,
		Status: status, Version: version, CorrelationID: "corr-1", OrderType: "prime", CreatedAt: at(2), UpdatedAt: at(t),
	}
}

func withTaxi(r SourceRecord) SourceRecord {
	r.TaxiID, r.TaxiName = "taxi-0042", "Seoul Prime 7"
	return r
}

// streamRecord renders an item the way a DynamoDB stream delivers it to Lambda.
func streamRecord(t *testing.T, eventName, seq string, newImage any) events.DynamoDBEventRecord {
	t.Helper()
	rec := events.DynamoDBEventRecord{EventName: eventName, EventSource: "aws:dynamodb"}
	rec.Change.SequenceNumber = seq
	if newImage != nil {
		rec.Change.NewImage = toStreamImage(t, newImage)
	}
	return rec
}

func toStreamImage(t *testing.T, item any) map[string]events.DynamoDBAttributeValue {
	t.Helper()
	m, err := attributevalue.MarshalMap(item)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(wireMap(m))
	if err != nil {
		t.Fatal(err)
	}
	var image map[string]events.DynamoDBAttributeValue
	if err := json.Unmarshal(raw, &image); err != nil {
		t.Fatal(err)
	}
	return image
}

func wireMap(m map[string]types.AttributeValue) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = wire(v)
	}
	return out
}

func wire(av types.AttributeValue) any {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": v.Value}
	case *types.AttributeValueMemberN:
		return map[string]any{"N": v.Value}
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": v.Value}
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": true}
	case *types.AttributeValueMemberB:
		return map[string]any{"B": base64.StdEncoding.EncodeToString(v.Value)}
	case *types.AttributeValueMemberL:
		list := make([]any, 0, len(v.Value))
		for _, e := range v.Value {
			list = append(list, wire(e))
		}
		return map[string]any{"L": list}
	case *types.AttributeValueMemberM:
		return map[string]any{"M": wireMap(v.Value)}
	default:
		panic(fmt.Sprintf("test helper: unsupported attribute %T", av))
	}
}

func apiRequest(routeKey, sub, groups string, pathParams, query map[string]string) events.APIGatewayV2HTTPRequest {
	req := events.APIGatewayV2HTTPRequest{RouteKey: routeKey, PathParameters: pathParams, QueryStringParameters: query}
	req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
			Claims: map[string]string{"sub": sub, "cognito:groups": groups},
		},
	}
	return req
}
