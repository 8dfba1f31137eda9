package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/calltaxi/call-taxi/shared/contracts"
)

// InvokeAPI is the one Lambda call the payments adapter needs.
type InvokeAPI interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, opts ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// maxPaymentWait bounds one payment invoke even when the Lambda deadline is further away.
const maxPaymentWait = 12 * time.Second

// deadlineMargin is kept after a payment invoke so the order function can still answer 503.
const deadlineMargin = time.Second

// LambdaPayments invokes the payment context's functions' aliases synchronously: charges and refunds go
// to the function behind the overload guard, status reads to the records function.
type LambdaPayments struct {
	client          InvokeAPI
	chargesFunction string
	recordsFunction string
	qualifier       string
}

var _ Payments = (*LambdaPayments)(nil)

// NewLambdaPayments returns the adapter for the named functions and alias.
func NewLambdaPayments(client InvokeAPI, chargesFunction, recordsFunction, qualifier string) *LambdaPayments {
	return &LambdaPayments{client: client, chargesFunction: chargesFunction, recordsFunction: recordsFunction, qualifier: qualifier}
}

// Charge asks payment to charge the order's fare.
func (p *LambdaPayments) Charge(ctx context.Context, req contracts.PaymentRequest) (contracts.PaymentResult, error) {
	req.Action = contracts.PaymentActionCharge
	return p.invoke(ctx, p.chargesFunction, req)
}

// Refund asks payment to refund the order's payment.
func (p *LambdaPayments) Refund(ctx context.Context, req contracts.PaymentRequest) (contracts.PaymentResult, error) {
	req.Action = contracts.PaymentActionRefund
	return p.invoke(ctx, p.chargesFunction, req)
}

// Status asks payment for the order's payment as it stands.
func (p *LambdaPayments) Status(ctx context.Context, req contracts.PaymentRequest) (contracts.PaymentResult, error) {
	req.Action = contracts.PaymentActionStatus
	return p.invoke(ctx, p.recordsFunction, req)
}

func (p *LambdaPayments) invoke(ctx context.Context, functionName string, req contracts.PaymentRequest) (contracts.PaymentResult, error) {
	payload, err := json.Marshal(req)
	if err != nil {
		return contracts.PaymentResult{}, fmt.Errorf("%w: encode %s request: %w", ErrPaymentUnavailable, req.Action, err)
	}
	ctx, cancel := context.WithTimeout(ctx, invokeTimeout(ctx, time.Now()))
	defer cancel()
	in := &lambda.InvokeInput{
		FunctionName:   aws.String(functionName),
		InvocationType: types.InvocationTypeRequestResponse,
		Payload:        payload,
	}
	if p.qualifier != "" {
		in.Qualifier = aws.String(p.qualifier)
	}
	out, err := p.client.Invoke(ctx, in)
	var throttled *types.TooManyRequestsException
	switch {
	case errors.As(err, &throttled):
		return contracts.PaymentResult{}, fmt.Errorf("%w: %s: %s", ErrPaymentThrottled, throttled.Reason, aws.ToString(throttled.Message))
	case err != nil:
		return contracts.PaymentResult{}, fmt.Errorf("%w: invoke %s: %w", ErrPaymentUnavailable, req.Action, err)
	case out.FunctionError != nil:
		return contracts.PaymentResult{}, fmt.Errorf("%w: %s failed: %s %s", ErrPaymentUnavailable, req.Action, aws.ToString(out.FunctionError), errorType(out.Payload))
	}
	var res contracts.PaymentResult
	if err := json.Unmarshal(out.Payload, &res); err != nil || res.Status == "" {
		return contracts.PaymentResult{}, fmt.Errorf("%w: %s answered an unreadable result", ErrPaymentUnavailable, req.Action)
	}
	return res, nil
}

// invokeTimeout is min(Lambda deadline − 1 s, 12 s): a slow payment leaves time to answer 503.
func invokeTimeout(ctx context.Context, now time.Time) time.Duration {
	if deadline, ok := ctx.Deadline(); ok {
		if left := deadline.Sub(now) - deadlineMargin; left < maxPaymentWait {
			return left
		}
	}
	return maxPaymentWait
}

// errorType reads only the errorType of a function error payload: its message is not ours to log.
func errorType(payload []byte) string {
	var fe struct {
		ErrorType string `json:"errorType"`
	}
	_ = json.Unmarshal(payload, &fe)
	return fe.ErrorType
}
