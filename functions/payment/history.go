package main

import (
	"context"
	"strings"

	"github.com/calltaxi/call-taxi/shared/apperr"
)

// History lists an order's payments: managers see any order's, customers only their own (another
// customer's order does not exist for them).
func (s *Service) History(ctx context.Context, owner, orderID string) ([]HistoryItem, error) {
	orderID = strings.TrimSpace(orderID)
	if orderID == "" || len(orderID) > maxIDLen {
		return nil, apperr.Invalid("orderId", "query parameter is required (at most %d characters)", maxIDLen)
	}
	payments, err := s.store.ListByOrder(ctx, orderID)
	if err != nil {
		return nil, err
	}
	items := make([]HistoryItem, 0, len(payments))
	for _, p := range payments {
		if owner != "" && p.CustomerID != owner {
			return nil, apperr.NotFound("payment history of order", orderID)
		}
		items = append(items, p.HistoryItem())
	}
	return items, nil
}
