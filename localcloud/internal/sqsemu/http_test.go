package sqsemu

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
)

// newClient serves s over httptest and returns the real SDK client pointed at it.
func newClient(t *testing.T, s *Service) (*sqs.Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return sqs.New(sqs.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	}), srv
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// API Reference: CreateQueue (idempotent for the same attributes, QueueNameExists otherwise),
// GetQueueUrl, ListQueues, GetQueueAttributes.
func TestSDK_Queues_CreateGetListAttributes(t *testing.T) {
	s := newService(t, 1, "")
	c, srv := newClient(t, s)
	ctx := context.Background()
	host := strings.TrimPrefix(srv.URL, "http://")

	dlq, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders-dlq"),
		Attributes: map[string]string{"MessageRetentionPeriod": "1209600"}})
	if err != nil {
		t.Fatalf("CreateQueue: %v", err)
	}
	if want := "http://" + host + "/000000000000/orders-dlq"; aws.ToString(dlq.QueueUrl) != want {
		t.Errorf("QueueUrl = %s, want %s", aws.ToString(dlq.QueueUrl), want)
	}
	attrs := map[string]string{
		"VisibilityTimeout": "60",
		"RedrivePolicy":     `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:orders-dlq","maxReceiveCount":"3"}`,
	}
	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders"), Attributes: attrs})
	if err != nil {
		t.Fatalf("CreateQueue: %v", err)
	}
	tests := []struct {
		name     string
		in       *sqs.CreateQueueInput
		wantCode string
	}{
		{"same attributes", &sqs.CreateQueueInput{QueueName: aws.String("orders"), Attributes: attrs}, ""},
		{"no attributes", &sqs.CreateQueueInput{QueueName: aws.String("orders")}, ""},
		{"different attribute", &sqs.CreateQueueInput{QueueName: aws.String("orders"), Attributes: map[string]string{"VisibilityTimeout": "5"}}, "QueueAlreadyExists"},
		{"unknown attribute", &sqs.CreateQueueInput{QueueName: aws.String("x"), Attributes: map[string]string{"Color": "red"}}, "InvalidAttributeName"},
		{"missing dead-letter target", &sqs.CreateQueueInput{QueueName: aws.String("y"), Attributes: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:none","maxReceiveCount":1}`}}, "InvalidParameterValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.CreateQueue(ctx, tt.in)
			if apiCode(err) != tt.wantCode {
				t.Errorf("CreateQueue = %v, want code %q", err, tt.wantCode)
			}
		})
	}

	url, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("orders")})
	if err != nil || aws.ToString(url.QueueUrl) != aws.ToString(q.QueueUrl) {
		t.Errorf("GetQueueUrl = %v, %v", url, err)
	}
	list, err := c.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("orders")})
	if err != nil || len(list.QueueUrls) != 2 {
		t.Errorf("ListQueues = %+v, %v", list, err)
	}
	page, err := c.ListQueues(ctx, &sqs.ListQueuesInput{MaxResults: aws.Int32(1)})
	if err != nil || len(page.QueueUrls) != 1 || page.NextToken == nil {
		t.Fatalf("ListQueues page = %+v, %v", page, err)
	}
	page2, err := c.ListQueues(ctx, &sqs.ListQueuesInput{MaxResults: aws.Int32(1), NextToken: page.NextToken})
	if err != nil || len(page2.QueueUrls) != 1 || page2.QueueUrls[0] == page.QueueUrls[0] {
		t.Errorf("ListQueues page 2 = %+v, %v", page2, err)
	}

	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("a")}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
	if err != nil {
		t.Fatalf("GetQueueAttributes: %v", err)
	}
	for k, want := range map[string]string{
		"ApproximateNumberOfMessages":           "1",
		"ApproximateNumberOfMessagesNotVisible": "0",
		"ApproximateNumberOfMessagesDelayed":    "0",
		"QueueArn":                              "arn:aws:sqs:us-east-1:000000000000:orders",
		"VisibilityTimeout":                     "60",
		"MessageRetentionPeriod":                "345600",
		"RedrivePolicy":                         `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:orders-dlq","maxReceiveCount":3}`,
	} {
		if got.Attributes[k] != want {
			t.Errorf("%s = %q, want %q", k, got.Attributes[k], want)
		}
	}
	one, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	if err != nil || len(one.Attributes) != 1 {
		t.Errorf("GetQueueAttributes(QueueArn) = %v, %v", one.Attributes, err)
	}
}

// "Interpreting Amazon SQS JSON API responses": an error is HTTP 400 with
// {"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":...} and x-amzn-query-error:
// AWS.SimpleQueueService.NonExistentQueue;Sender; the SDK maps it to *types.QueueDoesNotExist.
func TestSDK_Errors_JSONAPIResponses(t *testing.T) {
	s := newService(t, 1, "")
	c, srv := newClient(t, s)
	ctx := context.Background()

	_, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("missing")})
	var qdne *types.QueueDoesNotExist
	if !errors.As(err, &qdne) || qdne.ErrorCode() != "AWS.SimpleQueueService.NonExistentQueue" {
		t.Errorf("GetQueueUrl(missing) = %v, want QueueDoesNotExist with the query code", err)
	}

	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"QueueName":"missing"}`))
	req.Header.Set("X-Amz-Target", "AmazonSQS.GetQueueUrl")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 400 || resp.Header.Get("x-amzn-query-error") != "AWS.SimpleQueueService.NonExistentQueue;Sender" ||
		body["__type"] != "com.amazonaws.sqs#QueueDoesNotExist" || body["message"] == "" {
		t.Errorf("raw error = %d %v %v", resp.StatusCode, resp.Header, body)
	}

	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q")})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		max  int32
		code string
	}{
		{"MaxNumberOfMessages 11", 11, "InvalidParameterValue"},
		{"MaxNumberOfMessages 10", 10, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: tt.max})
			if apiCode(err) != tt.code {
				t.Errorf("ReceiveMessage = %v, want code %q", err, tt.code)
			}
		})
	}
}

// API Reference: SendMessage, SendMessageBatch, ReceiveMessage (MessageSystemAttributeNames All,
// MessageAttributeNames All), DeleteMessage(Batch), ChangeMessageVisibility(Batch), PurgeQueue. The
// SDK validates MD5OfBody / MD5OfMessageBody itself.
func TestSDK_Messages_SendReceiveDelete(t *testing.T) {
	s := newService(t, 1, "")
	c, _ := newClient(t, s)
	ctx := context.Background()
	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q")})
	if err != nil {
		t.Fatal(err)
	}
	sent, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(`{"a":1}`),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"trace": {DataType: aws.String("String"), StringValue: aws.String("t-1")},
			"blob":  {DataType: aws.String("Binary"), BinaryValue: []byte{9, 8}},
		}})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	batch, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: q.QueueUrl, Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("b1"), MessageBody: aws.String("one")},
		{Id: aws.String("b2"), MessageBody: aws.String("two")},
		{Id: aws.String("bad"), MessageBody: aws.String("\x00")},
	}})
	if err != nil || len(batch.Successful) != 2 || len(batch.Failed) != 1 || aws.ToString(batch.Failed[0].Code) != "InvalidMessageContents" {
		t.Fatalf("SendMessageBatch = %+v, %v", batch, err)
	}
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: q.QueueUrl, Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("x"), MessageBody: aws.String("1")}, {Id: aws.String("x"), MessageBody: aws.String("2")},
	}})
	var distinct *types.BatchEntryIdsNotDistinct
	if !errors.As(err, &distinct) {
		t.Errorf("duplicate batch ids = %v, want BatchEntryIdsNotDistinct", err)
	}

	recv, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		MessageAttributeNames:       []string{"All"}})
	if err != nil || len(recv.Messages) != 3 {
		t.Fatalf("ReceiveMessage = %d messages, %v", len(recv.Messages), err)
	}
	first := recv.Messages[0]
	if aws.ToString(first.MessageId) != aws.ToString(sent.MessageId) ||
		aws.ToString(first.MD5OfMessageAttributes) != aws.ToString(sent.MD5OfMessageAttributes) ||
		aws.ToString(first.MessageAttributes["trace"].StringValue) != "t-1" ||
		string(first.MessageAttributes["blob"].BinaryValue) != "\x09\x08" ||
		first.Attributes["ApproximateReceiveCount"] != "1" || first.Attributes["SentTimestamp"] == "" ||
		first.Attributes["ApproximateFirstReceiveTimestamp"] == "" {
		t.Errorf("received %+v", first)
	}

	if _, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: q.QueueUrl,
		ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 0}); err != nil {
		t.Fatalf("ChangeMessageVisibility: %v", err)
	}
	cvb, err := c.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: q.QueueUrl,
		Entries: []types.ChangeMessageVisibilityBatchRequestEntry{
			{Id: aws.String("a"), ReceiptHandle: recv.Messages[1].ReceiptHandle, VisibilityTimeout: 120},
			{Id: aws.String("b"), ReceiptHandle: aws.String("garbage"), VisibilityTimeout: 1},
		}})
	if err != nil || len(cvb.Successful) != 1 || len(cvb.Failed) != 1 || aws.ToString(cvb.Failed[0].Code) != "ReceiptHandleIsInvalid" {
		t.Errorf("ChangeMessageVisibilityBatch = %+v, %v", cvb, err)
	}
	again, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10,
		AttributeNames: []types.QueueAttributeName{"ApproximateReceiveCount"}})
	if err != nil || len(again.Messages) != 1 || again.Messages[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("re-receive = %+v, %v", again, err)
	}
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: again.Messages[0].ReceiptHandle}); err != nil {
		t.Fatalf("DeleteMessage: %v", err)
	}
	dmb, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: q.QueueUrl, Entries: []types.DeleteMessageBatchRequestEntry{
		{Id: aws.String("1"), ReceiptHandle: recv.Messages[1].ReceiptHandle},
		{Id: aws.String("2"), ReceiptHandle: recv.Messages[2].ReceiptHandle},
	}})
	if err != nil || len(dmb.Successful) != 2 {
		t.Fatalf("DeleteMessageBatch = %+v, %v", dmb, err)
	}
	if v, nv, d := s.Counts("q"); v+nv+d != 0 {
		t.Errorf("queue not empty: %d/%d/%d", v, nv, d)
	}
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("p")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: q.QueueUrl}); err != nil {
		t.Fatalf("PurgeQueue: %v", err)
	}
	_, err = c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: q.QueueUrl})
	var inProgress *types.PurgeQueueInProgress
	if !errors.As(err, &inProgress) {
		t.Errorf("second PurgeQueue = %v, want PurgeQueueInProgress", err)
	}
}

// API Reference, StartMessageMoveTask / ListMessageMoveTasks: without DestinationArn messages go
// back to their original source queues; the source must be a dead-letter queue.
func TestSDK_MessageMoveTask_StartAndList(t *testing.T) {
	s := newService(t, 1, "")
	c, _ := newClient(t, s)
	ctx := context.Background()
	dlq, _ := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("dlq")})
	src, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("src"), Attributes: map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":1}`}})
	if err != nil {
		t.Fatal(err)
	}
	other, _ := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("other")})
	for _, body := range []string{"m1", "m2"} {
		if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: src.QueueUrl, MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	// Receive both once, make them visible, and receive again: both exceed maxReceiveCount 1.
	r, _ := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: src.QueueUrl, MaxNumberOfMessages: 10})
	for _, m := range r.Messages {
		_, _ = c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: src.QueueUrl, ReceiptHandle: m.ReceiptHandle})
	}
	if r, _ := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: src.QueueUrl, MaxNumberOfMessages: 10}); len(r.Messages) != 0 {
		t.Fatalf("messages not dead-lettered: %+v", r.Messages)
	}
	if v, _, _ := s.Counts("dlq"); v != 2 {
		t.Fatalf("dlq holds %d messages, want 2", v)
	}

	_, err = c.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(s.ARN("other"))})
	if apiCode(err) != "InvalidParameterValue" {
		t.Errorf("move from a non-DLQ = %v, want InvalidParameterValue", err)
	}
	_ = other
	start, err := c.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(s.ARN("dlq")), MaxNumberOfMessagesPerSecond: aws.Int32(500)})
	if err != nil || aws.ToString(start.TaskHandle) == "" {
		t.Fatalf("StartMessageMoveTask = %+v, %v", start, err)
	}
	eventually(t, 5*time.Second, "the move task to complete", func() bool {
		l, err := c.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(s.ARN("dlq"))})
		return err == nil && len(l.Results) == 1 && aws.ToString(l.Results[0].Status) == "COMPLETED"
	})
	l, _ := c.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(s.ARN("dlq")), MaxResults: aws.Int32(10)})
	res := l.Results[0]
	if res.ApproximateNumberOfMessagesMoved != 2 || aws.ToInt64(res.ApproximateNumberOfMessagesToMove) != 2 ||
		aws.ToString(res.SourceArn) != s.ARN("dlq") || res.StartedTimestamp == 0 {
		t.Errorf("task = %+v", res)
	}
	back, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: src.QueueUrl, MaxNumberOfMessages: 10})
	if err != nil || len(back.Messages) != 2 {
		t.Errorf("source after redrive = %+v, %v", back, err)
	}
	if v, nv, _ := s.Counts(aws.ToString(dlq.QueueUrl)); v+nv != 0 {
		t.Errorf("dlq still holds %d messages", v+nv)
	}
}
