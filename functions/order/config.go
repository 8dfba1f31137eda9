package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/calltaxi/call-taxi/shared/runtimeconfig"
)

// ParameterFares reads MinTaxiPrice from its Parameter Store parameter (MIN_TAXI_PRICE_PARAMETER).
type ParameterFares struct {
	minTaxiPrice *runtimeconfig.Value[int64]
}

var _ FareConfig = (*ParameterFares)(nil)

// NewParameterFares reads the minimum fare from the parameter name through r.
func NewParameterFares(r *runtimeconfig.Reader, name string) *ParameterFares {
	return &ParameterFares{minTaxiPrice: runtimeconfig.NewValue(r, name, parseMinTaxiPrice)}
}

// MinTaxiPrice implements FareConfig.
func (f *ParameterFares) MinTaxiPrice(ctx context.Context) (int64, error) {
	return f.minTaxiPrice.Get(ctx)
}

func parseMinTaxiPrice(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("min taxi price: %w", err)
	}
	if n <= 0 {
		return 0, errors.New("min taxi price must be positive")
	}
	return n, nil
}
