package samtemplate

import (
	"errors"
	"io/fs"
	"os"
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
	for _, id := range []string{"OrderFunction", "PaymentFunction", "ReservationFunction", "TaxiFunction", "MyPageFunction", "NotifyFunction"} {
		fn, ok := tpl.Functions[id]
		if !ok {
			t.Errorf("function %s missing", id)
			continue
		}
		if fn.Name == "" || fn.Arn == "" || fn.Runtime == "" || fn.Handler == "" {
			t.Errorf("%s: incomplete function %+v", id, fn)
		}
		if len(fn.HttpRoutes)+len(fn.Rules)+len(fn.Streams) == 0 {
			t.Errorf("%s: no event sources", id)
		}
	}
	if len(tpl.Functions) != 6 {
		t.Errorf("want 6 functions, got %d", len(tpl.Functions))
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
