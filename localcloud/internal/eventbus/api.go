package eventbus

import (
	"bytes"
	cryptorand "crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	maxRequestBytes    = 1 << 20
	maxEntries         = 10
	maxEntriesBytes    = 256 * 1024
	jsonContentType    = "application/x-amz-json-1.1"
	targetPrefix       = "AWSEvents."
	envelopeTimeLayout = "2006-01-02T15:04:05Z"
)

// ServeHTTP implements the subset of the EventBridge JSON 1.1 API that the SDK and standard tools use:
// PutEvents, ListRules, DescribeEventBus, ListEventBuses and TestEventPattern.
func (b *Bus) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "UnknownOperationException", "only POST is supported")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "ValidationException", "request body too large or unreadable")
		return
	}
	switch op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix); op {
	case "PutEvents":
		b.handlePutEvents(w, body)
	case "ListRules":
		b.handleListRules(w, body)
	case "DescribeEventBus":
		b.handleDescribeEventBus(w, body)
	case "ListEventBuses":
		b.handleListEventBuses(w, body)
	case "TestEventPattern":
		handleTestEventPattern(w, body)
	default:
		writeError(w, http.StatusBadRequest, "UnknownOperationException", fmt.Sprintf("operation %q is not supported by the local cloud", op))
	}
}

type putEventsRequest struct {
	Entries []putEventsEntry
}

type putEventsEntry struct {
	Source       string
	DetailType   string
	Detail       string
	EventBusName string
	Resources    []string
	Time         *json.Number // epoch seconds, possibly fractional
}

type putEventsResultEntry struct {
	EventID      string `json:"EventId,omitempty"`
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

type putEventsResponse struct {
	FailedEntryCount int
	Entries          []putEventsResultEntry
}

// envelope is the event as targets (and patterns) see it.
type envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

func (b *Bus) handlePutEvents(w http.ResponseWriter, body []byte) {
	var req putEventsRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "SerializationException", "could not parse request: "+err.Error())
		return
	}
	if n := len(req.Entries); n < 1 || n > maxEntries {
		writeError(w, http.StatusBadRequest, "ValidationException", fmt.Sprintf(
			"1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to %d and greater than or equal to 1 (got %d)", maxEntries, n))
		return
	}
	if entriesSize(req.Entries) > maxEntriesBytes {
		writeError(w, http.StatusBadRequest, "ValidationException", "Total size of the entries in the request is over the limit.")
		return
	}
	resp := putEventsResponse{Entries: make([]putEventsResultEntry, len(req.Entries))}
	for i, entry := range req.Entries {
		resp.Entries[i] = b.putEntry(entry)
		if resp.Entries[i].ErrorCode != "" {
			resp.FailedEntryCount++
		}
	}
	b.mu.Lock()
	b.stats.EntriesFailed += resp.FailedEntryCount
	b.mu.Unlock()
	writeJSON(w, resp)
}

// entriesSize follows the AWS PutEvents entry size calculation.
func entriesSize(entries []putEventsEntry) int {
	total := 0
	for _, e := range entries {
		total += len(e.Source) + len(e.DetailType) + len(e.Detail)
		if e.Time != nil {
			total += 14
		}
		for _, r := range e.Resources {
			total += len(r)
		}
	}
	return total
}

func entryError(code, message string) putEventsResultEntry {
	return putEventsResultEntry{ErrorCode: code, ErrorMessage: message}
}

func (b *Bus) putEntry(entry putEventsEntry) putEventsResultEntry {
	for _, required := range []struct{ name, value string }{
		{"Source", entry.Source}, {"DetailType", entry.DetailType}, {"Detail", entry.Detail},
	} {
		if strings.TrimSpace(required.value) == "" {
			return entryError("InvalidArgument", fmt.Sprintf("Parameter %s is not valid. Reason: %s is a required argument.", required.name, required.name))
		}
	}
	detail, ok := compactObject(entry.Detail)
	if !ok {
		return entryError("MalformedDetail", "Detail is malformed.")
	}
	if strings.HasPrefix(entry.Source, "aws.") {
		return entryError("NotAuthorizedForSourceException", "Not authorized for the source.")
	}
	eventTime := time.Now().UTC()
	if entry.Time != nil {
		t, ok := epochSeconds(*entry.Time)
		if !ok {
			return entryError("InvalidArgument", "Parameter Time is not valid.")
		}
		eventTime = t
	}
	bus := busName(entry.EventBusName)

	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.buses[bus] {
		return entryError("ResourceNotFoundException", fmt.Sprintf("Event bus %s does not exist.", bus))
	}
	if b.closed {
		return entryError("InternalFailure", "The local cloud is shutting down.")
	}
	if b.faults.PutEventsFailureRate > 0 && rand.Float64() < b.faults.PutEventsFailureRate {
		return entryError("InternalFailure", "Internal Failure (injected by the local cloud's chaos settings)")
	}
	id := newEventID()
	resources := entry.Resources
	if resources == nil {
		resources = []string{}
	}
	event, err := json.Marshal(envelope{
		Version: "0", ID: id, DetailType: entry.DetailType, Source: entry.Source,
		Account: b.opts.AccountID, Time: eventTime.Format(envelopeTimeLayout), Region: b.opts.Region,
		Resources: resources, Detail: detail,
	})
	if err != nil { // unreachable for these field types, but never deliver a half-built event
		return entryError("InternalFailure", "encode event: "+err.Error())
	}
	b.stats.EntriesAccepted++
	b.route(bus, id, entry, event)
	return putEventsResultEntry{EventID: id}
}

// route records the event and queues one delivery per matching rule target. Callers hold b.mu.
func (b *Bus) route(bus, id string, entry putEventsEntry, event []byte) {
	rec := &RecordedEvent{ID: id, Bus: bus, Source: entry.Source, DetailType: entry.DetailType,
		PutAt: time.Now().UTC(), Event: event}
	// Decode once for all rules; the envelope was just marshalled, so it is a valid object.
	decoded, _ := decodeJSON(event)
	obj, _ := decoded.(map[string]any)
	var matched []*Rule
	for _, r := range b.rules {
		if r.BusName == bus && r.Pattern.root.match(obj) {
			matched = append(matched, r)
			rec.Deliveries = append(rec.Deliveries, Delivery{Rule: r.Name, Function: r.Function, Queue: r.Queue, State: StateQueued})
			if b.faults.DuplicateDelivery {
				matched = append(matched, r)
				rec.Deliveries = append(rec.Deliveries, Delivery{Rule: r.Name, Function: r.Function, Queue: r.Queue, State: StateQueued, Duplicate: true})
			}
		}
	}
	b.remember(rec)
	b.logger.Info("eventbus: event put", "bus", bus, "id", id, "source", entry.Source, "detailType", entry.DetailType, "targets", len(matched))
	putAt := b.clock.Now()
	for i, r := range matched {
		b.stats.Deliveries++
		// rec.Deliveries is never appended to after this point, so the element pointers stay valid.
		d := &delivery{rule: r, event: event, putAt: putAt, record: &rec.Deliveries[i]}
		if !b.queue.push(d) {
			d.record.State = StateAbandoned
		}
	}
}

// compactObject validates that s is a JSON object and returns it compacted.
func compactObject(s string) (json.RawMessage, bool) {
	trimmed := bytes.TrimSpace([]byte(s))
	if len(trimmed) == 0 || trimmed[0] != '{' || !json.Valid(trimmed) {
		return nil, false
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, trimmed); err != nil {
		return nil, false
	}
	return buf.Bytes(), true
}

func epochSeconds(n json.Number) (time.Time, bool) {
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}

type listRulesRequest struct {
	EventBusName string
	NamePrefix   string
}

type ruleSummary struct {
	Name         string
	Arn          string
	EventBusName string
	EventPattern string
	State        string
}

func (b *Bus) handleListRules(w http.ResponseWriter, body []byte) {
	var req listRulesRequest
	if len(body) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			writeError(w, http.StatusBadRequest, "SerializationException", "could not parse request: "+err.Error())
			return
		}
	}
	bus := busName(req.EventBusName)
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.buses[bus] {
		writeError(w, http.StatusBadRequest, "ResourceNotFoundException", fmt.Sprintf("Event bus %s does not exist.", bus))
		return
	}
	rules := []ruleSummary{}
	seen := map[string]bool{}
	for _, r := range b.rules {
		if r.BusName != bus || !strings.HasPrefix(r.Name, req.NamePrefix) || seen[r.Name] {
			continue
		}
		seen[r.Name] = true
		rules = append(rules, ruleSummary{Name: r.Name, Arn: b.ruleArn(r), EventBusName: bus, EventPattern: r.Pattern.String(), State: "ENABLED"})
	}
	writeJSON(w, struct{ Rules []ruleSummary }{rules})
}

func (b *Bus) handleDescribeEventBus(w http.ResponseWriter, body []byte) {
	var req struct{ Name string }
	if len(body) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			writeError(w, http.StatusBadRequest, "SerializationException", "could not parse request: "+err.Error())
			return
		}
	}
	bus := busName(req.Name)
	b.mu.Lock()
	exists := b.buses[bus]
	b.mu.Unlock()
	if !exists {
		writeError(w, http.StatusBadRequest, "ResourceNotFoundException", fmt.Sprintf("Event bus %s does not exist.", bus))
		return
	}
	writeJSON(w, struct{ Name, Arn string }{bus, b.busArn(bus)})
}

type listEventBusesRequest struct {
	NamePrefix string
	NextToken  string
	Limit      *int
}

type eventBusSummary struct {
	Name string
	Arn  string
}

type listEventBusesResponse struct {
	EventBuses []eventBusSummary
	NextToken  string `json:",omitempty"`
}

// handleListEventBuses lists the default bus and the created ones, by name (API reference: ListEventBuses).
// NextToken is the offset of the next page.
func (b *Bus) handleListEventBuses(w http.ResponseWriter, body []byte) {
	var req listEventBusesRequest
	if len(body) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			writeError(w, http.StatusBadRequest, "SerializationException", "could not parse request: "+err.Error())
			return
		}
	}
	limit := 100
	if req.Limit != nil {
		if *req.Limit < 1 || *req.Limit > 100 {
			writeError(w, http.StatusBadRequest, "ValidationException", fmt.Sprintf(
				"1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100", *req.Limit))
			return
		}
		limit = *req.Limit
	}
	offset := 0
	if req.NextToken != "" {
		n, err := strconv.Atoi(req.NextToken)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "InvalidToken", "The provided NextToken is not valid.")
			return
		}
		offset = n
	}
	b.mu.Lock()
	names := make([]string, 0, len(b.buses))
	for name := range b.buses {
		if strings.HasPrefix(name, req.NamePrefix) {
			names = append(names, name)
		}
	}
	b.mu.Unlock()
	sort.Strings(names)
	resp := listEventBusesResponse{EventBuses: []eventBusSummary{}}
	for i := offset; i < len(names) && i < offset+limit; i++ {
		resp.EventBuses = append(resp.EventBuses, eventBusSummary{Name: names[i], Arn: b.busArn(names[i])})
	}
	if offset+limit < len(names) {
		resp.NextToken = strconv.Itoa(offset + limit)
	}
	writeJSON(w, resp)
}

const maxEventPatternLength = 4096

// testEventRequiredFields are the fields the TestEventPattern API reference lists as mandatory in Event.
var testEventRequiredFields = []string{"id", "account", "source", "time", "region", "resources", "detail-type"}

// handleTestEventPattern answers whether Event matches EventPattern (API reference: TestEventPattern).
func handleTestEventPattern(w http.ResponseWriter, body []byte) {
	var req struct{ Event, EventPattern *string }
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "SerializationException", "could not parse request: "+err.Error())
		return
	}
	for _, required := range []struct {
		name  string
		value *string
	}{{"eventPattern", req.EventPattern}, {"event", req.Event}} {
		if required.value == nil {
			writeError(w, http.StatusBadRequest, "ValidationException", fmt.Sprintf(
				"1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", required.name))
			return
		}
	}
	if len(*req.EventPattern) > maxEventPatternLength {
		writeError(w, http.StatusBadRequest, "ValidationException", fmt.Sprintf(
			"1 validation error detected: Value at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to %d", maxEventPatternLength))
		return
	}
	pattern, err := CompilePattern([]byte(*req.EventPattern))
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidEventPatternException",
			"Event pattern is not valid. Reason: "+strings.TrimPrefix(err.Error(), "event pattern: "))
		return
	}
	decoded, err := decodeJSON([]byte(*req.Event))
	event, isObject := decoded.(map[string]any)
	if err != nil || !isObject {
		writeError(w, http.StatusBadRequest, "ValidationException", "Parameter Event is not valid.")
		return
	}
	for _, field := range testEventRequiredFields {
		if _, ok := event[field]; !ok {
			writeError(w, http.StatusBadRequest, "ValidationException", "Parameter Event is not valid.")
			return
		}
	}
	writeJSON(w, struct{ Result bool }{pattern.root.match(event)})
}

func writeJSON(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "InternalException", "encode response: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", jsonContentType)
	w.Header().Set("X-Amzn-RequestId", newEventID())
	_, _ = w.Write(body)
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{code, message}) // marshalling two strings cannot fail
	w.Header().Set("Content-Type", jsonContentType)
	w.Header().Set("X-Amzn-ErrorType", code)
	w.Header().Set("X-Amzn-RequestId", newEventID())
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func newEventID() string {
	b := make([]byte, 16)
	_, _ = cryptorand.Read(b) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
