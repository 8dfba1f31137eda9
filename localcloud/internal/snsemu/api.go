package snsemu

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/calltaxi/call-taxi/shared/smsparts"
)

const (
	maxRequestBytes = 512 << 10
	maxMessageBytes = 256 << 10
	attrSenderID    = "AWS.SNS.SMS.SenderID"
	attrSMSType     = "AWS.SNS.SMS.SMSType"
)

var (
	e164Phone   = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)
	senderIDRe  = regexp.MustCompile(`^[A-Za-z0-9]{1,11}$`)
	hasLetterRe = regexp.MustCompile(`[A-Za-z]`)
	topicNameRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
)

// ServeHTTP implements the awsQuery API: Publish, CreateTopic, ListTopics.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxRequestBytes)
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "Sender", "MalformedQueryString", fmt.Sprintf("Unable to parse request: %v", err))
		return
	}
	action := r.Form.Get("Action")
	region := requestRegion(r, s.opts.Region)
	switch action {
	case "Publish":
		s.publish(w, r.Form, region)
	case "CheckIfPhoneNumberIsOptedOut":
		s.handleCheckOptedOut(w, r.Form)
	case "CreateTopic":
		s.handleCreateTopic(w, r.Form)
	case "ListTopics":
		s.handleListTopics(w)
	case "":
		writeError(w, http.StatusBadRequest, "Sender", "MissingAction", "Missing Action parameter.")
	default:
		writeError(w, http.StatusBadRequest, "Sender", "InvalidAction", fmt.Sprintf("The action %s is not valid for this web service.", action))
	}
}

// credentialRegion is the region of a SigV4 Authorization header's credential scope:
// Credential=<key>/<date>/<region>/<service>/aws4_request.
var credentialRegion = regexp.MustCompile(`Credential=[^/,]+/[0-9]{8}/([a-z0-9-]+)/`)

// requestRegion is the region a request is for: its SigV4 credential scope, else def.
func requestRegion(r *http.Request, def string) string {
	if m := credentialRegion.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		return m[1]
	}
	return def
}

func notValidToPublishTo(phone string) *apiError {
	return invalidParameter("PhoneNumber Reason: %s is not valid to publish to", phone)
}

func (s *Service) publish(w http.ResponseWriter, form url.Values, region string) {
	msg, apiErr := s.parsePublish(form)
	if apiErr != nil {
		writeAPIError(w, apiErr)
		return
	}
	msg.Region = region
	if msg.PhoneNumber != "" {
		// AWS answers an SMS Publish in a region without SMS, or to a number it cannot reach, alike.
		if !slices.Contains(SMSRegions, region) || msg.PhoneNumber == InvalidNumber {
			writeAPIError(w, notValidToPublishTo(msg.PhoneNumber))
			return
		}
		msg.Parts = smsparts.Parts(msg.Message)
		if !s.takeSMSParts(msg.Parts) {
			// Past the account's SMS rate ("MPS limits"), as Publish answers it.
			writeError(w, http.StatusBadRequest, "Sender", "ThrottlingException", "Rate exceeded")
			return
		}
		if msg.PhoneNumber == OptedOutNumber {
			msg.Suppressed = "opted out"
		}
	}
	if s.shouldFail() {
		writeError(w, http.StatusInternalServerError, "Receiver", "InternalError", "Internal error (injected by the local cloud's chaos settings).")
		return
	}
	if err := s.record(msg); err != nil {
		writeError(w, http.StatusInternalServerError, "Receiver", "InternalError", "Internal error (the local cloud could not write its SMS outbox).")
		return
	}
	writeXML(w, publishResponse{Xmlns: xmlns, Result: publishResult{MessageID: msg.MessageID}, Metadata: newMetadata()})
}

type apiError struct {
	status int
	code   string
	msg    string
}

func invalidParameter(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "InvalidParameter", msg: "Invalid parameter: " + fmt.Sprintf(format, args...)}
}

func (s *Service) parsePublish(form url.Values) (Message, *apiError) {
	m := Message{
		MessageID:   newMessageID(),
		PhoneNumber: form.Get("PhoneNumber"),
		TopicArn:    form.Get("TopicArn"),
		Message:     form.Get("Message"),
		At:          time.Now().UTC(),
	}
	if target := form.Get("TargetArn"); target != "" {
		if m.TopicArn != "" {
			return Message{}, invalidParameter("TopicArn Reason: Only one of TopicArn, TargetArn or PhoneNumber may be specified")
		}
		m.TopicArn = target
	}
	switch {
	case m.PhoneNumber == "" && m.TopicArn == "":
		return Message{}, invalidParameter("TopicArn or TargetArn Reason: no value for required parameter")
	case m.PhoneNumber != "" && m.TopicArn != "":
		return Message{}, invalidParameter("TopicArn Reason: Only one of TopicArn, TargetArn or PhoneNumber may be specified")
	}
	if m.Message == "" {
		return Message{}, invalidParameter("Empty message")
	}
	if len(m.Message) > maxMessageBytes {
		return Message{}, invalidParameter("Message too long")
	}
	if m.PhoneNumber != "" && !e164Phone.MatchString(m.PhoneNumber) {
		return Message{}, invalidParameter("PhoneNumber Reason: %s is not valid to publish to (E.164 format required, e.g. +821012345678)", m.PhoneNumber)
	}
	if m.TopicArn != "" && !s.topicExists(m.TopicArn) {
		return Message{}, &apiError{status: http.StatusNotFound, code: "NotFound", msg: "Topic does not exist"}
	}
	attrs, apiErr := parseMessageAttributes(form)
	if apiErr != nil {
		return Message{}, apiErr
	}
	if v, ok := attrs[attrSenderID]; ok {
		if !senderIDRe.MatchString(v) || !hasLetterRe.MatchString(v) {
			return Message{}, invalidParameter("MessageAttributes Reason: %s must be 1-11 alphanumeric characters with at least one letter", attrSenderID)
		}
		m.SenderID = v
	}
	if v, ok := attrs[attrSMSType]; ok {
		if v != "Promotional" && v != "Transactional" {
			return Message{}, invalidParameter("MessageAttributes Reason: %s must be Promotional or Transactional", attrSMSType)
		}
		m.SMSType = v
	}
	return m, nil
}

// parseMessageAttributes reads MessageAttributes.entry.N.{Name,Value.DataType,Value.StringValue}.
func parseMessageAttributes(form url.Values) (map[string]string, *apiError) {
	attrs := map[string]string{}
	for n := 1; ; n++ {
		prefix := "MessageAttributes.entry." + strconv.Itoa(n) + "."
		name := form.Get(prefix + "Name")
		if name == "" {
			if hasKeyWithPrefix(form, prefix) {
				return nil, invalidParameter("MessageAttributes Reason: attribute %d has no Name", n)
			}
			return attrs, nil
		}
		dataType := form.Get(prefix + "Value.DataType")
		if dataType == "" {
			return nil, &apiError{status: http.StatusBadRequest, code: "ParameterValueInvalid",
				msg: fmt.Sprintf("The message attribute '%s' must contain non-empty message attribute type.", name)}
		}
		value := form.Get(prefix + "Value.StringValue")
		if strings.HasPrefix(dataType, "String") && value == "" {
			return nil, &apiError{status: http.StatusBadRequest, code: "ParameterValueInvalid",
				msg: fmt.Sprintf("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, dataType)}
		}
		attrs[name] = value
	}
}

func hasKeyWithPrefix(form url.Values, prefix string) bool {
	for k := range form {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

func (s *Service) handleCheckOptedOut(w http.ResponseWriter, form url.Values) {
	phone := form.Get("phoneNumber") // lower case in this action's API
	if !e164Phone.MatchString(phone) {
		writeAPIError(w, invalidParameter("PhoneNumber Reason: %s is not a valid phone number", phone))
		return
	}
	writeXML(w, checkOptedOutResponse{Xmlns: xmlns, Result: checkOptedOutResult{IsOptedOut: phone == OptedOutNumber}, Metadata: newMetadata()})
}

func (s *Service) handleCreateTopic(w http.ResponseWriter, form url.Values) {
	name := form.Get("Name")
	if !topicNameRe.MatchString(name) {
		writeAPIError(w, invalidParameter("Topic Name"))
		return
	}
	arn := s.createTopic(name)
	writeXML(w, createTopicResponse{Xmlns: xmlns, Result: createTopicResult{TopicArn: arn}, Metadata: newMetadata()})
}

func (s *Service) handleListTopics(w http.ResponseWriter) {
	resp := listTopicsResponse{Xmlns: xmlns, Metadata: newMetadata()}
	for _, arn := range s.listTopics() {
		resp.Result.Topics = append(resp.Result.Topics, topicMember{TopicArn: arn})
	}
	writeXML(w, resp)
}

func newMessageID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
