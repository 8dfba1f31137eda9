package main

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/calltaxi/call-taxi/shared/contracts"
	"github.com/calltaxi/call-taxi/shared/logging"
)

// action is one use case a direct invoke can ask for.
type action func(ctx context.Context, req contracts.PaymentRequest) (contracts.PaymentResult, error)

// directHandler serves order's synchronous invoke: a PaymentRequest in, a PaymentResult out. Only an
// infrastructure failure is an error (a function error for order, which answers 503). An action this
// function does not serve is answered INVALID.
type directHandler struct {
	logger  *slog.Logger
	actions map[string]action
}

func (h directHandler) handle(ctx context.Context, payload json.RawMessage) (any, error) {
	var req contracts.PaymentRequest
	if err := json.Unmarshal(payload, &req); err != nil {
		// The payload is not logged: it may hold a card number.
		return *Invalid("action", "payload is not a payment request"), nil
	}
	requestID := ""
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		requestID = lc.AwsRequestID
	}
	logger := h.logger
	if logger == nil {
		logger = slog.Default()
	}
	ctx = logging.With(ctx, logger, requestID, req.CorrelationID)

	var (
		res contracts.PaymentResult
		err error
	)
	if act, ok := h.actions[req.Action]; ok {
		res, err = act(ctx, req)
	} else {
		res = *Invalid("action", "unknown action")
	}
	log := logging.From(ctx).With("action", req.Action, "orderId", req.OrderID)
	if err != nil {
		log.Error("payment failed", "error", err.Error())
		return nil, err
	}
	log.Info("payment answered", "status", res.Status, "reason", res.Reason, "field", res.Field)
	return res, nil
}
