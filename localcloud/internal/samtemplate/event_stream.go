package samtemplate

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

var unsupportedStreamProperties = map[string]string{
	"TumblingWindowInSeconds":   "tumbling windows are not emulated",
	"MaximumRecordAgeInSeconds": "records do not expire locally",
}

// streamEvent reads a DynamoDB event; its Stream must be the StreamArn of a table in the template.
func (b *builder) streamEvent(fn *Function, eventName string, p props) (StreamEvent, error) {
	s := StreamEvent{EventName: eventName}
	if err := p.required("Stream"); err != nil {
		return s, err
	}
	streamArn, err := p.str("Stream", "")
	if err != nil {
		return s, err
	}
	table := b.tableByStreamArn(streamArn)
	if table == nil {
		return s, &pathError{path: p.at("Stream"), err: fmt.Errorf("%q is not the stream of a table in this template", streamArn)}
	}
	s.TableLogicalID, s.TableName = table.LogicalID, table.Name
	if err := p.required("StartingPosition"); err != nil {
		return s, err
	}
	if s.StartingPosition, err = p.str("StartingPosition", ""); err != nil {
		return s, err
	}
	if s.BatchSize, err = p.integer("BatchSize", 100); err != nil {
		return s, err
	}
	if s.MaximumBatchingWindow, err = p.seconds("MaximumBatchingWindowInSeconds", 0); err != nil {
		return s, err
	}
	if s.ParallelizationFactor, err = p.integer("ParallelizationFactor", 1); err != nil {
		return s, err
	}
	// The API's range (CreateEventSourceMapping, ParallelizationFactor: minimum 1, maximum 10); AWS rejects
	// the stack otherwise, so the local cloud does too.
	if s.ParallelizationFactor < 1 || s.ParallelizationFactor > 10 {
		return s, &pathError{path: p.at("ParallelizationFactor"), err: fmt.Errorf("%d is outside 1..10", s.ParallelizationFactor)}
	}
	if s.Filters, err = streamFilters(p); err != nil {
		return s, err
	}
	responseTypes, err := p.strings("FunctionResponseTypes")
	if err != nil {
		return s, err
	}
	s.ReportBatchItemFailures = slices.Contains(responseTypes, "ReportBatchItemFailures")
	if s.MaximumRetryAttempts, err = p.optionalInt("MaximumRetryAttempts"); err != nil {
		return s, err
	}
	if s.MaximumRetryAttempts != nil && *s.MaximumRetryAttempts < 0 {
		s.MaximumRetryAttempts = nil // -1 means retry until the record expires
	}
	if s.BisectBatchOnFunctionError, err = p.boolean("BisectBatchOnFunctionError", false); err != nil {
		return s, err
	}
	if s.Enabled, err = p.boolean("Enabled", true); err != nil {
		return s, err
	}
	if s.OnFailureQueue, err = b.onFailureQueue(fn.LogicalID+"."+eventName, p); err != nil {
		return s, err
	}
	for _, key := range sortedKeys(unsupportedStreamProperties) {
		if p.has(key) {
			b.u.property(key, fn.LogicalID+"."+eventName, unsupportedStreamProperties[key])
		}
	}
	return s, nil
}

func (b *builder) tableByStreamArn(arn string) *Table {
	for _, id := range sortedKeys(b.t.Tables) {
		if t := b.t.Tables[id]; t.StreamArn != "" && t.StreamArn == arn {
			return t
		}
	}
	return nil
}

func streamFilters(p props) ([]json.RawMessage, error) {
	criteria, _, err := p.block("FilterCriteria")
	if err != nil {
		return nil, err
	}
	filters, err := criteria.blocks("Filters")
	if err != nil {
		return nil, err
	}
	var out []json.RawMessage
	for _, f := range filters {
		if err := f.required("Pattern"); err != nil {
			return nil, err
		}
		pattern, _, err := f.jsonValue("Pattern")
		if err != nil {
			return nil, err
		}
		out = append(out, pattern)
	}
	return out, nil
}

// onFailureQueue reads DestinationConfig.OnFailure.Destination; only SQS destinations are emulated.
func (b *builder) onFailureQueue(eventID string, p props) (string, error) {
	dest, _, err := p.block("DestinationConfig")
	if err != nil {
		return "", err
	}
	onFailure, _, err := dest.block("OnFailure")
	if err != nil {
		return "", err
	}
	arn, err := onFailure.str("Destination", "")
	if err != nil || arn == "" {
		return "", err
	}
	if !strings.HasPrefix(arn, "arn:aws:sqs:") {
		b.u.property("DestinationConfig.OnFailure", eventID, "only SQS on-failure destinations are emulated")
		return "", nil
	}
	return queueNameFromArn(arn), nil
}
