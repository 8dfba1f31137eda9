package schedexpr

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

const (
	minYear = 1970
	maxYear = 2199
)

// cron is a parsed six-field cron expression. Exactly one of the day-of-month and day-of-week parts is
// in use; the other was "?".
type cron struct {
	minutes, hours, months, years []bool // indexed by value (years by value-minYear)
	dom                           domSpec
	dow                           *dowSpec // nil when day-of-week is "?"
}

// domSpec is the day-of-month field: a set of days, or L (last day), LW (last weekday) or nW (the weekday
// nearest day n). any is set when the field is "?".
type domSpec struct {
	any         bool
	days        []bool
	last        bool
	lastWeekday bool
	nearest     int // nW; 0 = not used
}

// dowSpec is the day-of-week field (1 = SUN … 7 = SAT): a set of weekdays, or nL (the last weekday n of
// the month) or n#k (the k-th weekday n of the month).
type dowSpec struct {
	days    []bool
	lastOf  int // nL; 0 = not used
	nth     int // n#k: the weekday n …
	nthWeek int // … in week k; 0 = not used
}

type fieldSpec struct {
	name     string
	min, max int
	names    map[string]int
}

var (
	minuteField = fieldSpec{name: "minutes", min: 0, max: 59}
	hourField   = fieldSpec{name: "hours", min: 0, max: 23}
	domField    = fieldSpec{name: "day-of-month", min: 1, max: 31}
	monthField  = fieldSpec{name: "month", min: 1, max: 12, names: map[string]int{
		"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}}
	dowField = fieldSpec{name: "day-of-week", min: 1, max: 7, names: map[string]int{
		"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}}
	yearField = fieldSpec{name: "year", min: minYear, max: maxYear}
)

func parseCron(body string) (*cron, error) {
	f := strings.Fields(body)
	if len(f) != 6 {
		return nil, fmt.Errorf("a cron expression has six fields (minutes hours day-of-month month day-of-week year), got %d", len(f))
	}
	c := &cron{}
	var err error
	if c.minutes, err = parseSet(f[0], minuteField, false); err != nil {
		return nil, err
	}
	if c.hours, err = parseSet(f[1], hourField, false); err != nil {
		return nil, err
	}
	if c.months, err = parseSet(f[3], monthField, false); err != nil {
		return nil, err
	}
	years, err := parseSet(f[5], yearField, false)
	if err != nil {
		return nil, err
	}
	c.years = years[minYear:]
	// "You can't specify the Day-of-month and Day-of-week fields in the same cron expression. If you
	// specify a value or a * (asterisk) in one of the fields, you must use a ? (question mark) in the other."
	switch {
	case f[2] == "?" && f[4] == "?":
		return nil, fmt.Errorf("day-of-month and day-of-week cannot both be ?")
	case f[2] != "?" && f[4] != "?":
		return nil, fmt.Errorf("day-of-month (%s) and day-of-week (%s) cannot both be given: use ? in one of them", f[2], f[4])
	case f[2] == "?":
		c.dom.any = true
		if c.dow, err = parseDow(f[4]); err != nil {
			return nil, err
		}
	default:
		if c.dom, err = parseDom(f[2]); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func parseDom(s string) (domSpec, error) {
	switch {
	case s == "L":
		return domSpec{last: true}, nil
	case s == "LW":
		return domSpec{lastWeekday: true}, nil
	case strings.HasSuffix(s, "W"):
		n, err := fieldValue(strings.TrimSuffix(s, "W"), domField)
		if err != nil {
			return domSpec{}, fmt.Errorf("day-of-month %q: W follows a single day, as in 3W", s)
		}
		return domSpec{nearest: n}, nil
	}
	days, err := parseSet(s, domField, false)
	return domSpec{days: days}, err
}

func parseDow(s string) (*dowSpec, error) {
	switch {
	case s == "L": // the last day of the week: Saturday
		days := make([]bool, dowField.max+1)
		days[7] = true
		return &dowSpec{days: days}, nil
	case strings.HasSuffix(s, "L"):
		n, err := fieldValue(strings.TrimSuffix(s, "L"), dowField)
		if err != nil {
			return nil, fmt.Errorf("day-of-week %q: L follows a single weekday, as in 6L", s)
		}
		return &dowSpec{lastOf: n}, nil
	case strings.Contains(s, "#"):
		// "If you use the '#' character, you can define only one expression in the day-of-week field."
		day, week, _ := strings.Cut(s, "#")
		n, err := fieldValue(day, dowField)
		if err != nil {
			return nil, fmt.Errorf("day-of-week %q: # takes one weekday and a week 1-5, as in 3#2", s)
		}
		k, err := strconv.Atoi(week)
		if err != nil || k < 1 || k > 5 {
			return nil, fmt.Errorf("day-of-week %q: # takes one weekday and a week 1-5, as in 3#2", s)
		}
		return &dowSpec{nth: n, nthWeek: k}, nil
	}
	days, err := parseSet(s, dowField, true)
	return &dowSpec{days: days}, err
}

// parseSet reads a comma-separated list of *, values, ranges a-b and steps (*|a|a-b)/n. The day-of-week
// field takes no steps ("/" is not among its wildcards).
func parseSet(s string, f fieldSpec, noSteps bool) ([]bool, error) {
	set := make([]bool, f.max+1)
	for _, item := range strings.Split(s, ",") {
		base, stepText, hasStep := strings.Cut(item, "/")
		step := 1
		if hasStep {
			if noSteps {
				return nil, fmt.Errorf("%s %q: / is not allowed in this field", f.name, s)
			}
			n, err := strconv.Atoi(stepText)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("%s %q: the increment after / must be a positive integer", f.name, s)
			}
			step = n
		}
		lo, hi := f.min, f.max
		switch {
		case base == "*":
		case strings.Contains(base, "-"):
			a, b, _ := strings.Cut(base, "-")
			var err error
			if lo, err = fieldValue(a, f); err != nil {
				return nil, err
			}
			if hi, err = fieldValue(b, f); err != nil {
				return nil, err
			}
			if lo > hi {
				return nil, fmt.Errorf("%s %q: range %s runs backwards", f.name, s, base)
			}
		default:
			v, err := fieldValue(base, f)
			if err != nil {
				return nil, err
			}
			lo = v
			if !hasStep { // "5" is just 5; "5/10" is 5, 15, 25, …
				hi = v
			}
		}
		for v := lo; v <= hi; v += step {
			set[v] = true
		}
	}
	return set, nil
}

func fieldValue(s string, f fieldSpec) (int, error) {
	if v, ok := f.names[strings.ToUpper(s)]; ok {
		return v, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < f.min || v > f.max {
		return 0, fmt.Errorf("%s: %q is not a value in %d-%d", f.name, s, f.min, f.max)
	}
	return v, nil
}

// next is the first whole minute after t that the expression matches, or the zero time.
func (c *cron) next(t time.Time) time.Time {
	t = t.UTC().Truncate(time.Minute).Add(time.Minute)
	for t.Year() <= maxYear {
		y, m, d := t.Date()
		switch {
		case y < minYear || !c.years[y-minYear]:
			t = time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC)
			continue
		case !c.months[m]:
			t = time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)
			continue
		case !c.dayMatches(y, m, d):
			t = time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
			continue
		}
		for h := t.Hour(); h < 24; h++ {
			if !c.hours[h] {
				continue
			}
			first := 0
			if h == t.Hour() {
				first = t.Minute()
			}
			for mi := first; mi < 60; mi++ {
				if c.minutes[mi] {
					return time.Date(y, m, d, h, mi, 0, 0, time.UTC)
				}
			}
		}
		t = time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
	}
	return time.Time{}
}

func (c *cron) dayMatches(y int, m time.Month, d int) bool {
	last := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
	weekday := int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday()) + 1 // 1 = SUN
	if c.dow != nil {
		switch {
		case c.dow.lastOf != 0:
			return weekday == c.dow.lastOf && d+7 > last
		case c.dow.nthWeek != 0:
			return weekday == c.dow.nth && (d-1)/7+1 == c.dow.nthWeek
		default:
			return c.dow.days[weekday]
		}
	}
	switch {
	case c.dom.last:
		return d == last
	case c.dom.lastWeekday:
		return d == nearestWeekday(y, m, last, last)
	case c.dom.nearest != 0:
		if c.dom.nearest > last {
			return false
		}
		return d == nearestWeekday(y, m, c.dom.nearest, last)
	default:
		return c.dom.days[d]
	}
}

// nearestWeekday is the Monday-to-Friday day closest to day n without leaving the month.
func nearestWeekday(y int, m time.Month, n, last int) int {
	switch time.Date(y, m, n, 0, 0, 0, 0, time.UTC).Weekday() {
	case time.Saturday:
		if n == 1 {
			return 3 // the Monday after: Friday would be in the previous month
		}
		return n - 1
	case time.Sunday:
		if n == last {
			return n - 2
		}
		return n + 1
	}
	return n
}
