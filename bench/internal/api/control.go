package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

// Token mints a JWT from the local issuer (POST /_local/token).
func (c *Client) Token(ctx context.Context, sub string, groups []string, ttl time.Duration) (string, error) {
	var out struct {
		Token string `json:"token"`
	}
	body := map[string]any{"sub": sub, "groups": groups, "ttlSeconds": int(ttl.Seconds())}
	if err := c.postJSON(ctx, "/_local/token", body, &out); err != nil {
		return "", fmt.Errorf("mint token for %s: %w", sub, err)
	}
	return out.Token, nil
}

// Health reports whether the local cloud answers /_local/health.
func (c *Client) Health(ctx context.Context) error {
	return c.getJSON(ctx, "/_local/health", nil)
}

// FunctionStats is one entry of GET /_local/functions.
type FunctionStats struct {
	Name                string  `json:"name"`
	Environments        int     `json:"environments"`
	ConcurrentInvokes   int     `json:"concurrentInvokes"`
	ReservedConcurrency *int    `json:"reservedConcurrency,omitempty"`
	Invocations         int64   `json:"invocations"`
	Errors              int64   `json:"errors"`
	Throttles           int64   `json:"throttles"`
	Timeouts            int64   `json:"timeouts"`
	ColdStarts          int64   `json:"coldStarts"`
	LastColdStartMs     float64 `json:"lastColdStartMs"`
	AvgColdStartMs      float64 `json:"avgColdStartMs"`
	MemoryBytes         int64   `json:"memoryBytes,omitempty"` // if the local cloud ever reports it
	State               string  `json:"state"`                 // running, throttled (stop) or failing (fail)
}

// Functions returns the per-function counters.
func (c *Client) Functions(ctx context.Context) ([]FunctionStats, error) {
	var out struct {
		Functions []FunctionStats `json:"functions"`
	}
	if err := c.getJSON(ctx, "/_local/functions", &out); err != nil {
		return nil, err
	}
	return out.Functions, nil
}

// Calls returns GET /_local/calls: the AWS API requests the local cloud has answered, by
// "service.Operation".
func (c *Client) Calls(ctx context.Context) (map[string]int64, error) {
	var out struct {
		Calls map[string]int64 `json:"calls"`
	}
	if err := c.getJSON(ctx, "/_local/calls", &out); err != nil {
		return nil, err
	}
	return out.Calls, nil
}

// SMS is one entry of the SNS outbox.
type SMS struct {
	MessageID   string    `json:"messageId"`
	PhoneNumber string    `json:"phoneNumber"`
	Message     string    `json:"message"`
	At          time.Time `json:"at"`
}

// SMSOutbox returns every SMS sent so far, raw (for the card-number scan) and decoded, following
// /_local/sms's pages.
func (c *Client) SMSOutbox(ctx context.Context) ([]SMS, json.RawMessage, error) {
	var msgs []SMS
	var raws []json.RawMessage
	err := c.pages(ctx, "/_local/sms", func(page []byte) error {
		var out struct {
			Messages []json.RawMessage `json:"messages"`
		}
		if err := json.Unmarshal(page, &out); err != nil {
			return fmt.Errorf("decode sms outbox: %w", err)
		}
		for _, raw := range out.Messages {
			var m SMS
			if err := json.Unmarshal(raw, &m); err != nil {
				return fmt.Errorf("decode sms outbox: %w", err)
			}
			msgs, raws = append(msgs, m), append(raws, raw)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	all, err := json.Marshal(raws)
	if err != nil {
		return nil, nil, fmt.Errorf("encode sms outbox: %w", err)
	}
	return msgs, all, nil
}

// DLQMessage is one dead-lettered message.
type DLQMessage struct {
	ID         string            `json:"id"`
	Queue      string            `json:"queue"`
	Body       json.RawMessage   `json:"body"`
	Attributes map[string]string `json:"attributes,omitempty"`
	At         time.Time         `json:"at"`
}

// DLQ returns every dead-letter queue's messages by queue name, following /_local/dlq's pages.
func (c *Client) DLQ(ctx context.Context) (map[string][]DLQMessage, error) {
	all := map[string][]DLQMessage{}
	err := c.pages(ctx, "/_local/dlq", func(page []byte) error {
		var out struct {
			Queues map[string][]DLQMessage `json:"queues"`
		}
		if err := json.Unmarshal(page, &out); err != nil {
			return fmt.Errorf("decode dead letters: %w", err)
		}
		for q, msgs := range out.Queues {
			all[q] = append(all[q], msgs...)
		}
		return nil
	})
	return all, err
}

// Table returns every item of a table (by logical id or name) as plain JSON values, following
// /_local/tables/{name}'s pages.
func (c *Client) Table(ctx context.Context, name string) ([]map[string]any, error) {
	var items []map[string]any
	err := c.pages(ctx, "/_local/tables/"+url.PathEscape(name), func(page []byte) error {
		var out struct {
			Items []map[string]any `json:"items"`
		}
		if err := json.Unmarshal(page, &out); err != nil {
			return err
		}
		items = append(items, out.Items...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read table %s: %w", name, err)
	}
	return items, nil
}

// pages GETs path page by page (?after= the previous page's "next") and hands each page to fn.
func (c *Client) pages(ctx context.Context, path string, fn func(page []byte) error) error {
	after := ""
	for {
		p := path
		if after != "" {
			p += "?after=" + url.QueryEscape(after)
		}
		var page json.RawMessage
		if err := c.getJSON(ctx, p, &page); err != nil {
			return err
		}
		if err := fn(page); err != nil {
			return err
		}
		var cursor struct {
			Next string `json:"next"`
		}
		if err := json.Unmarshal(page, &cursor); err != nil {
			return fmt.Errorf("decode page of %s: %w", path, err)
		}
		if cursor.Next == "" || cursor.Next == after {
			return nil
		}
		after = cursor.Next
	}
}

// BusStats are the EventBridge emulator's delivery counters.
type BusStats struct {
	Deliveries   int `json:"deliveries"`
	Delivered    int `json:"delivered"`
	DeadLettered int `json:"deadLettered"`
	Queued       int `json:"queued"`
	Retrying     int `json:"retrying"`
	InFlight     int `json:"inFlight"`
}

// EventStats returns the bus counters.
func (c *Client) EventStats(ctx context.Context) (BusStats, error) {
	var out struct {
		Stats BusStats `json:"stats"`
	}
	err := c.getJSON(ctx, "/_local/events?limit=1", &out)
	return out.Stats, err
}

// StreamStats returns each stream mapping's counters as the local cloud reports them (kept raw: the
// quiescence check only needs to see whether they still move).
func (c *Client) StreamStats(ctx context.Context) (map[string]json.RawMessage, error) {
	var out struct {
		Mappings map[string]json.RawMessage `json:"mappings"`
	}
	err := c.getJSON(ctx, "/_local/streams", &out)
	return out.Mappings, err
}

// QueueDepth is one SQS queue's message counts.
type QueueDepth struct {
	Visible    int `json:"visible"`
	NotVisible int `json:"notVisible"`
	Delayed    int `json:"delayed"`
}

// Queues returns every SQS queue's depth by name, and the SQS event source mappings' counters.
func (c *Client) Queues(ctx context.Context) (map[string]QueueDepth, map[string]json.RawMessage, error) {
	var out struct {
		Queues   map[string]QueueDepth      `json:"queues"`
		Mappings map[string]json.RawMessage `json:"mappings"`
	}
	err := c.getJSON(ctx, "/_local/queues", &out)
	return out.Queues, out.Mappings, err
}

// Chaos are the fault switches of POST /_local/chaos.
type Chaos struct {
	PutEventsFailureRate    float64 `json:"putEventsFailureRate"`
	DuplicateEventDelivery  bool    `json:"duplicateEventDelivery"`
	DuplicateStreamDelivery bool    `json:"duplicateStreamDelivery"`
	SMSFailureRate          float64 `json:"smsFailureRate"`
	KillRandomEnvironment   bool    `json:"killRandomEnvironment"`
}

// SetChaos applies the switches and returns which environment was killed, if one was asked for and found.
func (c *Client) SetChaos(ctx context.Context, ch Chaos) (killed string, err error) {
	var out struct {
		Killed struct {
			Function string `json:"function"`
			Killed   bool   `json:"killed"`
		} `json:"killed"`
	}
	if err := c.postJSON(ctx, "/_local/chaos", ch, &out); err != nil {
		return "", fmt.Errorf("set chaos: %w", err)
	}
	if out.Killed.Killed {
		return out.Killed.Function, nil
	}
	return "", nil
}

// FunctionAction stops or starts a function (logical id or name) for a fault drill.
func (c *Client) FunctionAction(ctx context.Context, function, action string) error {
	if err := c.postJSON(ctx, "/_local/functions/"+url.PathEscape(function)+"/"+action, nil, nil); err != nil {
		return fmt.Errorf("%s %s: %w", action, function, err)
	}
	return nil
}
