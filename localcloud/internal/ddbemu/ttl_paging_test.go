package ddbemu

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestTTLSweepPagesThroughLargeTables(t *testing.T) {
	defer func(n int) { ttlScanPage = n }(ttlScanPage)
	ttlScanPage = 1000
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	svc, client := startService(t, Options{Now: func() time.Time { return now }, TTLSweepInterval: time.Hour, TTLDeletionDelay: -1}, notificationsSpec())
	tests := []struct {
		name            string
		expired, future int
	}{
		{name: "more than one page", expired: ttlScanPage + ttlScanPage/2, future: 10},
		{name: "nothing expired", expired: 0, future: 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			put := func(id string, at time.Time) {
				item := map[string]types.AttributeValue{"id": str(id), "expiresAt": num(strconv.FormatInt(at.Unix(), 10))}
				if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Notifications"), Item: item}); err != nil {
					t.Fatal(err)
				}
			}
			for i := range tt.expired {
				put(fmt.Sprintf("%s-old-%05d", tt.name, i), now.Add(-time.Minute))
			}
			for i := range tt.future {
				put(fmt.Sprintf("%s-new-%05d", tt.name, i), now.Add(time.Hour))
			}
			if n := svc.SweepExpired(); n != tt.expired {
				t.Fatalf("swept %d, want %d", n, tt.expired)
			}
			if n := svc.SweepExpired(); n != 0 {
				t.Fatalf("second sweep deleted %d, want 0", n)
			}
		})
	}
	rows, err := svc.Scan("Notifications")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 15 {
		t.Fatalf("%d rows left, want the 15 unexpired", len(rows))
	}
}
