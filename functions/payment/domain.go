package main

import (
	"strings"
	"time"

	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/ddbitem"
	"github.com/calltaxi/call-taxi/shared/validate"
)

// Payment states (docs/architecture.md): PENDING → APPROVED | DECLINED; APPROVED → CANCELED (refund).
const (
	StatusPending  = "PENDING"
	StatusApproved = contracts.PaymentApprovedStatus
	StatusDeclined = contracts.PaymentDeclinedStatus
	StatusCanceled = contracts.PaymentCanceledStatus
)

// entityPayment tells the mypage projection that a stream record is a payment row.
const entityPayment = "payment"

func formatTime(t time.Time) string { return t.UTC().Format(ddbitem.TimeLayout) }

const maxIDLen = 128

// reasonNoApprovedPayment answers a refund of an order that has nothing to refund.
const reasonNoApprovedPayment = "no approved payment"

// PaymentID is the one payment an order can have; it is also the gateway's idempotency key.
func PaymentID(orderID string) string { return "pay-" + orderID }

// Payment is one row of the Payments table. It never holds the card number, only its last four digits.
type Payment struct {
	ID            string `dynamodbav:"id"`
	Entity        string `dynamodbav:"entity"`
	OrderID       string `dynamodbav:"orderId"`
	CustomerID    string `dynamodbav:"customerId"`
	OrderType     string `dynamodbav:"orderType,omitempty"`
	Amount        int64  `dynamodbav:"amount"`
	Status        string `dynamodbav:"status"`
	CardLast4     string `dynamodbav:"cardLast4"`
	CardBrand     string `dynamodbav:"cardBrand"`
	DeclineReason string `dynamodbav:"declineReason,omitempty"`
	CorrelationID string `dynamodbav:"correlationId,omitempty"`
	Version       int64  `dynamodbav:"version"`
	CreatedAt     string `dynamodbav:"createdAt"`
	UpdatedAt     string `dynamodbav:"updatedAt"`
}

// ChargeCommand is a validated charge request; CardNo is normalized and lives only in memory.
type ChargeCommand struct {
	OrderID, CustomerID, OrderType string
	Amount                         int64
	CardNo                         string
}

// ValidateCharge checks a charge request. A bad one is answered with an INVALID result naming the field.
func ValidateCharge(req contracts.PaymentRequest) (ChargeCommand, *contracts.PaymentResult) {
	cmd := ChargeCommand{
		OrderID: strings.TrimSpace(req.OrderID), CustomerID: strings.TrimSpace(req.CustomerID),
		OrderType: req.OrderType, Amount: req.Amount, CardNo: validate.NormalizeCard(strings.TrimSpace(req.CardNo)),
	}
	switch {
	case cmd.OrderID == "" || len(cmd.OrderID) > maxIDLen:
		return cmd, Invalid("orderId", "orderId is required")
	case cmd.CustomerID == "" || len(cmd.CustomerID) > maxIDLen:
		return cmd, Invalid("customerId", "customerId is required")
	case cmd.Amount <= 0:
		return cmd, Invalid("amount", "amount must be positive")
	case !validate.Card(cmd.CardNo):
		return cmd, Invalid("cardNo", "invalid card number")
	}
	return cmd, nil
}

// Invalid is the result for a request payment refuses to act on.
func Invalid(field, reason string) *contracts.PaymentResult {
	return &contracts.PaymentResult{Status: contracts.PaymentInvalidStatus, Field: field, Reason: reason}
}

// NewPayment is the PENDING row a charge starts with.
func NewPayment(cmd ChargeCommand, correlationID string, now time.Time) Payment {
	at := formatTime(now)
	return Payment{
		ID: PaymentID(cmd.OrderID), Entity: entityPayment, OrderID: cmd.OrderID, CustomerID: cmd.CustomerID,
		OrderType: cmd.OrderType, Amount: cmd.Amount, Status: StatusPending,
		CardLast4: validate.Last4(cmd.CardNo), CardBrand: validate.CardBrand(cmd.CardNo),
		CorrelationID: correlationID, Version: 1, CreatedAt: at, UpdatedAt: at,
	}
}

// Result is the answer a payment in its current state gives to order.
func (p Payment) Result() contracts.PaymentResult {
	res := contracts.PaymentResult{Status: p.Status, PaymentID: p.ID, CardLast4: p.CardLast4, CardBrand: p.CardBrand}
	if p.Status == StatusDeclined {
		res.Reason = p.DeclineReason
	}
	return res
}

// HistoryItem is a payment as GET /paymentHistories shows it.
type HistoryItem struct {
	PaymentID string `json:"paymentId"`
	OrderID   string `json:"orderId"`
	Status    string `json:"status"`
	Amount    int64  `json:"amount"`
	CardLast4 string `json:"cardLast4"`
	CardBrand string `json:"cardBrand"`
	CreatedAt string `json:"createdAt"`
	UpdatedAt string `json:"updatedAt"`
}

// HistoryItem is the payment's history entry.
func (p Payment) HistoryItem() HistoryItem {
	return HistoryItem{
		PaymentID: p.ID, OrderID: p.OrderID, Status: p.Status, Amount: p.Amount,
		CardLast4: p.CardLast4, CardBrand: p.CardBrand, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
}
