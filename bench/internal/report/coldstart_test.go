package report

import (
	"strings"
	"testing"

	"github.com/calltaxi/call-taxi/bench/internal/api"
	"github.com/calltaxi/call-taxi/bench/internal/coldstart"
	"github.com/calltaxi/call-taxi/bench/internal/stats"
)

func idle(name string, p50, max float64, starts ...float64) coldstart.Function {
	return coldstart.Function{Name: name, StartsMs: starts, Starts: stats.Summary{Count: len(starts), P50: p50, Max: max}}
}

func TestColdStartRows(t *testing.T) {
	underLoad := []api.FunctionStats{{Name: "a", ColdStarts: 3, AvgColdStartMs: 40}, {Name: "b", ColdStarts: 0, AvgColdStartMs: 99}}
	tests := []struct {
		name        string
		idle        []coldstart.Function
		load        []api.FunctionStats
		met         bool
		measured    string
		verdict     string
		wantLoadRow string // "" = no under-load row
		wantInTable []string
		wantNoTable bool
	}{
		{name: "every p50 under 10 ms", idle: []coldstart.Function{idle("a", 6, 30, 6, 5, 30), idle("b", 9.5, 9.9, 9.5, 9.9, 9)},
			load: underLoad, met: true, measured: "9.50 ms (b; max 9.90 ms, n=3)", verdict: "met, margin 0.50 ms",
			wantLoadRow: "40.0 ms (a)", wantInTable: []string{"| a | 3 | 6.00 | 30.0 | 6.00, 5.00, 30.0 |", "| b | 3 | 9.50 | 9.90 | 9.50, 9.90, 9.00 |"}},
		{name: "a max over 10 ms does not miss: the p50 is judged", idle: []coldstart.Function{idle("a", 4, 50, 4, 50, 3)},
			met: true, measured: "4.00 ms (a; max 50.0 ms, n=3)", verdict: "met"},
		{name: "the slowest p50 misses", idle: []coldstart.Function{idle("a", 12, 14, 12, 14, 11), idle("b", 21.8, 25, 21.8, 25, 20)},
			load: underLoad, measured: "21.8 ms (b; max 25.0 ms, n=3)", verdict: "missed by 11.8 ms", wantLoadRow: "40.0 ms (a)"},
		{name: "equal to the limit misses (strict)", idle: []coldstart.Function{idle("a", 10, 10, 10)}, verdict: "missed by 0.00 ms",
			measured: "10.0 ms (a; max 10.0 ms, n=1)"},
		{name: "not measured is never met", load: underLoad, measured: noData, verdict: "not measured", wantLoadRow: "40.0 ms (a)", wantNoTable: true},
		{name: "a function with no start is ignored", idle: []coldstart.Function{{Name: "a"}}, measured: noData, verdict: "not measured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Run{IdleColdStarts: tt.idle, Functions: tt.load}
			rows := r.coldStartRows()
			idleRow := rows[0]
			if idleRow.Met != tt.met || idleRow.Measured != tt.measured || !strings.HasPrefix(idleRow.Verdict, tt.verdict) || idleRow.Target != "< 10.0 ms" {
				t.Errorf("idle row = %+v, want met %v, measured %q, verdict %q…", idleRow, tt.met, tt.measured, tt.verdict)
			}
			if tt.wantLoadRow == "" {
				if len(rows) != 1 {
					t.Errorf("rows = %+v, want the idle row alone", rows)
				}
			} else if len(rows) != 2 || rows[1].Measured != tt.wantLoadRow || !rows[1].Informational || rows[1].Met {
				t.Errorf("rows = %+v, want an informational under-load row %q", rows, tt.wantLoadRow)
			}
			table := r.idleColdStartTable()
			for _, frag := range tt.wantInTable {
				if !strings.Contains(table, frag) {
					t.Errorf("table lacks %q:\n%s", frag, table)
				}
			}
			if tt.wantNoTable && table != "" {
				t.Errorf("table without measurements = %q", table)
			}
		})
	}
}

func TestEvaluateJudgesTheIdleColdStart(t *testing.T) {
	r := Run{IdleColdStarts: []coldstart.Function{idle("call-taxi-OrderFunction", 8, 9, 8, 9, 7)},
		Functions: []api.FunctionStats{{Name: "call-taxi-OrderFunction", ColdStarts: 9, AvgColdStartMs: 120}}}
	r.Evaluate()
	for _, frag := range []string{
		"| cold start, idle (slowest function's p50) | – | 8.00 ms (call-taxi-OrderFunction; max 9.00 ms, n=3) | < 10.0 ms | met",
		"| cold start under load (slowest function's average) | – | 120 ms (call-taxi-OrderFunction) | – | informational |",
		"| call-taxi-OrderFunction | 3 | 8.00 | 9.00 | 8.00, 9.00, 7.00 |",
	} {
		if !strings.Contains(r.Markdown, frag) {
			t.Errorf("markdown lacks %q:\n%s", frag, r.Markdown)
		}
	}
}
