package main

import (
	"context"
	"errors"
	"time"

	"github.com/calltaxi/call-taxi/shared/apperr"
	"github.com/calltaxi/call-taxi/shared/ids"
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/metrics"
)

// maxDecisions bounds every read-decide-write loop when concurrent writers keep winning.
const maxDecisions = 5

// Service holds the taxi use cases: the drivers' fleet and the assignment of taxis to reservations. It
// only writes its tables: the events an assignment write means are published from the TaxiAssignments
// stream (outbox.go).
type Service struct {
	store   Store
	metrics *metrics.Recorder // nil records nothing
	now     func() time.Time
}

// NewService returns the service.
func NewService(store Store, recorder *metrics.Recorder) *Service {
	return &Service{store: store, metrics: recorder, now: time.Now}
}

// Register adds a driver's taxi.
func (s *Service) Register(ctx context.Context, driverID string, r Registration) (*Taxi, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	t := NewTaxi(ids.New(), driverID, r, s.now())
	if err := s.store.CreateTaxi(ctx, t); err != nil {
		return nil, err
	}
	logging.From(ctx).Info("taxi registered", "taxiId", t.ID, "grade", t.Grade, "stockCnt", t.StockCnt)
	return &t, nil
}

// Update changes the stock or price of the caller's own taxi, retrying when an assignment or release
// changed it meanwhile.
func (s *Service) Update(ctx context.Context, driverID, id string, u Update) (*Taxi, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	for range maxDecisions {
		cur, err := s.store.GetTaxi(ctx, id)
		if err != nil {
			return nil, err
		}
		if cur == nil {
			return nil, apperr.NotFound("taxi", id)
		}
		if cur.DriverID != driverID {
			return nil, apperr.Forbidden("only the driver who registered this taxi may change it")
		}
		next := cur.Apply(u, s.now())
		err = s.store.SaveTaxi(ctx, next)
		if errors.Is(err, ErrVersionConflict) {
			continue
		}
		if err != nil {
			return nil, err
		}
		logging.From(ctx).Info("taxi updated", "taxiId", id, "stockCnt", next.StockCnt, "suppliedCnt", next.SuppliedCnt)
		return &next, nil
	}
	return nil, apperr.Conflict("taxi %s is changing concurrently, retry", id)
}

// List returns the taxis of a grade, or all.
func (s *Service) List(ctx context.Context, grade string) ([]Taxi, error) {
	return s.store.ListTaxis(ctx, grade)
}
