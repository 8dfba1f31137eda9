package schedexpr

import (
	"strings"
	"testing"
	"time"
)

// EventBridge User Guide, "Rate expressions reference" (eb-rate-expressions): "If the value is equal to 1,
// then the unit must be singular. If the value is greater than 1, the unit must be plural. For example,
// rate(1 hours) and rate(5 hour) aren't valid, but rate(1 hour) and rate(5 hours) are valid."
func TestParseRate_ebRateExpressions(t *testing.T) {
	valid := map[string]time.Duration{
		"rate(1 minute)":   time.Minute,
		"rate(5 minutes)":  5 * time.Minute,
		"rate(1 hour)":     time.Hour,
		"rate(12 hours)":   12 * time.Hour,
		"rate(1 day)":      24 * time.Hour,
		"rate(7 days)":     7 * 24 * time.Hour,
		"rate( 2  hours )": 2 * time.Hour,
	}
	for src, want := range valid {
		e, err := Parse(src)
		if err != nil {
			t.Errorf("Parse(%q): %v", src, err)
			continue
		}
		if e.Rate() != want || e.String() != src {
			t.Errorf("Parse(%q) = rate %v %q, want %v", src, e.Rate(), e.String(), want)
		}
	}
	invalid := map[string]string{
		"rate(1 minutes)":  "singular",
		"rate(1 hours)":    "singular",
		"rate(5 hour)":     "plural",
		"rate(0 minutes)":  "positive integer",
		"rate(-5 minutes)": "positive integer",
		"rate(1.5 hours)":  "positive integer",
		"rate(5 seconds)":  "unit",
		"rate(5)":          "value unit",
		"rate(5 Minutes)":  "unit",
		"every 5 minutes":  "expected rate",
		"rate(5 minutes":   "expected rate",
	}
	for src, want := range invalid {
		if _, err := Parse(src); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) err = %v, want one mentioning %q", src, err, want)
		}
	}
}

// EventBridge User Guide, "Cron expressions reference" (eb-cron-expressions): six fields, the wildcards each
// field allows, and "If you specify a value or a * (asterisk) in one of the fields, you must use a ? in the
// other."
func TestParseCronRefuses_ebCronExpressions(t *testing.T) {
	invalid := map[string]string{
		"cron(0 12 * * ?)":         "six fields",
		"cron(0 12 * * ? * *)":     "six fields",
		"cron(0 12 * * * *)":       "cannot both be given",
		"cron(0 12 1 * MON *)":     "cannot both be given",
		"cron(0 12 ? * ? *)":       "cannot both be ?",
		"cron(60 12 * * ? *)":      "minutes",
		"cron(0 24 * * ? *)":       "hours",
		"cron(0 12 32 * ? *)":      "day-of-month",
		"cron(0 12 0 * ? *)":       "day-of-month",
		"cron(0 12 * 13 ? *)":      "month",
		"cron(0 12 ? * 8 *)":       "day-of-week",
		"cron(0 12 ? * 0 *)":       "day-of-week",
		"cron(0 12 * * ? 1969)":    "year",
		"cron(0 12 * * ? 2200)":    "year",
		"cron(0 12 ? * 1/2 *)":     "/ is not allowed",
		"cron(0/0 12 * * ? *)":     "increment",
		"cron(? 12 * * ? *)":       "minutes",
		"cron(L 12 * * ? *)":       "minutes",
		"cron(0 12 L * ? *)":       "",
		"cron(0 12 ? * 3#1,6#3 *)": "#",
		"cron(0 12 ? * 3#6 *)":     "#",
		"cron(0 12 1W,15 * ? *)":   `"1W" is not a value`,
		"cron(0 12 1-5W * ? *)":    "W follows",
		"cron(0 22-2 * * ? *)":     "backwards",
	}
	for src, want := range invalid {
		_, err := Parse(src)
		if want == "" {
			if err != nil {
				t.Errorf("Parse(%q): %v", src, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) err = %v, want one mentioning %q", src, err, want)
		}
	}
}

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// Firing times of the examples in eb-cron-expressions ("Examples" table) and of each wildcard it describes.
func TestCronNext_ebCronExpressions(t *testing.T) {
	tests := []struct {
		expr, after string
		want        []string
	}{
		// "Run at 10:00 am (UTC+0) every day"
		{"cron(0 10 * * ? *)", "2024-03-01 09:59", []string{"2024-03-01 10:00", "2024-03-02 10:00"}},
		{"cron(0 10 * * ? *)", "2024-03-01 10:00", []string{"2024-03-02 10:00"}},
		// "Run at 12:15 pm (UTC+0) every day"
		{"cron(15 12 * * ? *)", "2024-12-31 13:00", []string{"2025-01-01 12:15"}},
		// "Run at 6:00 pm (UTC+0) every Monday through Friday" — 2024-03-01 is a Friday
		{"cron(0 18 ? * MON-FRI *)", "2024-03-01 18:00", []string{"2024-03-04 18:00", "2024-03-05 18:00"}},
		// "Run at 8:00 am (UTC+0) every first day of the month"
		{"cron(0 8 1 * ? *)", "2024-01-15 00:00", []string{"2024-02-01 08:00", "2024-03-01 08:00"}},
		// "Run every 15 minutes"
		{"cron(0/15 * * * ? *)", "2024-03-01 10:07", []string{"2024-03-01 10:15", "2024-03-01 10:30", "2024-03-01 10:45", "2024-03-01 11:00"}},
		// "Run every 10 minutes Monday through Friday" — Friday evening rolls over to Monday
		{"cron(0/10 * ? * MON-FRI *)", "2024-03-01 23:55", []string{"2024-03-04 00:00", "2024-03-04 00:10"}},
		// "Run every 5 minutes Monday through Friday between 8:00 am and 5:55 pm (UTC+0)"
		{"cron(0/5 8-17 ? * MON-FRI *)", "2024-03-04 17:52", []string{"2024-03-04 17:55", "2024-03-05 08:00"}},
		// "Run at 9:00 am (UTC+0) on the first Monday of each month"
		{"cron(0 9 ? * 2#1 *)", "2024-03-01 00:00", []string{"2024-03-04 09:00", "2024-04-01 09:00", "2024-05-06 09:00"}},
		// "1/10 … the 11th, 21st, and 31st minute"
		{"cron(1/10 * * * ? *)", "2024-03-01 10:00", []string{"2024-03-01 10:01", "2024-03-01 10:11", "2024-03-01 10:21"}},
		// lists and month names
		{"cron(30 6,18 ? * SUN *)", "2024-03-03 07:00", []string{"2024-03-03 18:30", "2024-03-10 06:30"}},
		{"cron(0 0 1 JAN,JUL ? *)", "2024-01-01 00:00", []string{"2024-07-01 00:00", "2025-01-01 00:00"}},
		// L in day-of-month: the last day (leap February)
		{"cron(0 0 L * ? *)", "2024-02-01 00:00", []string{"2024-02-29 00:00", "2024-03-31 00:00", "2024-04-30 00:00"}},
		// L in day-of-week: the last day of the week, Saturday; 6L: the last Friday of the month
		{"cron(0 0 ? * L *)", "2024-03-01 00:00", []string{"2024-03-02 00:00", "2024-03-09 00:00"}},
		{"cron(0 0 ? * 6L *)", "2024-03-01 00:00", []string{"2024-03-29 00:00", "2024-04-26 00:00"}},
		// 3W: the weekday closest to the 3rd (2024-03-03 is a Sunday → Monday 4th; 2024-08-03 a Saturday → Friday 2nd)
		{"cron(0 0 3W * ? *)", "2024-03-01 00:00", []string{"2024-03-04 00:00", "2024-04-03 00:00"}},
		{"cron(0 0 3W * ? *)", "2024-08-01 00:00", []string{"2024-08-02 00:00"}},
		// 1W on a Saturday 1st stays in the month (2024-06-01 is a Saturday → Monday 3rd)
		{"cron(0 0 1W * ? *)", "2024-05-31 00:00", []string{"2024-06-03 00:00"}},
		// LW: the last weekday (2024-03-31 is a Sunday → Friday 29th)
		{"cron(0 0 LW * ? *)", "2024-03-01 00:00", []string{"2024-03-29 00:00", "2024-04-30 00:00"}},
		// 31 skips the months without one
		{"cron(0 0 31 * ? *)", "2024-04-01 00:00", []string{"2024-05-31 00:00", "2024-07-31 00:00"}},
		// the year field ends the schedule
		{"cron(0 0 1 1 ? 2025-2026)", "2024-06-01 00:00", []string{"2025-01-01 00:00", "2026-01-01 00:00", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.expr+" after "+tt.after, func(t *testing.T) {
			e, err := Parse(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			prev := utc(tt.after)
			for i, want := range tt.want {
				got := e.Next(prev)
				if want == "" {
					if !got.IsZero() {
						t.Fatalf("firing %d = %v, want none", i, got)
					}
					return
				}
				if !got.Equal(utc(want)) {
					t.Fatalf("firing %d = %v, want %s", i, got.Format("2006-01-02 15:04 Mon"), want)
				}
				prev = got
			}
		})
	}
}

// "A rate expression starts when you create the scheduled event rule" (eb-rate-expressions): the first
// firing is one interval after the start.
func TestRateNext(t *testing.T) {
	e, err := Parse("rate(5 minutes)")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2024, 3, 1, 10, 2, 30, 0, time.UTC)
	if got := e.Next(start); !got.Equal(start.Add(5 * time.Minute)) {
		t.Errorf("Next = %v", got)
	}
}

func TestCronNextIsUTC(t *testing.T) {
	e, err := Parse("cron(0 10 * * ? *)")
	if err != nil {
		t.Fatal(err)
	}
	tokyo := time.FixedZone("JST", 9*3600)
	got := e.Next(time.Date(2024, 3, 1, 12, 0, 0, 0, tokyo)) // 03:00 UTC
	if want := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Next = %v, want %v", got, want)
	}
}
