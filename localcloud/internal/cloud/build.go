package cloud

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// buildFunctions runs the same Makefile targets `sam build` runs (build-<LogicalId>), for the host's
// architecture, so the local cloud executes the very code that ships.
func buildFunctions(ctx context.Context, repoRoot, buildDir string, logicalIDs []string, skip bool) (map[string]string, error) {
	binaries := make(map[string]string, len(logicalIDs))
	for _, id := range logicalIDs {
		binaries[id] = filepath.Join(buildDir, id, "bootstrap")
	}
	// Two builds at a time: each `go build` already uses every core for compiling, and the link steps
	// overlap the next build's compile.
	errs := make([]error, len(logicalIDs))
	slots := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i, id := range logicalIDs {
		if skip {
			if _, err := os.Stat(binaries[id]); err == nil {
				continue
			}
		}
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			errs[i] = buildFunction(ctx, repoRoot, filepath.Join(buildDir, id), id)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return binaries, nil
}

// buildFunction runs make build-<id> into artifacts.
func buildFunction(ctx context.Context, repoRoot, artifacts, id string) error {
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		return fmt.Errorf("build dir: %w", err)
	}
	cmd := exec.CommandContext(ctx, "make", "--no-print-directory", "-C", repoRoot, "build-"+id,
		"ARTIFACTS_DIR="+artifacts, "LAMBDA_GOARCH="+runtime.GOARCH)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("make build-%s: %w\n%s", id, err, strings.TrimSpace(string(out)))
	}
	return nil
}
