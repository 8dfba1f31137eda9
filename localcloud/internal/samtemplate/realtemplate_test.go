package samtemplate

import (
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
)

const realTemplatePath = "../../../template.yaml"

// TestLoadRealTemplate loads the project's template.yaml (skipped while it does not exist).
func TestLoadRealTemplate(t *testing.T) {
	if _, err := os.Stat(realTemplatePath); errors.Is(err, fs.ErrNotExist) {
		t.Skip("template.yaml not written yet")
	}
	tpl, err := Load(realTemplatePath, Options{})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	ids := []string{"OrderFunction", "PaymentFunction", "PaymentRecordsFunction", "ReservationFunction", "TaxiFunction",
		"MyPageFunction", "NotifyFunction", "IdentityFunction"}
	// Besides its own events, a function may be triggered by a user pool or invoked by another function
	// whose environment names it.
	triggered := map[string]bool{}
	for _, pool := range tpl.UserPools {
		for _, fn := range pool.Triggers {
			triggered[fn] = true
		}
	}
	for _, other := range tpl.Functions {
		for _, v := range other.Env {
			for _, fn := range tpl.Functions {
				if v == fn.Name || v == fn.Arn || strings.HasPrefix(v, fn.Arn+":") {
					triggered[fn.Name] = true
				}
			}
		}
	}
	for _, id := range ids {
		fn, ok := tpl.Functions[id]
		if !ok {
			t.Errorf("function %s missing", id)
			continue
		}
		if fn.Name == "" || fn.Arn == "" || fn.Runtime == "" || fn.Handler == "" {
			t.Errorf("%s: incomplete function %+v", id, fn)
		}
		if len(fn.HttpRoutes)+len(fn.Rules)+len(fn.Streams)+len(fn.Queues)+len(fn.Schedules) == 0 && !triggered[fn.Name] {
			t.Errorf("%s: no event sources", id)
		}
	}
	if len(tpl.Functions) != len(ids) {
		t.Errorf("want %d functions, got %d", len(ids), len(tpl.Functions))
	}
	if pool := tpl.UserPools["UserPool"]; pool == nil || pool.Triggers["PostConfirmation"] != tpl.Functions["IdentityFunction"].Name ||
		!slices.Equal(pool.Groups, []string{"customers", "drivers", "managers"}) {
		t.Errorf("UserPool = %+v, want groups customers, drivers, managers and IdentityFunction as its PostConfirmation trigger", pool)
	}
	if len(tpl.Tables) == 0 || len(tpl.HttpApis) == 0 {
		t.Errorf("want tables and an HTTP API, got %d tables, %d APIs", len(tpl.Tables), len(tpl.HttpApis))
	}
	if testing.Verbose() {
		for _, line := range tpl.Unsupported {
			t.Log("unsupported:", line)
		}
	}
}
