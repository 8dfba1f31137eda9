package cloud

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// buildFunctions runs the same Makefile targets `sam build` runs (build-<LogicalId>), for the host's
// architecture, so the local cloud executes the very code that ships.
func buildFunctions(ctx context.Context, repoRoot, buildDir string, logicalIDs []string, skip bool) (map[string]string, error) {
	binaries := make(map[string]string, len(logicalIDs))
	for _, id := range logicalIDs {
		artifacts := filepath.Join(buildDir, id)
		bin := filepath.Join(artifacts, "bootstrap")
		binaries[id] = bin
		if skip {
			if _, err := os.Stat(bin); err == nil {
				continue
			}
		}
		if err := os.MkdirAll(artifacts, 0o755); err != nil {
			return nil, fmt.Errorf("build dir: %w", err)
		}
		cmd := exec.CommandContext(ctx, "make", "--no-print-directory", "-C", repoRoot, "build-"+id,
			"ARTIFACTS_DIR="+artifacts, "LAMBDA_GOARCH="+runtime.GOARCH)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("make build-%s: %w\n%s", id, err, strings.TrimSpace(string(out)))
		}
	}
	return binaries, nil
}
