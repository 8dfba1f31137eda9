package main

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/calltaxi/call-taxi/shared/apperr"
	"github.com/calltaxi/call-taxi/shared/ddbitem"
)

// Grades a taxi can have; a booking's orderType names the grade it needs.
const (
	GradeBasic    = "basic"
	GradePrime    = "prime"
	GradePlatinum = "platinum"
)

// Limits of what a driver may register.
const (
	maxNameLength = 60
	maxStockCnt   = 10_000
	maxItemPrice  = 10_000_000
)

func stamp(now time.Time) string { return now.UTC().Format(ddbitem.TimeLayout) }

// Taxi is one row of the Taxis table. stockCnt is what is available now; the counters let an auditor
// check stockCnt = suppliedCnt − assignedCnt + releasedCnt + completedCnt (a unit comes back when its
// reservation is cancelled, released, or its ride completed).
type Taxi struct {
	ID           string `dynamodbav:"id" json:"id"`
	DriverID     string `dynamodbav:"driverId" json:"driverId"`
	TaxiName     string `dynamodbav:"taxiName" json:"taxiName"`
	CompanyName  string `dynamodbav:"companyName" json:"companyName"`
	Grade        string `dynamodbav:"grade" json:"grade"`
	StockCnt     int64  `dynamodbav:"stockCnt" json:"stockCnt"`
	ItemPrice    int64  `dynamodbav:"itemPrice" json:"itemPrice"`
	SuppliedCnt  int64  `dynamodbav:"suppliedCnt" json:"suppliedCnt"`
	AssignedCnt  int64  `dynamodbav:"assignedCnt" json:"assignedCnt"`
	ReleasedCnt  int64  `dynamodbav:"releasedCnt" json:"releasedCnt"`
	CompletedCnt int64  `dynamodbav:"completedCnt" json:"completedCnt"`
	Version      int64  `dynamodbav:"version" json:"version"`
	CreatedAt    string `dynamodbav:"createdAt" json:"createdAt"`
	UpdatedAt    string `dynamodbav:"updatedAt" json:"updatedAt"`
}

// Balanced reports whether the taxi's counters agree with its stock (the auditor's invariant).
func (t Taxi) Balanced() bool {
	return t.StockCnt >= 0 && t.StockCnt == t.SuppliedCnt-t.AssignedCnt+t.ReleasedCnt+t.CompletedCnt
}

// ParseGrade validates a grade.
func ParseGrade(s string) (string, bool) {
	switch s {
	case GradeBasic, GradePrime, GradePlatinum:
		return s, true
	}
	return "", false
}

// Registration is the body of a driver's POST /taxis.
type Registration struct {
	TaxiName    string `json:"taxiName"`
	CompanyName string `json:"companyName"`
	Grade       string `json:"grade"`
	StockCnt    *int64 `json:"stockCnt"`
	ItemPrice   *int64 `json:"itemPrice"`
}

// Validate checks every field, naming the first bad one.
func (r Registration) Validate() error {
	if err := checkName("taxiName", r.TaxiName); err != nil {
		return err
	}
	if err := checkName("companyName", r.CompanyName); err != nil {
		return err
	}
	if _, ok := ParseGrade(r.Grade); !ok {
		return invalid("grade", "must be one of basic, prime, platinum")
	}
	if r.StockCnt == nil {
		return invalid("stockCnt", "is required")
	}
	if r.ItemPrice == nil {
		return invalid("itemPrice", "is required")
	}
	return checkCounts(r.StockCnt, r.ItemPrice)
}

// NewTaxi is a validated registration's first row: all of its initial stock is supplied.
func NewTaxi(id, driverID string, r Registration, now time.Time) Taxi {
	at := stamp(now)
	return Taxi{
		ID: id, DriverID: driverID, TaxiName: strings.TrimSpace(r.TaxiName), CompanyName: strings.TrimSpace(r.CompanyName),
		Grade: r.Grade, StockCnt: *r.StockCnt, ItemPrice: *r.ItemPrice, SuppliedCnt: *r.StockCnt,
		Version: 1, CreatedAt: at, UpdatedAt: at,
	}
}

// Update is the body of a driver's PATCH /taxis/{id}.
type Update struct {
	StockCnt  *int64 `json:"stockCnt"`
	ItemPrice *int64 `json:"itemPrice"`
}

// Validate requires at least one field and checks the ones given.
func (u Update) Validate() error {
	if u.StockCnt == nil && u.ItemPrice == nil {
		return apperr.BadRequest("at least one of stockCnt, itemPrice is required")
	}
	return checkCounts(u.StockCnt, u.ItemPrice)
}

// Apply returns the taxi's next version. Setting the stock to a new value supplies the difference, so
// the counters stay balanced whatever was assigned or released meanwhile.
func (t Taxi) Apply(u Update, now time.Time) Taxi {
	if u.StockCnt != nil {
		t.SuppliedCnt += *u.StockCnt - t.StockCnt
		t.StockCnt = *u.StockCnt
	}
	if u.ItemPrice != nil {
		t.ItemPrice = *u.ItemPrice
	}
	t.Version++
	t.UpdatedAt = stamp(now)
	return t
}

func checkName(field, v string) error {
	n := utf8.RuneCountInString(strings.TrimSpace(v))
	if n < 1 || n > maxNameLength {
		return invalid(field, fmt.Sprintf("must be 1 to %d characters", maxNameLength))
	}
	return nil
}

func checkCounts(stockCnt, itemPrice *int64) error {
	switch {
	case stockCnt != nil && *stockCnt < 0:
		return invalid("stockCnt", "must be ≥ 0")
	case stockCnt != nil && *stockCnt > maxStockCnt:
		return invalid("stockCnt", fmt.Sprintf("must be ≤ %d", maxStockCnt))
	case itemPrice != nil && *itemPrice < 0:
		return invalid("itemPrice", "must be ≥ 0")
	case itemPrice != nil && *itemPrice > maxItemPrice:
		return invalid("itemPrice", fmt.Sprintf("must be ≤ %d", maxItemPrice))
	}
	return nil
}

// invalid is a validation error whose message reads "field rule", e.g. "stockCnt must be ≥ 0".
func invalid(field, rule string) *apperr.Error {
	e := apperr.Invalid(field, "%s", rule)
	e.Message = field + " " + rule
	return e
}
