package ddbemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/aws/smithy-go/logging"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// warningRecorder collects the SDK's log output; this SDK version reports a
// CRC32 mismatch as a warning when it closes the response body.
type warningRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (w *warningRecorder) Logf(_ logging.Classification, format string, v ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lines = append(w.lines, fmt.Sprintf(format, v...))
}

func (w *warningRecorder) text() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.lines, "\n")
}

func TestSDKChecksumValidation(t *testing.T) {
	ctx := context.Background()
	body, _ := createTableRequest(ordersSpec("Orders", ""))
	var in dynamodb.CreateTableInput
	if err := json.Unmarshal(body, &in); err != nil {
		t.Fatal(err)
	}

	// Control: the same service without X-Amz-Crc32, so the SDK flags a checksum mismatch.
	bareSvc, _ := startService(t, Options{})
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		bareSvc.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			if k != "X-Amz-Crc32" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}))
	defer bare.Close()
	bareLog := &warningRecorder{}
	if _, err := sdkClient(bare.URL, withLogger(bareLog)).CreateTable(ctx, &in); err != nil && !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("CreateTable without checksums: %v", err)
	}
	if !strings.Contains(bareLog.text(), "checksum") {
		t.Fatalf("expected a checksum complaint without X-Amz-Crc32, log: %q", bareLog.text())
	}

	svc, _ := startService(t, Options{})
	srv := httptest.NewServer(svc)
	defer srv.Close()
	log := &warningRecorder{}
	client := sdkClient(srv.URL, withLogger(log))
	if _, err := client.CreateTable(ctx, &in); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String("Orders"),
		Item:      map[string]types.AttributeValue{"id": str("o1"), "fare": num("3800")},
	}); err != nil {
		t.Fatalf("PutItem: %v", err)
	}
	out, err := client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String("Orders"), Key: map[string]types.AttributeValue{"id": str("o1")},
	})
	if err != nil {
		t.Fatalf("GetItem: %v", err)
	}
	if got := out.Item["fare"].(*types.AttributeValueMemberN).Value; got != "3800" {
		t.Fatalf("fare = %s", got)
	}
	if strings.Contains(log.text(), "checksum") {
		t.Fatalf("SDK complained about checksums: %s", log.text())
	}
}

func TestEveryResponseHasMatchingCRC32(t *testing.T) {
	svc, _ := startService(t, Options{}, ordersSpec("Orders", ""))
	cases := []struct{ op, body string }{
		{"PutItem", `{"TableName":"Orders","Item":{"id":{"S":"a"}}}`},
		{"GetItem", `{"TableName":"Orders","Key":{"id":{"S":"a"}}}`},
		{"GetItem", `{"TableName":"Missing","Key":{"id":{"S":"a"}}}`},
		{"ListTables", `{}`},
		{"DescribeLimits", `{}`},
		{"PutItem", `not json`},
	}
	for _, c := range cases {
		t.Run(c.op, func(t *testing.T) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(c.body))
			req.Header.Set("X-Amz-Target", targetPrefix+c.op)
			svc.ServeHTTP(rec, req)
			want := strconv.FormatUint(uint64(crc32.ChecksumIEEE(rec.Body.Bytes())), 10)
			if got := rec.Header().Get("X-Amz-Crc32"); got != want {
				t.Fatalf("X-Amz-Crc32 = %q, want %q (body %s)", got, want, rec.Body.String())
			}
		})
	}
}

func TestUnsupportedOperationIsAnErrorNotAHang(t *testing.T) {
	svc, _ := startService(t, Options{})
	srv := httptest.NewServer(svc)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{}`))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.CreateBackup")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var e struct {
		Type string `json:"__type"`
	}
	_ = json.Unmarshal(body, &e)
	if resp.StatusCode != http.StatusBadRequest || !strings.HasSuffix(e.Type, "#UnknownOperationException") {
		t.Fatalf("status %d body %s", resp.StatusCode, body)
	}
}

func TestTableMetadataOps(t *testing.T) {
	ctx := context.Background()
	idem := TableSpec{Name: "Idem", KeySchema: []KeyElement{{AttributeName: "key", KeyType: "HASH"}},
		AttributeDefinitions: []AttributeDefinition{{AttributeName: "key", AttributeType: "S"}}, TTLAttribute: "expiresAt"}
	svc, client := startService(t, Options{}, ordersSpec("Orders", "NEW_AND_OLD_IMAGES"), idem)

	list, err := client.ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatalf("ListTables: %v", err)
	}
	if strings.Join(list.TableNames, ",") != "Idem,Orders" {
		t.Fatalf("tables = %v", list.TableNames)
	}
	page, err := client.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)})
	if err != nil || len(page.TableNames) != 1 || aws.ToString(page.LastEvaluatedTableName) != "Idem" {
		t.Fatalf("ListTables page: %v %v", page, err)
	}

	desc, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("Orders")})
	if err != nil {
		t.Fatalf("DescribeTable: %v", err)
	}
	tbl := desc.Table
	if tbl.TableStatus != types.TableStatusActive || tbl.StreamSpecification == nil ||
		tbl.StreamSpecification.StreamViewType != types.StreamViewTypeNewAndOldImages ||
		aws.ToString(tbl.LatestStreamArn) != svc.StreamARN("Orders") || svc.StreamARN("Orders") == "" {
		t.Fatalf("unexpected description: %+v", tbl)
	}
	if len(tbl.GlobalSecondaryIndexes) != 1 || tbl.GlobalSecondaryIndexes[0].IndexStatus != types.IndexStatusActive {
		t.Fatalf("GSIs: %+v", tbl.GlobalSecondaryIndexes)
	}
	if noStream, _ := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("Idem")}); noStream.Table.StreamSpecification != nil {
		t.Fatal("Idem has no stream but reports one")
	}

	ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("Idem")})
	if err != nil {
		t.Fatalf("DescribeTimeToLive: %v", err)
	}
	if ttl.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled ||
		aws.ToString(ttl.TimeToLiveDescription.AttributeName) != "expiresAt" {
		t.Fatalf("ttl: %+v", ttl.TimeToLiveDescription)
	}
	if _, err := client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String("Orders"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("gone"), Enabled: aws.Bool(true)},
	}); err != nil {
		t.Fatalf("UpdateTimeToLive: %v", err)
	}
	ttl, _ = client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("Orders")})
	if aws.ToString(ttl.TimeToLiveDescription.AttributeName) != "gone" {
		t.Fatalf("ttl after update: %+v", ttl.TimeToLiveDescription)
	}

	_, err = client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("Missing")})
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Fatalf("DescribeTable(Missing) err = %v", err)
	}
	_, err = client.DescribeLimits(ctx, &dynamodb.DescribeLimitsInput{})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "UnknownOperationException" {
		t.Fatalf("DescribeLimits err = %v", err)
	}
}

func TestGSIQueryable(t *testing.T) {
	ctx := context.Background()
	_, client := startService(t, Options{}, ordersSpec("Orders", "NEW_IMAGE"))
	for _, it := range []struct{ id, customer, at string }{
		{"o1", "c1", "2024-01-01T00:00:01.000Z"},
		{"o2", "c2", "2024-01-01T00:00:02.000Z"},
		{"o3", "c1", "2024-01-01T00:00:03.000Z"},
	} {
		if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Orders"), Item: map[string]types.AttributeValue{
			"id": str(it.id), "customerId": str(it.customer), "createdAt": str(it.at),
		}}); err != nil {
			t.Fatalf("PutItem: %v", err)
		}
	}
	out, err := client.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String("Orders"),
		IndexName:                 aws.String("customerId-createdAt-index"),
		KeyConditionExpression:    aws.String("customerId = :c"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": str("c1")},
		ScanIndexForward:          aws.Bool(false),
	})
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	var ids []string
	for _, it := range out.Items {
		ids = append(ids, it["id"].(*types.AttributeValueMemberS).Value)
	}
	if strings.Join(ids, ",") != "o3,o1" {
		t.Fatalf("ids = %v", ids)
	}
}
