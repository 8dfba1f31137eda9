package calltaxi_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Lambda developer guide, "Log-level filtering": with LoggingConfig LogFormat JSON, Lambda filters a custom
// runtime's records by their "level" and "timestamp" fields. Each function's own logger is checked on the line
// its main writes when started without configuration.
func TestEveryFunctionLogsLambdaLevelAndTimestamp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every function: skipped in -short mode")
	}
	t.Parallel()
	dir := t.TempDir()
	for _, fn := range []string{"mypage", "notify", "order", "payment", "reservation", "taxi"} {
		t.Run(fn, func(t *testing.T) {
			bin := filepath.Join(dir, fn)
			if out, err := exec.Command("go", "build", "-o", bin, "./functions/"+fn).CombinedOutput(); err != nil {
				t.Fatalf("build: %v\n%s", err, out)
			}
			cmd := exec.Command(bin)
			cmd.Env = []string{"PATH=" + os.Getenv("PATH")} // no tables, no bus: main logs a configuration error
			var stdout bytes.Buffer
			cmd.Stdout = &stdout
			if err := cmd.Run(); err == nil {
				t.Fatal("started without configuration")
			}
			line, _, _ := bufio.NewReader(&stdout).ReadLine()
			var rec map[string]any
			if err := json.Unmarshal(line, &rec); err != nil {
				t.Fatalf("first stdout line %q is not JSON: %v", line, err)
			}
			ts, _ := rec["timestamp"].(string)
			if _, err := time.Parse(time.RFC3339, ts); err != nil {
				t.Errorf("timestamp %q is not RFC 3339: %v (%s)", ts, err, line)
			}
			if rec["level"] != "ERROR" {
				t.Errorf("level = %v, want ERROR (%s)", rec["level"], line)
			}
		})
	}
}
