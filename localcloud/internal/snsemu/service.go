// Package snsemu emulates the slice of Amazon SNS the notify function uses: Publish of an SMS to a phone
// number (or to a topic), CheckIfPhoneNumberIsOptedOut, CreateTopic and ListTopics. Nothing is sent
// anywhere: every SMS becomes a slog line and an entry in the outbox: a line of Dir/sms-outbox.jsonl when a
// directory is configured, of which only the newest OutboxWindow are kept in memory (page.go).
//
// As on AWS, SMS is refused from a region SNS does not send SMS from (the region is the request's SigV4
// credential scope), message parts beyond the account's SMS rate are throttled, a Publish to a number that
// opted out is accepted and delivered to no one, and an undeliverable number is refused (see TestNumbers).
//
// Wire protocol: aws-sdk-go-v2 service/sns v1.48 speaks awsQuery (form-encoded POST, Action=..., XML replies,
// <ErrorResponse><Error><Code>...</Code><Message>...</Message></Error></ErrorResponse> errors).
package snsemu

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/awsclock"
)

// Message is one published message as recorded in the outbox.
type Message struct {
	MessageID   string    `json:"messageId"`
	PhoneNumber string    `json:"phoneNumber,omitempty"`
	TopicArn    string    `json:"topicArn,omitempty"`
	Message     string    `json:"message"`
	SenderID    string    `json:"senderId,omitempty"`
	SMSType     string    `json:"smsType,omitempty"`
	Region      string    `json:"region,omitempty"`
	Parts       int       `json:"parts,omitempty"`      // SMS message parts (smsparts.Parts)
	Suppressed  string    `json:"suppressed,omitempty"` // why nothing was delivered (an opted-out number)
	At          time.Time `json:"at"`
}

// Options configures a Service. Region and AccountID default to us-east-1 and 123456789012.
type Options struct {
	// Dir holds the outbox file, Dir/sms-outbox.jsonl, indexed at start and appended to. "" = memory
	// only: the newest OutboxWindow messages.
	Dir       string
	Logger    *slog.Logger
	Region    string // for requests without a SigV4 credential scope
	AccountID string
	// SMSPartsPerSecond is the account's SMS rate in message parts per second of AWS time (AWS's default
	// is 20); beyond it Publish answers ThrottlingException. 0 = unlimited.
	SMSPartsPerSecond float64
	Clock             *awsclock.Clock // AWS time for the SMS rate; nil = real time
}

// SMSRegions are the regions SNS sends SMS from (SNS developer guide, "Supported Regions and countries");
// an SMS Publish in any other region is refused, as AWS refuses it.
var SMSRegions = []string{
	"us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-northeast-1", "ap-northeast-3",
	"ca-central-1", "ca-west-1", "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1",
	"eu-north-1", "il-central-1", "me-south-1", "me-central-1", "sa-east-1", "us-gov-west-1",
}

// Test numbers that behave as real numbers can on AWS (README, "The local cloud").
const (
	// OptedOutNumber replied STOP: CheckIfPhoneNumberIsOptedOut says so, and a Publish to it is accepted
	// and delivered to no one.
	OptedOutNumber = "+821099990001"
	// InvalidNumber is well-formed E.164 that SNS cannot publish to: InvalidParameter.
	InvalidNumber = "+821099990002"
)

// OutboxFileName is the JSON-lines file under Options.Dir.
const OutboxFileName = "sms-outbox.jsonl"

// Service is the SNS emulator; it is an http.Handler and safe for concurrent use.
type Service struct {
	opts   Options
	logger *slog.Logger

	mu          sync.Mutex
	outbox      outbox
	topics      []string // ARNs in creation order
	failureRate float64
	smsRate     float64 // parts per AWS second; 0 = unlimited
	smsTokens   float64
	smsLast     time.Time
	throttled   int64
	clock       *awsclock.Clock
}

// New creates the service, loading an existing outbox file if Dir is set.
func New(opts Options) (*Service, error) {
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.AccountID == "" {
		opts.AccountID = "123456789012"
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	s := &Service{opts: opts, logger: logger, clock: opts.Clock, outbox: newOutbox("")}
	if s.clock == nil {
		s.clock = awsclock.New(1)
	}
	s.SetSMSRate(opts.SMSPartsPerSecond)
	if opts.Dir == "" {
		return s, nil
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("create sns outbox dir: %w", err)
	}
	s.outbox = newOutbox(filepath.Join(opts.Dir, OutboxFileName))
	if err := s.outbox.load(s.logger); err != nil {
		return nil, err
	}
	return s, nil
}

// SetFailureRate makes that fraction (0..1) of Publish calls fail with a 500 InternalError (chaos testing;
// the SDK retries those like it would against AWS).
func (s *Service) SetFailureRate(f float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failureRate = min(max(f, 0), 1)
}

// SetSMSRate sets the account's SMS rate in message parts per second (0 = unlimited), with a full
// bucket of one second's parts.
func (s *Service) SetSMSRate(partsPerSecond float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.smsRate = max(partsPerSecond, 0)
	s.smsTokens = max(s.smsRate, 1)
	s.smsLast = time.Time{}
}

// Throttled is how many SMS Publish calls were refused for the SMS rate.
func (s *Service) Throttled() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled
}

// takeSMSParts takes parts from the account's SMS rate; false = over it.
func (s *Service) takeSMSParts(parts int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.smsRate <= 0 {
		return true
	}
	now := s.clock.Now()
	burst := max(s.smsRate, 1)
	if !s.smsLast.IsZero() {
		s.smsTokens = min(burst, s.smsTokens+now.Sub(s.smsLast).Seconds()*s.smsRate)
	}
	s.smsLast = now
	// A text of more parts than a full bucket is let through at a full bucket, into debt.
	if s.smsTokens < float64(parts) && s.smsTokens < burst {
		s.throttled++
		return false
	}
	s.smsTokens -= float64(parts)
	return true
}

func (s *Service) shouldFail() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failureRate > 0 && rand.Float64() < s.failureRate
}

// record adds m to the outbox; with a Dir, a message that cannot be written is not recorded.
func (s *Service) record(m Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	if s.outbox.path != "" {
		var err error
		if n, err = s.outbox.write(m); err != nil {
			s.logger.Error("sns: persist outbox", "error", err.Error())
			return err
		}
	}
	s.outbox.add(m, n)
	s.logger.Info("sns: SMS published",
		"messageId", m.MessageID, "phoneNumber", m.PhoneNumber, "topicArn", m.TopicArn, "region", m.Region,
		"senderId", m.SenderID, "smsType", m.SMSType, "parts", m.Parts, "suppressed", m.Suppressed, "message", m.Message)
	return nil
}

func (s *Service) topicArn(name string) string {
	return fmt.Sprintf("arn:aws:sns:%s:%s:%s", s.opts.Region, s.opts.AccountID, name)
}

// createTopic is idempotent like SNS: creating an existing name returns its ARN.
func (s *Service) createTopic(name string) string {
	arn := s.topicArn(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.topics {
		if t == arn {
			return arn
		}
	}
	s.topics = append(s.topics, arn)
	return arn
}

func (s *Service) topicExists(arn string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.topics {
		if t == arn {
			return true
		}
	}
	return false
}

func (s *Service) listTopics() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.topics...)
}
