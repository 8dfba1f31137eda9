// Package awsenvtest gives a test the environment of its choosing for reading AWS configuration.
package awsenvtest

import (
	"os"
	"strings"
	"testing"
)

// Set clears every AWS_ variable for the test, keeps the SDK off this machine's shared config files
// and instance metadata, then sets env.
func Set(t testing.TB, env map[string]string) {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	t.Setenv("HOME", t.TempDir())
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	for k, v := range env {
		t.Setenv(k, v)
	}
}
