package cloudproc

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Functions are the template's function logical ids (docs/architecture.md).
var Functions = []string{"OrderFunction", "PaymentFunction", "ReservationFunction", "TaxiFunction", "MyPageFunction", "NotifyFunction"}

// BootstrapSizes returns the size of each function's arm64 bootstrap. It uses bin/arm64/<id>/bootstrap
// from `make build` when all are there and rebuild is false; otherwise it builds them with the Makefile's
// build-<id> targets into a temp dir. source says which.
func BootstrapSizes(ctx context.Context, repoRoot string, rebuild bool) (sizes map[string]int64, source string, err error) {
	if !rebuild {
		if sizes, ok := statAll(filepath.Join(repoRoot, "bin", "arm64")); ok {
			return sizes, "bin/arm64 (make build)", nil
		}
	}
	tmp, err := os.MkdirTemp("", "calltaxi-bench-arm64-")
	if err != nil {
		return nil, "", fmt.Errorf("temp dir: %w", err)
	}
	defer os.RemoveAll(tmp)
	for _, id := range Functions {
		cmd := exec.CommandContext(ctx, "make", "--no-print-directory", "-C", repoRoot, "build-"+id,
			"LAMBDA_GOOS=linux", "LAMBDA_GOARCH=arm64", "ARTIFACTS_DIR="+filepath.Join(tmp, id))
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, "", fmt.Errorf("make build-%s: %w\n%s", id, err, out)
		}
	}
	sizes, ok := statAll(tmp)
	if !ok {
		return nil, "", fmt.Errorf("arm64 build left no bootstrap in %s", tmp)
	}
	return sizes, "built with make build-<id> LAMBDA_GOARCH=arm64", nil
}

func statAll(dir string) (map[string]int64, bool) {
	sizes := map[string]int64{}
	for _, id := range Functions {
		st, err := os.Stat(filepath.Join(dir, id, "bootstrap"))
		if err != nil {
			return nil, false
		}
		sizes[id] = st.Size()
	}
	return sizes, true
}
