// Package functions_test checks "A function's anatomy" (docs/architecture.md): which part of a function
// may import what.
package functions_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// part names a file's role; a file not listed is part of the service (a use case or its helpers).
var parts = map[string]string{
	"main.go": "main", "handlers.go": "handlers", "api.go": "api", "direct.go": "api",
	"events.go": "consumer", "outbox.go": "outbox", "ports.go": "ports", "domain.go": "domain",
	// adapters: the ports' implementations
	"store.go": "adapter", "store_tx.go": "adapter", "payments.go": "adapter", "config.go": "adapter",
	"gateway.go": "adapter", "http_gateway.go": "adapter", "sns.go": "adapter", "cognito.go": "adapter",
	"notes.go": "adapter", "queue.go": "adapter",
}

// allowed reports whether a part may import path.
func allowed(part, path string) bool {
	switch {
	case path == "github.com/calltaxi/call-taxi/shared/envcfg":
		return part == "main"
	case path == "github.com/calltaxi/call-taxi/shared/auth", path == "github.com/calltaxi/call-taxi/shared/httpapi":
		return part == "main" || part == "handlers" || part == "api"
	case path == "github.com/calltaxi/call-taxi/shared/lambdamux":
		return part == "main" || part == "handlers"
	case path == "net/http", strings.HasPrefix(path, "github.com/aws/aws-sdk-go-v2/service/"):
		return part == "main" || part == "api" || part == "adapter"
	}
	return true
}

// exceptions are the documented departures: identity's sign-up rule names the auth groups it grants.
var exceptions = map[string]bool{"identity/signup.go github.com/calltaxi/call-taxi/shared/auth": true}

func TestAnatomyImports(t *testing.T) {
	dirs, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		files, err := filepath.Glob(filepath.Join(d.Name(), "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			part, ok := parts[filepath.Base(file)]
			if !ok {
				part = "service"
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if !allowed(part, path) && !exceptions[filepath.ToSlash(file)+" "+path] {
					t.Errorf("%s (%s) imports %s", file, part, path)
				}
			}
			checked++
		}
	}
	if checked < 50 {
		t.Fatalf("checked %d files: is the test running in functions/?", checked)
	}
}
