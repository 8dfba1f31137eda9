// Package contracts is the published language of call-taxi: the domain events every context may publish
// or consume on the EventBridge bus, and the payment invoke payloads. Field names are the wire names.
package contracts

import (
	"encoding/json"
	"fmt"
	"time"
)

// Sources, one per bounded context: the EventBridge `source` field.
const (
	SourceOrder       = "calltaxi.order"
	SourcePayment     = "calltaxi.payment"
	SourceReservation = "calltaxi.reservation"
	SourceTaxi        = "calltaxi.taxi"
)

// Meta is in every event's detail.
type Meta struct {
	EventID       string    `json:"eventId"`
	OccurredAt    time.Time `json:"occurredAt"`
	CorrelationID string    `json:"correlationId,omitempty"`
}

// Base gives publishers access to the envelope fields of any event.
func (m *Meta) Base() *Meta { return m }

// Event is one domain event; its detail-type is EventName and its source EventSource.
type Event interface {
	EventName() string
	EventSource() string
	Base() *Meta
}

// Decode parses an event's detail strictly enough to catch a wrong contract and loosely enough to let
// publishers add fields (additive changes are compatible).
func Decode[T any](detail json.RawMessage) (T, error) {
	var v T
	if err := json.Unmarshal(detail, &v); err != nil {
		return v, fmt.Errorf("decode %T: %w", v, err)
	}
	return v, nil
}
