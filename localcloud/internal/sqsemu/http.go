package sqsemu

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The AWS JSON 1.0 protocol as SQS serves it ("Interpreting Amazon SQS JSON API responses", "Making
// query API requests using AWS JSON protocol in Amazon SQS"): POST with X-Amz-Target:
// AmazonSQS.<Operation> and Content-Type application/x-amz-json-1.0; errors are HTTP 400 with
// {"__type":"com.amazonaws.sqs#<Shape>","message":...} and the header x-amzn-query-error: <Code>;Sender.

const jsonContentType = "application/x-amz-json-1.0"

// ServeHTTP serves the SQS JSON protocol. Queue URLs it returns use the request's Host.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.")
	if r.Method != http.MethodPost || !ok {
		writeError(w, errUnsupported("only the AWS JSON protocol (POST with X-Amz-Target: AmazonSQS.<Operation>) is served"))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8*MaxMessageSize))
	if err != nil {
		writeError(w, newErr("InvalidRequest", "InvalidRequest", "read request: %v", err))
		return
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	h, ok := handlers[op]
	if !ok {
		writeError(w, errUnknownOperation(op))
		return
	}
	out, err := h(s, r.Context(), r.Host, body)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			e = &Error{Type: "InternalError", Code: "InternalError", Message: err.Error(), Status: http.StatusInternalServerError}
			s.log.Error("request failed", "operation", op, "error", err.Error())
		}
		writeError(w, e)
		return
	}
	if out == nil {
		out = struct{}{}
	}
	payload, err := json.Marshal(out)
	if err != nil {
		writeError(w, &Error{Type: "InternalError", Code: "InternalError", Message: err.Error(), Status: http.StatusInternalServerError})
		return
	}
	w.Header().Set("Content-Type", jsonContentType)
	w.Header().Set("x-amzn-RequestId", newUUID())
	_, _ = w.Write(payload)
}

func writeError(w http.ResponseWriter, e *Error) {
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	fault := "Sender"
	if status >= 500 {
		fault = "Receiver"
	}
	w.Header().Set("Content-Type", jsonContentType)
	w.Header().Set("x-amzn-RequestId", newUUID())
	w.Header().Set("x-amzn-query-error", e.Code+";"+fault)
	w.WriteHeader(status)
	payload, _ := json.Marshal(map[string]string{"__type": "com.amazonaws.sqs#" + e.Type, "message": e.Message})
	_, _ = w.Write(payload)
}

type handler func(s *Service, ctx context.Context, host string, body []byte) (any, error)

var handlers = map[string]handler{
	"CreateQueue":                  (*Service).apiCreateQueue,
	"GetQueueUrl":                  (*Service).apiGetQueueURL,
	"ListQueues":                   (*Service).apiListQueues,
	"DeleteQueue":                  (*Service).apiDeleteQueue,
	"GetQueueAttributes":           (*Service).apiGetQueueAttributes,
	"SetQueueAttributes":           (*Service).apiSetQueueAttributes,
	"SendMessage":                  (*Service).apiSendMessage,
	"SendMessageBatch":             (*Service).apiSendMessageBatch,
	"ReceiveMessage":               (*Service).apiReceiveMessage,
	"DeleteMessage":                (*Service).apiDeleteMessage,
	"DeleteMessageBatch":           (*Service).apiDeleteMessageBatch,
	"ChangeMessageVisibility":      (*Service).apiChangeMessageVisibility,
	"ChangeMessageVisibilityBatch": (*Service).apiChangeMessageVisibilityBatch,
	"PurgeQueue":                   (*Service).apiPurgeQueue,
	"StartMessageMoveTask":         (*Service).apiStartMessageMoveTask,
	"ListMessageMoveTasks":         (*Service).apiListMessageMoveTasks,
}

func decode(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return newErr("SerializationException", "InvalidRequest", "malformed JSON request: %v", err)
	}
	return nil
}

func requireQueueURL(u string) error {
	if u == "" {
		return errMissingParameter("QueueUrl")
	}
	return nil
}

// --- queues ---

func (s *Service) apiCreateQueue(_ context.Context, host string, body []byte) (any, error) {
	var in struct {
		QueueName  string
		Attributes map[string]string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.QueueName == "" {
		return nil, errMissingParameter("QueueName")
	}
	cfg, err := s.applyAttributes(defaultConfig(), in.Attributes)
	if err != nil {
		return nil, err
	}
	if err := validateConfig(in.QueueName, cfg); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cfg.DeadLetterTarget != "" {
		if _, ok := s.queues[cfg.DeadLetterTarget]; !ok {
			return nil, errInvalidParameter("RedrivePolicy", in.Attributes["RedrivePolicy"], "Dead letter target does not exist.")
		}
	}
	if q, ok := s.queues[in.QueueName]; ok {
		// "CreateQueue": the same name with the same attribute values returns the existing queue's URL;
		// a different value for a given attribute is QueueNameExists.
		given, _ := s.applyAttributes(q.cfg, in.Attributes)
		if given != q.cfg {
			return nil, errQueueExists(in.QueueName)
		}
		return map[string]string{"QueueUrl": s.URL(host, q.name)}, nil
	}
	if _, err := s.createLocked(in.QueueName, cfg); err != nil {
		return nil, err
	}
	return map[string]string{"QueueUrl": s.URL(host, in.QueueName)}, nil
}

// applyAttributes sets the settable queue attributes (CreateQueue / SetQueueAttributes) on cfg.
func (s *Service) applyAttributes(cfg queueConfig, attrs map[string]string) (queueConfig, error) {
	seconds := func(name, v string) (time.Duration, error) {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, errInvalidAttributeValue(name)
		}
		return time.Duration(n) * time.Second, nil
	}
	var err error
	for name, v := range attrs {
		switch name {
		case "VisibilityTimeout":
			cfg.VisibilityTimeout, err = seconds(name, v)
		case "MessageRetentionPeriod":
			cfg.MessageRetentionPeriod, err = seconds(name, v)
		case "DelaySeconds":
			cfg.DelaySeconds, err = seconds(name, v)
		case "ReceiveMessageWaitTimeSeconds":
			cfg.ReceiveMessageWaitTime, err = seconds(name, v)
		case "MaximumMessageSize":
			cfg.MaximumMessageSize, err = strconv.Atoi(v)
			if err != nil {
				err = errInvalidAttributeValue(name)
			}
		case "RedrivePolicy":
			if v == "" {
				cfg.DeadLetterTarget, cfg.MaxReceiveCount = "", 0
				continue
			}
			var rp struct {
				DeadLetterTargetArn string          `json:"deadLetterTargetArn"`
				MaxReceiveCount     json.RawMessage `json:"maxReceiveCount"`
			}
			if json.Unmarshal([]byte(v), &rp) != nil || rp.DeadLetterTargetArn == "" {
				return cfg, errInvalidAttributeValue(name)
			}
			n, convErr := strconv.Atoi(strings.Trim(string(rp.MaxReceiveCount), `"`))
			if convErr != nil {
				return cfg, errInvalidAttributeValue(name)
			}
			cfg.DeadLetterTarget, cfg.MaxReceiveCount = QueueName(rp.DeadLetterTargetArn), n
		case "FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit":
			if v == "true" || name != "FifoQueue" {
				return cfg, errUnsupported("FIFO queues are not emulated")
			}
		case "Policy", "RedriveAllowPolicy", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled":
			// Accepted and ignored: the local cloud has no IAM or KMS.
		default:
			return cfg, errInvalidAttributeName(name)
		}
		if err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

func (s *Service) apiGetQueueURL(_ context.Context, host string, body []byte) (any, error) {
	var in struct{ QueueName string }
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueName)
	if err != nil {
		return nil, err
	}
	return map[string]string{"QueueUrl": s.URL(host, q.name)}, nil
}

func (s *Service) apiListQueues(_ context.Context, host string, body []byte) (any, error) {
	var in struct {
		QueueNamePrefix string
		MaxResults      int
		NextToken       string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.MaxResults < 0 || in.MaxResults > 1000 {
		return nil, errInvalidParameter("MaxResults", strconv.Itoa(in.MaxResults), "must be between 1 and 1000")
	}
	var urls []string
	after := ""
	if in.NextToken != "" {
		raw, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		if err != nil {
			return nil, errInvalidParameter("NextToken", in.NextToken, "Invalid NextToken value.")
		}
		after = string(raw)
	}
	next := ""
	for _, name := range s.QueueNames() {
		if !strings.HasPrefix(name, in.QueueNamePrefix) || name <= after && after != "" {
			continue
		}
		if in.MaxResults > 0 && len(urls) == in.MaxResults {
			next = base64.RawURLEncoding.EncodeToString([]byte(urls[len(urls)-1][strings.LastIndex(urls[len(urls)-1], "/")+1:]))
			break
		}
		urls = append(urls, s.URL(host, name))
	}
	out := map[string]any{}
	if len(urls) > 0 {
		out["QueueUrls"] = urls
	}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

func (s *Service) apiDeleteQueue(_ context.Context, _ string, body []byte) (any, error) {
	var in struct{ QueueUrl string }
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := requireQueueURL(in.QueueUrl); err != nil {
		return nil, err
	}
	return nil, s.DeleteQueue(in.QueueUrl)
}

var queueAttributeNames = []string{
	"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed",
	"CreatedTimestamp", "DelaySeconds", "LastModifiedTimestamp", "MaximumMessageSize", "MessageRetentionPeriod",
	"QueueArn", "ReceiveMessageWaitTimeSeconds", "RedrivePolicy", "VisibilityTimeout", "SqsManagedSseEnabled",
}

func (s *Service) apiGetQueueAttributes(_ context.Context, _ string, body []byte) (any, error) {
	var in struct {
		QueueUrl       string
		AttributeNames []string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := requireQueueURL(in.QueueUrl); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	visible, notVisible, delayed := s.countsLocked(q)
	secs := func(d time.Duration) string { return strconv.Itoa(int(d / time.Second)) }
	all := map[string]string{
		"ApproximateNumberOfMessages":           strconv.Itoa(visible),
		"ApproximateNumberOfMessagesNotVisible": strconv.Itoa(notVisible),
		"ApproximateNumberOfMessagesDelayed":    strconv.Itoa(delayed),
		"CreatedTimestamp":                      strconv.FormatInt(q.created.Unix(), 10),
		"LastModifiedTimestamp":                 strconv.FormatInt(q.lastModified.Unix(), 10),
		"DelaySeconds":                          secs(q.cfg.DelaySeconds),
		"MaximumMessageSize":                    strconv.Itoa(q.cfg.MaximumMessageSize),
		"MessageRetentionPeriod":                secs(q.cfg.MessageRetentionPeriod),
		"QueueArn":                              s.ARN(q.name),
		"ReceiveMessageWaitTimeSeconds":         secs(q.cfg.ReceiveMessageWaitTime),
		"VisibilityTimeout":                     secs(q.cfg.VisibilityTimeout),
		"SqsManagedSseEnabled":                  "false",
	}
	if q.cfg.DeadLetterTarget != "" {
		rp, _ := json.Marshal(map[string]any{"deadLetterTargetArn": s.ARN(q.cfg.DeadLetterTarget), "maxReceiveCount": q.cfg.MaxReceiveCount})
		all["RedrivePolicy"] = string(rp)
	}
	out := map[string]string{}
	for _, name := range in.AttributeNames {
		if name == "All" {
			out = all
			break
		}
		if !slices.Contains(queueAttributeNames, name) && !isIgnoredQueueAttribute(name) {
			return nil, errInvalidAttributeName(name)
		}
		if v, ok := all[name]; ok {
			out[name] = v
		}
	}
	if len(out) == 0 {
		return struct{}{}, nil
	}
	return map[string]any{"Attributes": out}, nil
}

func isIgnoredQueueAttribute(name string) bool {
	switch name {
	case "Policy", "RedriveAllowPolicy", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit":
		return true
	}
	return false
}

func (s *Service) apiSetQueueAttributes(_ context.Context, _ string, body []byte) (any, error) {
	var in struct {
		QueueUrl   string
		Attributes map[string]string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := requireQueueURL(in.QueueUrl); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	cfg, err := s.applyAttributes(q.cfg, in.Attributes)
	if err != nil {
		return nil, err
	}
	if err := validateConfig(q.name, cfg); err != nil {
		return nil, err
	}
	if cfg.DeadLetterTarget != "" {
		if _, ok := s.queues[cfg.DeadLetterTarget]; !ok {
			return nil, errInvalidParameter("RedrivePolicy", in.Attributes["RedrivePolicy"], "Dead letter target does not exist.")
		}
	}
	if cfg != q.cfg {
		q.cfg = cfg
		q.lastModified = s.now()
		s.appendRecord(q, record{T: recConfig, Cfg: &cfg, Created: q.created.UnixMilli()})
	}
	return nil, nil
}

func (s *Service) apiPurgeQueue(_ context.Context, _ string, body []byte) (any, error) {
	var in struct{ QueueUrl string }
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := requireQueueURL(in.QueueUrl); err != nil {
		return nil, err
	}
	return nil, s.Purge(in.QueueUrl)
}

// --- messages ---

type wireAttr struct {
	DataType    string
	StringValue *string `json:",omitempty"`
	BinaryValue []byte  `json:",omitempty"`
}

func fromWire(in map[string]wireAttr) map[string]MessageAttribute {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]MessageAttribute, len(in))
	for k, v := range in {
		a := MessageAttribute{DataType: v.DataType, BinaryValue: v.BinaryValue}
		if v.StringValue != nil {
			a.StringValue = *v.StringValue
		}
		out[k] = a
	}
	return out
}

func toWire(in map[string]MessageAttribute) map[string]wireAttr {
	out := make(map[string]wireAttr, len(in))
	for k, v := range in {
		w := wireAttr{DataType: v.DataType, BinaryValue: v.BinaryValue}
		if v.BinaryValue == nil {
			sv := v.StringValue
			w.StringValue = &sv
		}
		out[k] = w
	}
	return out
}

type sendEntry struct {
	Id                string
	MessageBody       string
	DelaySeconds      *int
	MessageAttributes map[string]wireAttr
}

type sendResult struct {
	Id                     string `json:",omitempty"`
	MessageId              string
	MD5OfMessageBody       string
	MD5OfMessageAttributes string `json:",omitempty"`
}

func (s *Service) sendEntry(queueURL string, e sendEntry) (sendResult, error) {
	delay := time.Duration(-1)
	if e.DelaySeconds != nil {
		if *e.DelaySeconds < 0 || *e.DelaySeconds > int(MaxDelay/time.Second) {
			return sendResult{}, errInvalidParameter("DelaySeconds", strconv.Itoa(*e.DelaySeconds), "must be between 0 and 900")
		}
		delay = time.Duration(*e.DelaySeconds) * time.Second
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(queueURL)
	if err != nil {
		return sendResult{}, err
	}
	m, err := s.sendLocked(q, e.MessageBody, fromWire(e.MessageAttributes), delay)
	if err != nil {
		return sendResult{}, err
	}
	return sendResult{Id: e.Id, MessageId: m.id, MD5OfMessageBody: m.md5Body, MD5OfMessageAttributes: m.md5Attrs}, nil
}

func (s *Service) apiSendMessage(_ context.Context, _ string, body []byte) (any, error) {
	var in struct {
		QueueUrl string
		sendEntry
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := requireQueueURL(in.QueueUrl); err != nil {
		return nil, err
	}
	return s.sendEntry(in.QueueUrl, in.sendEntry)
}

var batchIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// checkBatch applies the batch rules shared by the *Batch actions ("Amazon SQS batch actions").
func checkBatch(ids []string) error {
	if len(ids) == 0 {
		return errEmptyBatch()
	}
	if len(ids) > MaxBatchEntries {
		return errTooManyEntries(len(ids))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if !batchIDPattern.MatchString(id) {
			return errInvalidBatchID(id)
		}
		if seen[id] {
			return errDistinctIDs()
		}
		seen[id] = true
	}
	return nil
}

type batchError struct {
	Id          string
	SenderFault bool
	Code        string
	Message     string
}

func toBatchError(id string, err error) batchError {
	var e *Error
	if !errors.As(err, &e) {
		return batchError{Id: id, Code: "InternalError", Message: err.Error()}
	}
	return batchError{Id: id, SenderFault: e.Status < 500, Code: e.Code, Message: e.Message}
}

func (s *Service) apiSendMessageBatch(_ context.Context, _ string, body []byte) (any, error) {
	var in struct {
		QueueUrl string
		Entries  []sendEntry
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := requireQueueURL(in.QueueUrl); err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	total := 0
	for i, e := range in.Entries {
		ids[i] = e.Id
		total += messageSize(e.MessageBody, fromWire(e.MessageAttributes))
	}
	if err := checkBatch(ids); err != nil {
		return nil, err
	}
	if total > MaxMessageSize {
		return nil, errBatchTooLong(total)
	}
	s.mu.Lock()
	_, err := s.lookup(in.QueueUrl)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	ok, failed := []sendResult{}, []batchError{}
	for _, e := range in.Entries {
		res, err := s.sendEntry(in.QueueUrl, e)
		if err != nil {
			failed = append(failed, toBatchError(e.Id, err))
			continue
		}
		ok = append(ok, res)
	}
	return map[string]any{"Successful": ok, "Failed": failed}, nil
}

type wireMessage struct {
	MessageId              string
	ReceiptHandle          string
	MD5OfBody              string
	Body                   string
	Attributes             map[string]string   `json:",omitempty"`
	MD5OfMessageAttributes string              `json:",omitempty"`
	MessageAttributes      map[string]wireAttr `json:",omitempty"`
}

func (s *Service) apiReceiveMessage(ctx context.Context, _ string, body []byte) (any, error) {
	var in struct {
		QueueUrl                    string
		AttributeNames              []string
		MessageSystemAttributeNames []string
		MessageAttributeNames       []string
		MaxNumberOfMessages         *int
		VisibilityTimeout           *int
		WaitTimeSeconds             *int
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := requireQueueURL(in.QueueUrl); err != nil {
		return nil, err
	}
	max := 1
	if in.MaxNumberOfMessages != nil {
		max = *in.MaxNumberOfMessages
	}
	visibility := time.Duration(-1)
	if in.VisibilityTimeout != nil {
		if *in.VisibilityTimeout < 0 {
			return nil, errInvalidParameter("VisibilityTimeout", strconv.Itoa(*in.VisibilityTimeout), "Must be between 0 and 43200, if provided.")
		}
		visibility = time.Duration(*in.VisibilityTimeout) * time.Second
	}
	wait := time.Duration(-1)
	if in.WaitTimeSeconds != nil {
		if *in.WaitTimeSeconds < 0 {
			return nil, errInvalidParameter("WaitTimeSeconds", strconv.Itoa(*in.WaitTimeSeconds), "Must be >= 0 and <= 20, if provided.")
		}
		wait = time.Duration(*in.WaitTimeSeconds) * time.Second
	}
	msgs, err := s.receive(ctx, in.QueueUrl, max, visibility, wait)
	if err != nil {
		if ctx.Err() != nil {
			return struct{}{}, nil
		}
		return nil, err
	}
	sysNames := append(append([]string(nil), in.AttributeNames...), in.MessageSystemAttributeNames...)
	out := make([]wireMessage, 0, len(msgs))
	for _, m := range msgs {
		wm := wireMessage{MessageId: m.MessageID, ReceiptHandle: m.ReceiptHandle, MD5OfBody: m.MD5OfBody, Body: m.Body}
		if attrs := pick(m.Attributes, sysNames); len(attrs) > 0 {
			wm.Attributes = attrs
		}
		if attrs := pickMessageAttributes(m.MessageAttributes, in.MessageAttributeNames); len(attrs) > 0 {
			wm.MessageAttributes = toWire(attrs)
			wm.MD5OfMessageAttributes = md5OfAttributes(attrs)
		}
		out = append(out, wm)
	}
	if len(out) == 0 {
		return struct{}{}, nil
	}
	return map[string]any{"Messages": out}, nil
}

// pick keeps the system attributes named (All = every one).
func pick(attrs map[string]string, names []string) map[string]string {
	out := map[string]string{}
	for _, n := range names {
		if n == "All" {
			return attrs
		}
		if v, ok := attrs[n]; ok {
			out[n] = v
		}
	}
	return out
}

// pickMessageAttributes keeps the message attributes named: All or .* for every one, a "prefix.*"
// for those starting with prefix ("ReceiveMessage", MessageAttributeNames).
func pickMessageAttributes(attrs map[string]MessageAttribute, names []string) map[string]MessageAttribute {
	out := map[string]MessageAttribute{}
	for _, n := range names {
		for k, v := range attrs {
			switch {
			case n == "All" || n == ".*":
				out[k] = v
			case strings.HasSuffix(n, ".*") && strings.HasPrefix(k, strings.TrimSuffix(n, "*")):
				out[k] = v
			case n == k:
				out[k] = v
			}
		}
	}
	return out
}

func (s *Service) apiDeleteMessage(_ context.Context, _ string, body []byte) (any, error) {
	var in struct{ QueueUrl, ReceiptHandle string }
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := requireQueueURL(in.QueueUrl); err != nil {
		return nil, err
	}
	if in.ReceiptHandle == "" {
		return nil, errMissingParameter("ReceiptHandle")
	}
	return nil, s.Delete(in.QueueUrl, in.ReceiptHandle)
}

func (s *Service) apiDeleteMessageBatch(_ context.Context, _ string, body []byte) (any, error) {
	var in struct {
		QueueUrl string
		Entries  []struct{ Id, ReceiptHandle string }
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := requireQueueURL(in.QueueUrl); err != nil {
		return nil, err
	}
	return s.runBatch(in.QueueUrl, len(in.Entries), func(i int) string { return in.Entries[i].Id }, func(q *queue, i int) error {
		return s.deleteLocked(q, in.Entries[i].ReceiptHandle)
	})
}

func (s *Service) apiChangeMessageVisibility(_ context.Context, _ string, body []byte) (any, error) {
	var in struct {
		QueueUrl, ReceiptHandle string
		VisibilityTimeout       *int
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := requireQueueURL(in.QueueUrl); err != nil {
		return nil, err
	}
	if in.VisibilityTimeout == nil {
		return nil, errMissingParameter("VisibilityTimeout")
	}
	return nil, s.ChangeVisibility(in.QueueUrl, in.ReceiptHandle, time.Duration(*in.VisibilityTimeout)*time.Second)
}

func (s *Service) apiChangeMessageVisibilityBatch(_ context.Context, _ string, body []byte) (any, error) {
	var in struct {
		QueueUrl string
		Entries  []struct {
			Id, ReceiptHandle string
			VisibilityTimeout int
		}
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := requireQueueURL(in.QueueUrl); err != nil {
		return nil, err
	}
	return s.runBatch(in.QueueUrl, len(in.Entries), func(i int) string { return in.Entries[i].Id }, func(q *queue, i int) error {
		return s.changeVisibilityLocked(q, in.Entries[i].ReceiptHandle, time.Duration(in.Entries[i].VisibilityTimeout)*time.Second)
	})
}

// runBatch checks a batch's entry ids, then applies each of the n entries to the queue under the lock and
// answers AWS's {Successful, Failed} lists: one entry failing does not fail the others.
func (s *Service) runBatch(queueURL string, n int, id func(int) string, apply func(*queue, int) error) (any, error) {
	ids := make([]string, n)
	for i := range n {
		ids[i] = id(i)
	}
	if err := checkBatch(ids); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(queueURL)
	if err != nil {
		return nil, err
	}
	ok, failed := []map[string]string{}, []batchError{}
	for i := range n {
		if err := apply(q, i); err != nil {
			failed = append(failed, toBatchError(ids[i], err))
			continue
		}
		ok = append(ok, map[string]string{"Id": ids[i]})
	}
	return map[string]any{"Successful": ok, "Failed": failed}, nil
}

// --- dead-letter queue redrive ---

func (s *Service) apiStartMessageMoveTask(_ context.Context, _ string, body []byte) (any, error) {
	var in struct {
		SourceArn, DestinationArn    string
		MaxNumberOfMessagesPerSecond *int
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.SourceArn == "" {
		return nil, errMissingParameter("SourceArn")
	}
	rate := 0
	if in.MaxNumberOfMessagesPerSecond != nil {
		rate = *in.MaxNumberOfMessagesPerSecond
		if rate < 1 {
			return nil, errInvalidParameter("MaxNumberOfMessagesPerSecond", strconv.Itoa(rate), "must be between 1 and 500")
		}
	}
	handle, err := s.StartMoveTask(in.SourceArn, in.DestinationArn, rate)
	if err != nil {
		return nil, err
	}
	return map[string]string{"TaskHandle": handle}, nil
}

func (s *Service) apiListMessageMoveTasks(_ context.Context, _ string, body []byte) (any, error) {
	var in struct {
		SourceArn  string
		MaxResults int
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.SourceArn == "" {
		return nil, errMissingParameter("SourceArn")
	}
	tasks, err := s.MoveTasks(in.SourceArn, in.MaxResults)
	if err != nil {
		return nil, err
	}
	results := make([]map[string]any, 0, len(tasks))
	for _, t := range tasks {
		r := map[string]any{
			"TaskHandle": t.TaskHandle, "Status": t.Status, "SourceArn": t.SourceArn,
			"ApproximateNumberOfMessagesMoved":  t.ApproximateNumberOfMessagesMoved,
			"ApproximateNumberOfMessagesToMove": t.ApproximateNumberOfMessagesToMove,
			"StartedTimestamp":                  t.StartedTimestamp.UnixMilli(),
		}
		if t.Status != "RUNNING" {
			delete(r, "TaskHandle") // AWS returns the handle only while the task runs
		}
		if t.DestinationArn != "" {
			r["DestinationArn"] = t.DestinationArn
		}
		if t.MaxNumberOfMessagesPerSecond > 0 {
			r["MaxNumberOfMessagesPerSecond"] = t.MaxNumberOfMessagesPerSecond
		}
		if t.FailureReason != "" {
			r["FailureReason"] = t.FailureReason
		}
		results = append(results, r)
	}
	sort.SliceStable(results, func(i, j int) bool {
		return results[i]["StartedTimestamp"].(int64) > results[j]["StartedTimestamp"].(int64)
	})
	return map[string]any{"Results": results}, nil
}
