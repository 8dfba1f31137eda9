package ddbemu

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/calltaxi/call-taxi/localcloud/internal/awsclock"
)

func notificationsSpec() TableSpec {
	return TableSpec{
		Name: "Notifications", KeySchema: []KeyElement{{AttributeName: "id", KeyType: "HASH"}},
		AttributeDefinitions: []AttributeDefinition{{AttributeName: "id", AttributeType: "S"}},
		StreamViewType:       "NEW_AND_OLD_IMAGES", TTLAttribute: "expiresAt",
	}
}

func TestTTLSweepDeletesExpiredItemsWithServiceIdentity(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	svc, client := startService(t, Options{Now: func() time.Time { return now }, TTLSweepInterval: time.Hour, TTLDeletionDelay: -1}, notificationsSpec())
	epoch := func(d time.Duration) types.AttributeValue { return num(strconv.FormatInt(now.Add(d).Unix(), 10)) }
	items := []map[string]types.AttributeValue{
		{"id": str("expired"), "expiresAt": epoch(-time.Minute)},
		{"id": str("future"), "expiresAt": epoch(time.Hour)},
		{"id": str("no-ttl")},
		{"id": str("string-ttl"), "expiresAt": str("1")},
		{"id": str("ancient"), "expiresAt": epoch(-6 * 365 * 24 * time.Hour)},
	}
	for _, it := range items {
		if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Notifications"), Item: it}); err != nil {
			t.Fatal(err)
		}
	}
	pos := svc.Stream("Notifications").Latest()

	if n := svc.SweepExpired(); n != 1 {
		t.Fatalf("swept %d items, want 1", n)
	}
	rows, err := svc.Scan("Notifications")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rows {
		ids = append(ids, r["id"].(string))
	}
	if len(ids) != 4 || ids[0] != "ancient" || ids[1] != "future" || ids[2] != "no-ttl" || ids[3] != "string-ttl" {
		t.Fatalf("remaining %v", ids)
	}
	recs := svc.Stream("Notifications").Read(pos, 10)
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	r := recs[0]
	if r.EventName != "REMOVE" || r.Change.Keys["id"].String() != "expired" || r.Change.OldImage == nil ||
		r.UserIdentity == nil || r.UserIdentity.Type != "Service" || r.UserIdentity.PrincipalID != "dynamodb.amazonaws.com" {
		t.Fatalf("record %+v identity %+v", r, r.UserIdentity)
	}
}

func TestTTLBackgroundSweep(t *testing.T) {
	ctx := context.Background()
	svc, client := startService(t, Options{TTLSweepInterval: 10 * time.Millisecond, TTLDeletionDelay: -1}, notificationsSpec())
	past := strconv.FormatInt(time.Now().Add(-time.Second).Unix(), 10)
	if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Notifications"),
		Item: map[string]types.AttributeValue{"id": str("n1"), "expiresAt": num(past)}}); err != nil {
		t.Fatal(err)
	}
	st := svc.Stream("Notifications")
	deadline := time.Now().Add(2 * time.Second)
	for len(st.Read("", 10)) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("background sweep did not delete the expired item")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if recs := st.Read("", 10); recs[1].EventName != "REMOVE" {
		t.Fatalf("second record %s", recs[1].EventName)
	}
	if err := svc.Close(); err != nil {
		t.Fatal(err)
	}
}

// DynamoDB developer guide, "Working with expired items": expired items stay in reads and writes until
// the TTL process deletes them, some time after expiry; "DynamoDB Streams and Time to Live": the
// deletion's REMOVE record has userIdentity {"type":"Service","principalId":"dynamodb.amazonaws.com"}.
func TestTTLWorkingWithExpiredItemsLazyDeletion(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name        string
		delay       time.Duration
		clock       *awsclock.Clock
		expiredAgo  time.Duration
		wantDeleted bool
	}{
		{name: "default delay: expired a minute ago, still there", expiredAgo: time.Minute},
		{name: "default delay passed", expiredAgo: defaultTTLDeletionDelay + time.Second, wantDeleted: true},
		{name: "configured delay", delay: time.Hour, expiredAgo: 30 * time.Minute},
		{name: "configured delay passed", delay: time.Hour, expiredAgo: 61 * time.Minute, wantDeleted: true},
		{name: "ten AWS minutes last a wall second at scale 600", delay: 10 * time.Minute, clock: awsclock.New(600), expiredAgo: 2 * time.Second, wantDeleted: true},
		{name: "scale 600, half a wall second after expiry", delay: 10 * time.Minute, clock: awsclock.New(600), expiredAgo: 500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			svc, client := startService(t, Options{Now: func() time.Time { return now }, TTLSweepInterval: time.Hour,
				TTLDeletionDelay: tt.delay, Clock: tt.clock}, notificationsSpec())
			expiresAt := num(strconv.FormatInt(now.Add(-tt.expiredAgo).Unix(), 10))
			key := map[string]types.AttributeValue{"id": str("n1")}
			if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Notifications"),
				Item: map[string]types.AttributeValue{"id": str("n1"), "expiresAt": expiresAt}}); err != nil {
				t.Fatal(err)
			}
			pos := svc.Stream("Notifications").Latest()
			swept := svc.SweepExpired()
			got, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("Notifications"), Key: key, ConsistentRead: aws.Bool(true)})
			if err != nil {
				t.Fatal(err)
			}
			if !tt.wantDeleted {
				if swept != 0 || got.Item == nil {
					t.Fatalf("swept %d, item %v: an expired item within the deletion delay must stay readable", swept, got.Item)
				}
				_, err := client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("Notifications"), Key: key,
					UpdateExpression: aws.String("SET #s = :s"), ConditionExpression: aws.String("attribute_exists(id)"),
					ExpressionAttributeNames:  map[string]string{"#s": "status"},
					ExpressionAttributeValues: map[string]types.AttributeValue{":s": str("seen")}})
				if err != nil {
					t.Fatalf("update of an expired, undeleted item: %v", err)
				}
				return
			}
			if swept != 1 || got.Item != nil {
				t.Fatalf("swept %d, item %v, want it deleted", swept, got.Item)
			}
			recs := svc.Stream("Notifications").Read(pos, 10)
			if len(recs) != 1 || recs[0].EventName != "REMOVE" || recs[0].UserIdentity == nil ||
				recs[0].UserIdentity.Type != "Service" || recs[0].UserIdentity.PrincipalID != "dynamodb.amazonaws.com" {
				t.Fatalf("records %+v, want one REMOVE by the DynamoDB service", recs)
			}
		})
	}
}

// "The TTL attribute's value must be a top-level Number data type" (Using time to live,
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-before-you-start.html):
// the sweep reads the table's TTL index, which holds only Number values, and follows a TTL attribute
// changed at run time.
func TestTTLSweepReadsTheTTLIndex(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	spec := TableSpec{Name: "Sessions", KeySchema: []KeyElement{{AttributeName: "id", KeyType: "HASH"}},
		AttributeDefinitions: []AttributeDefinition{{AttributeName: "id", AttributeType: "S"}}, TTLAttribute: "expiresAt"}
	svc, _ := startService(t, Options{Now: func() time.Time { return now }, TTLSweepInterval: time.Hour, TTLDeletionDelay: -1}, spec)
	past, future := strconv.FormatInt(now.Add(-time.Minute).Unix(), 10), strconv.FormatInt(now.Add(time.Hour).Unix(), 10)
	cases := []struct {
		name, item string
		swept      int
	}{
		{"expired number", `{"id":{"S":"a"},"expiresAt":{"N":"` + past + `"}}`, 1},
		{"expired, as a float with spaces", `{ "id" : {"S":"b"}, "expiresAt" : { "N" : "` + past + `.5" } }`, 1},
		{"future number", `{"id":{"S":"c"},"expiresAt":{"N":"` + future + `"}}`, 0},
		{"a string is not a TTL", `{"id":{"S":"d"},"expiresAt":{"S":"` + past + `"}}`, 0},
		{"more than five years ago", `{"id":{"S":"e"},"expiresAt":{"N":"` + strconv.FormatInt(now.AddDate(-6, 0, 0).Unix(), 10) + `"}}`, 0},
		{"other attribute", `{"id":{"S":"f"},"gone":{"N":"` + past + `"}}`, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if status, out := apiCall(t, svc, "PutItem", `{"TableName":"Sessions","Item":`+c.item+`}`); status != 200 {
				t.Fatalf("PutItem: %s", out["message"])
			}
			if n := svc.SweepExpired(); n != c.swept {
				t.Fatalf("swept %d, want %d", n, c.swept)
			}
		})
	}
	t.Run("TTL attribute changed", func(t *testing.T) {
		for _, body := range []string{
			`{"TableName":"Sessions","TimeToLiveSpecification":{"AttributeName":"expiresAt","Enabled":false}}`,
			`{"TableName":"Sessions","TimeToLiveSpecification":{"AttributeName":"gone","Enabled":true}}`,
		} {
			if status, out := apiCall(t, svc, "UpdateTimeToLive", body); status != 200 {
				t.Fatalf("UpdateTimeToLive: %s", out["message"])
			}
		}
		if n := svc.SweepExpired(); n != 1 {
			t.Fatalf("swept %d, want the item expired by its new TTL attribute", n)
		}
	})
}
