package cloud_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/calltaxi/call-taxi/localcloud/internal/cloud"
)

// The AWS CLI, the tool AWS users point at an emulator, drives every emulated service through the same
// endpoint the functions use: at least one call per service (Lambda, DynamoDB, DynamoDB Streams,
// EventBridge, SQS, SNS), and its answers have the shapes the AWS API references give.
func TestAWSCLIDrivesEveryEmulatedService(t *testing.T) {
	t.Parallel()
	awsCLI(t)
	c := startCloud(t, nil)
	customer := newUser(t, c, "customers")
	order := customer.do("POST", "/orders", orderBody("basic", goodCard))
	if order.Status != 201 {
		t.Fatalf("order: %d %s", order.Status, order.RawBody)
	}
	waitMypageStatus(t, customer, order.str("id"), "RESERVED")

	ordersTable := c.Template.Tables["OrdersTable"].Name
	queue := c.Template.Queues["ReservationEventsQueue"].Name
	bus := c.Template.Buses["CallTaxiBus"].Name
	payment := c.Template.Functions["PaymentFunction"].Name

	t.Run("lambda", func(t *testing.T) {
		list := awsJSON(t, c, "lambda", "list-functions")
		if !strings.Contains(mustJSON(t, list), payment) {
			t.Errorf("list-functions lacks %s: %v", payment, list)
		}
		fn := awsJSON(t, c, "lambda", "get-function", "--function-name", payment)
		cfg, _ := fn["Configuration"].(map[string]any)
		if cfg["Runtime"] != "provided.al2023" || cfg["Handler"] != "bootstrap" {
			t.Errorf("get-function Configuration = %v", cfg)
		}
	})
	t.Run("dynamodb", func(t *testing.T) {
		desc := awsJSON(t, c, "dynamodb", "describe-table", "--table-name", ordersTable)
		table, _ := desc["Table"].(map[string]any)
		if table["LatestStreamArn"] == nil || table["StreamSpecification"] == nil {
			t.Errorf("describe-table has no stream: %v", table)
		}
		scan := awsJSON(t, c, "dynamodb", "scan", "--table-name", ordersTable, "--select", "COUNT")
		if n, _ := scan["Count"].(float64); n < 1 {
			t.Errorf("scan count = %v", scan["Count"])
		}
	})
	t.Run("dynamodbstreams", func(t *testing.T) {
		streams := awsJSON(t, c, "dynamodbstreams", "list-streams", "--table-name", ordersTable)
		list, _ := streams["Streams"].([]any)
		if len(list) != 1 {
			t.Fatalf("list-streams = %v", streams)
		}
		arn := list[0].(map[string]any)["StreamArn"].(string)
		desc := awsJSON(t, c, "dynamodbstreams", "describe-stream", "--stream-arn", arn)
		shards, _ := desc["StreamDescription"].(map[string]any)["Shards"].([]any)
		if len(shards) == 0 {
			t.Fatalf("describe-stream has no shards: %v", desc)
		}
		shard := shards[0].(map[string]any)["ShardId"].(string)
		it := awsJSON(t, c, "dynamodbstreams", "get-shard-iterator", "--stream-arn", arn, "--shard-id", shard, "--shard-iterator-type", "TRIM_HORIZON")
		recs := awsJSON(t, c, "dynamodbstreams", "get-records", "--shard-iterator", it["ShardIterator"].(string))
		if records, _ := recs["Records"].([]any); len(records) == 0 || !strings.Contains(mustJSON(t, records), order.str("id")) {
			t.Errorf("get-records does not return the order's records: %v", recs)
		}
	})
	t.Run("eventbridge", func(t *testing.T) {
		buses := awsJSON(t, c, "events", "list-event-buses")
		if !strings.Contains(mustJSON(t, buses), bus) {
			t.Errorf("list-event-buses lacks %s: %v", bus, buses)
		}
		event := `{"id":"1","account":"000000000000","source":"calltaxi.payment","time":"2026-11-30T00:00:00Z","region":"us-east-1","resources":[],"detail-type":"PaymentApproved","detail":{}}`
		match := awsJSON(t, c, "events", "test-event-pattern", "--event", event, "--event-pattern", `{"source":["calltaxi.payment"]}`)
		if match["Result"] != true {
			t.Errorf("test-event-pattern = %v", match)
		}
		put := awsJSON(t, c, "events", "put-events", "--entries",
			`[{"EventBusName":"`+bus+`","Source":"cli.test","DetailType":"Nothing","Detail":"{}"}]`)
		if n, _ := put["FailedEntryCount"].(float64); n != 0 {
			t.Errorf("put-events = %v", put)
		}
	})
	t.Run("sqs", func(t *testing.T) {
		url := awsJSON(t, c, "sqs", "get-queue-url", "--queue-name", queue)["QueueUrl"].(string)
		attrs := awsJSON(t, c, "sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "All")
		a, _ := attrs["Attributes"].(map[string]any)
		if a["VisibilityTimeout"] != "120" || !strings.Contains(a["RedrivePolicy"].(string), `"maxReceiveCount":180`) {
			t.Errorf("get-queue-attributes = %v", a)
		}
		scratch := awsJSON(t, c, "sqs", "create-queue", "--queue-name", "cli-scratch")["QueueUrl"].(string)
		awsJSON(t, c, "sqs", "send-message", "--queue-url", scratch, "--message-body", "hello")
		got := awsJSON(t, c, "sqs", "receive-message", "--queue-url", scratch, "--wait-time-seconds", "1")
		msgs, _ := got["Messages"].([]any)
		if len(msgs) != 1 || msgs[0].(map[string]any)["Body"] != "hello" {
			t.Fatalf("receive-message = %v", got)
		}
		awsJSON(t, c, "sqs", "delete-message", "--queue-url", scratch, "--receipt-handle", msgs[0].(map[string]any)["ReceiptHandle"].(string))
	})
	t.Run("sns", func(t *testing.T) {
		pub := awsJSON(t, c, "sns", "publish", "--phone-number", "+821099990000", "--message", "from the CLI")
		if pub["MessageId"] == nil {
			t.Errorf("publish = %v", pub)
		}
		if sms := smsFor(t, c, "+821099990000"); len(sms) != 1 || sms[0] != "from the CLI" {
			t.Errorf("SMS outbox for the CLI's number = %q", sms)
		}
	})
}

// awsJSON runs one AWS CLI command against the local cloud's endpoint and decodes its JSON output.
func awsJSON(t *testing.T, c *cloud.Cloud, args ...string) map[string]any {
	t.Helper()
	cmd := exec.Command(awsCLI(t), append([]string{"--endpoint-url", c.ServicesURL, "--region", "us-east-1", "--output", "json"}, args...)...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_SESSION_TOKEN=local",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=")
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("aws %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr)
	}
	out = []byte(strings.TrimSpace(string(out)))
	if len(out) == 0 {
		return map[string]any{}
	}
	var v map[string]any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("aws %s: output is not a JSON object: %s", strings.Join(args, " "), out)
	}
	return v
}
