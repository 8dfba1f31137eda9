package calltaxi_test

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

const envcfgImportPath = "github.com/calltaxi/call-taxi/shared/envcfg"

// routeKeyLiteral matches an HTTP API route key such as "POST /orders/{id}/cancel".
var routeKeyLiteral = regexp.MustCompile(`^(GET|POST|PUT|PATCH|DELETE) /`)

// awsProvidedEnv are variables the Lambda runtime sets itself.
var awsProvidedEnv = map[string]bool{
	"AWS_REGION": true, "AWS_DEFAULT_REGION": true, "AWS_EXECUTION_ENV": true,
	"AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true,
	"AWS_XRAY_DAEMON_ADDRESS": true, "AWS_XRAY_CONTEXT_MISSING": true, "_X_AMZN_TRACE_ID": true,
	"_HANDLER": true, "LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true, "TZ": true,
}

const awsLambdaEnvPrefix = "AWS_LAMBDA_" // AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_RUNTIME_API, ...

// sourceFacts is what a function's non-test Go files say about its wiring.
type sourceFacts struct {
	routeKeys  map[string]string // route key → where it appears
	envReads   map[string]string // variable → where it is read
	unresolved []string          // env reads whose name is not a constant string
}

// scanFunctionSources parses every non-test .go file under dir (testdata excluded).
func scanFunctionSources(dir string) (*sourceFacts, error) {
	facts := &sourceFacts{routeKeys: map[string]string{}, envReads: map[string]string{}}
	fset := token.NewFileSet()
	var files []*ast.File
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return fmt.Errorf("parse: %w", err)
		}
		files = append(files, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", dir, err)
	}
	consts := stringConstants(files)
	for _, f := range files {
		imports := importNames(f)
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.BasicLit:
				if s, ok := stringLiteral(x); ok && routeKeyLiteral.MatchString(s) {
					facts.routeKeys[s] = fset.Position(x.Pos()).String()
				}
			case *ast.CallExpr:
				if isEnvRead(x, imports) && len(x.Args) > 0 {
					where := fset.Position(x.Pos()).String()
					if name, ok := constantString(x.Args[0], consts); ok {
						facts.envReads[name] = where
					} else {
						facts.unresolved = append(facts.unresolved, where)
					}
				}
			}
			return true
		})
	}
	return facts, nil
}

// isEnvRead reports os.Getenv / os.LookupEnv and any envcfg helper call.
func isEnvRead(call *ast.CallExpr, imports map[string]string) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	if !ok {
		return false
	}
	switch imports[pkg.Name] {
	case "os":
		return sel.Sel.Name == "Getenv" || sel.Sel.Name == "LookupEnv"
	case envcfgImportPath:
		return true
	}
	return false
}

// importNames maps the name a file uses for an import to its path.
func importNames(f *ast.File) map[string]string {
	names := map[string]string{}
	for _, imp := range f.Imports {
		path, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			continue
		}
		name := path[strings.LastIndex(path, "/")+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		names[name] = path
	}
	return names
}

// stringConstants collects `const Name = "literal"` declarations.
func stringConstants(files []*ast.File) map[string]string {
	consts := map[string]string{}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			decl, ok := n.(*ast.GenDecl)
			if !ok || decl.Tok != token.CONST {
				return true
			}
			for _, spec := range decl.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok {
							if s, ok := stringLiteral(lit); ok {
								consts[name.Name] = s
							}
						}
					}
				}
			}
			return false
		})
	}
	return consts
}

func constantString(e ast.Expr, consts map[string]string) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		return stringLiteral(x)
	case *ast.Ident:
		s, ok := consts[x.Name]
		return s, ok
	}
	return "", false
}

func stringLiteral(lit *ast.BasicLit) (string, bool) {
	if lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// functionSources scans a function's folder; ok is false when the folder does not exist (the
// function-shape rule reports that).
func (r *repoUnderTest) functionSources(id string) (facts *sourceFacts, ok bool, err error) {
	dir := filepath.Join(r.root, "functions", functionFolder(id))
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	facts, err = scanFunctionSources(dir)
	return facts, err == nil, err
}

// checkRoutes: the HttpApi routes of the functions built from a folder and the route keys its code
// dispatches on agree.
func checkRoutes(r *repoUnderTest) []string {
	var problems []string
	byFolder := r.folderFunctions()
	for _, folder := range sortedKeys(byFolder) {
		ids := byFolder[folder]
		facts, ok, err := r.functionSources(ids[0])
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", ids[0], err))
		}
		if !ok {
			continue
		}
		inTemplate := map[string]bool{}
		for _, id := range ids {
			events := r.tpl.functionEvents(id, "HttpApi")
			for _, name := range sortedKeys(events) {
				ev := events[name]
				key := strings.ToUpper(asString(ev["Method"])) + " " + asString(ev["Path"])
				inTemplate[key] = true
				if _, found := facts.routeKeys[key]; !found {
					problems = append(problems, fmt.Sprintf("%s.Events.%s: route %q is not handled in functions/%s", id, name, key, folder))
				}
			}
		}
		for _, key := range sortedKeys(facts.routeKeys) {
			if !inTemplate[key] {
				problems = append(problems, fmt.Sprintf("%s: %s handles route %q, which the template does not route to it", strings.Join(ids, ", "), facts.routeKeys[key], key))
			}
		}
	}
	return problems
}

// roleSuffix ends the variable that tells the functions built from one folder apart (PAYMENT_ROLE).
const roleSuffix = "_ROLE"

// checkEnvironment: every variable a function's code reads is set for it (Globals + its own). Functions
// built from one folder each set a distinct *_ROLE variable, and each variable the code reads is set on
// at least one of them (the role decides which are read).
func checkEnvironment(r *repoUnderTest) []string {
	var problems []string
	byFolder := r.folderFunctions()
	for _, folder := range sortedKeys(byFolder) {
		ids := byFolder[folder]
		facts, ok, err := r.functionSources(ids[0])
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", ids[0], err))
		}
		if !ok {
			continue
		}
		roles := map[string]string{}
		for _, id := range ids {
			if len(ids) == 1 {
				break
			}
			role := ""
			for name, v := range r.tpl.functionEnvironment(id) {
				if strings.HasSuffix(name, roleSuffix) {
					role = name + "=" + asString(v)
				}
			}
			if other, taken := roles[role]; role == "" || taken {
				problems = append(problems, fmt.Sprintf("%s: functions/%s builds several functions; each must set its own *%s variable (%q, also on %s)", id, folder, roleSuffix, role, other))
			}
			roles[role] = id
		}
		for _, name := range sortedKeys(facts.envReads) {
			if awsProvidedEnv[name] || strings.HasPrefix(name, awsLambdaEnvPrefix) {
				continue
			}
			var missing []string
			for _, id := range ids {
				if _, set := r.tpl.functionEnvironment(id)[name]; !set {
					missing = append(missing, id)
				}
			}
			if len(missing) == len(ids) || (len(ids) == 1 && len(missing) > 0) {
				problems = append(problems, fmt.Sprintf("%s: %s reads %s, which Environment.Variables does not set", strings.Join(missing, ", "), facts.envReads[name], name))
			}
		}
		for _, where := range facts.unresolved {
			problems = append(problems, fmt.Sprintf("%s: %s reads an environment variable whose name is not a constant string", strings.Join(ids, ", "), where))
		}
	}
	return problems
}
